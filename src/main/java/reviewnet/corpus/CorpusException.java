package reviewnet.corpus;

/** Input that cannot be read as a corpus at all; the message names the path and what was expected. */
public class CorpusException extends RuntimeException {
    public CorpusException(String message) {
        super(message);
    }

    public CorpusException(String message, Throwable cause) {
        super(message, cause);
    }
}

package reviewnet.config;

import com.typesafe.config.Config;
import java.io.Serializable;

/**
 * Vocabulary size and reserved indices ({@code reviewnet.vocab}), Keras {@code imdb.load_data} convention:
 * 0 = padding, {@code startChar} (0 = none), {@code oovChar}, words from {@code indexFrom}; all indices < size.
 */
public record VocabSettings(int size, int startChar, int oovChar, int indexFrom) implements Serializable {

    public VocabSettings {
        if (oovChar <= 0 || startChar < 0 || startChar == oovChar || indexFrom <= Math.max(startChar, oovChar)
                || size <= indexFrom) {
            throw new IllegalArgumentException("vocabulary indices must satisfy 0 < oov-char, 0 <= start-char, "
                    + "start-char != oov-char, max(start-char, oov-char) < index-from < size; got size=" + size
                    + " start-char=" + startChar + " oov-char=" + oovChar + " index-from=" + indexFrom);
        }
    }

    public static VocabSettings from(Config root) {
        String key = "reviewnet.vocab.";
        int size = Settings.positiveInt(root, key + "size");
        int start = root.getInt(key + "start-char");
        int oov = root.getInt(key + "oov-char");
        int from = root.getInt(key + "index-from");
        Settings.require(oov > 0 && start >= 0 && start != oov, root, key + "oov-char",
                "oov-char > 0, start-char >= 0 and the two different; got start-char=" + start + " oov-char=" + oov);
        Settings.require(from > Math.max(start, oov), root, key + "index-from",
                "an index above start-char and oov-char, got " + from);
        Settings.require(size > from, root, key + "size", "more than index-from (" + from + "), got " + size);
        return new VocabSettings(size, start, oov, from);
    }

    /** How many words the vocabulary holds: indices indexFrom .. size-1. */
    public int wordCapacity() {
        return size - indexFrom;
    }
}

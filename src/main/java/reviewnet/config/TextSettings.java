package reviewnet.config;

import com.typesafe.config.Config;
import java.io.Serializable;

/** The Lucene analysis policy ({@code reviewnet.text}); serializable so executors can build their analyzer. */
public record TextSettings(boolean stripHtml, boolean lowercase, StopWords stopWords, Stemming stemming,
                           int maxTokenLength) implements Serializable {

    public enum StopWords { NONE, ENGLISH }

    public enum Stemming { NONE, PORTER, ENGLISH_MINIMAL }

    public static TextSettings from(Config root) {
        String key = "reviewnet.text.";
        int maxTokenLength = Settings.positiveInt(root, key + "max-token-length");
        Settings.require(maxTokenLength <= 1024 * 1024, root, key + "max-token-length", "at most 1048576");
        return new TextSettings(root.getBoolean(key + "strip-html"), root.getBoolean(key + "lowercase"),
                Settings.enumValue(root, key + "stop-words", StopWords.class),
                Settings.enumValue(root, key + "stemming", Stemming.class), maxTokenLength);
    }

    /** The defaults of reference.conf: HTML stripped, lower case, no stop words, no stemming. */
    public static TextSettings defaults() {
        return from(JobConfig.resolve(com.typesafe.config.ConfigFactory.empty()));
    }
}

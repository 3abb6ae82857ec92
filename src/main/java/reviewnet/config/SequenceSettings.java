package reviewnet.config;

import com.typesafe.config.Config;
import java.io.Serializable;

/** Fixed sequence length and Keras pad_sequences sides ({@code reviewnet.sequence}). */
public record SequenceSettings(int length, Side padding, Side truncating) implements Serializable {

    public enum Side { PRE, POST }

    public static SequenceSettings from(Config root) {
        String key = "reviewnet.sequence.";
        return new SequenceSettings(Settings.positiveInt(root, key + "length"),
                Settings.enumValue(root, key + "padding", Side.class),
                Settings.enumValue(root, key + "truncating", Side.class));
    }
}

package reviewnet.config;

import com.typesafe.config.Config;
import java.io.Serializable;

/** Network sizes ({@code reviewnet.model}) plus the input shape they apply to (vocabulary size, sequence length). */
public record ModelSettings(int vocabularySize, int sequenceLength, int embedding, int hidden, double dropout,
                            int filters, int kernel, int pool) implements Serializable {

    public static ModelSettings from(Config root) {
        String key = "reviewnet.model.";
        double dropout = root.getDouble(key + "dropout");
        Settings.require(dropout >= 0 && dropout < 1, root, key + "dropout", "a rate in [0, 1), got " + dropout);
        ModelSettings m = new ModelSettings(VocabSettings.from(root).size(), SequenceSettings.from(root).length(),
                Settings.positiveInt(root, key + "embedding"), Settings.positiveInt(root, key + "hidden"), dropout,
                Settings.positiveInt(root, key + "filters"), Settings.positiveInt(root, key + "kernel"),
                Settings.positiveInt(root, key + "pool"));
        Settings.require(m.pooledLength() > 0, root, key + "pool", "kernel and pool small enough for sequences of "
                + m.sequenceLength() + " (after convolution and pooling no step is left)");
        return m;
    }

    /** Steps left after a valid convolution of width {@code kernel} and max pooling of size and stride {@code pool}. */
    public int pooledLength() {
        return (sequenceLength - kernel + 1) / pool;
    }
}

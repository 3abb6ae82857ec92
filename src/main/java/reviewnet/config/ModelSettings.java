package reviewnet.config;

import java.util.List;
import com.typesafe.config.Config;
import java.io.Serializable;

/** Network sizes ({@code reviewnet.model}) plus the input shape they apply to (vocabulary size, sequence length). */
public record ModelSettings(int vocabularySize, int sequenceLength, int embedding, int hidden, double dropout,
                            int filters, int kernel, int pool, List<Integer> cnnMaxWidths, int cnnMaxFilters,
                            int bigramBuckets, int bigramBagEmbedding, BagPooling bigramBagPooling)
        implements Serializable {

    /** How bigram-bag pools a review's embeddings: their mean, or their sum / √count. */
    public enum BagPooling { MEAN, SQRT_COUNT }

    /** Defaults of reference.conf for the settings of cnn-max and bigram-bag. */
    public static final List<Integer> CNN_MAX_WIDTHS = List.of(3, 4, 5);
    public static final int CNN_MAX_FILTERS = 100;
    public static final int BIGRAM_BUCKETS = 524288;
    public static final int BIGRAM_BAG_EMBEDDING = 10;

    public ModelSettings {
        cnnMaxWidths = List.copyOf(cnnMaxWidths);
    }

    /** The notebook's settings with reference.conf's defaults for the other architectures (tests, benchmarks). */
    public ModelSettings(int vocabularySize, int sequenceLength, int embedding, int hidden, double dropout,
                         int filters, int kernel, int pool) {
        this(vocabularySize, sequenceLength, embedding, hidden, dropout, filters, kernel, pool, CNN_MAX_WIDTHS,
                CNN_MAX_FILTERS, BIGRAM_BUCKETS, BIGRAM_BAG_EMBEDDING, BagPooling.SQRT_COUNT);
    }

    public static ModelSettings from(Config root) {
        String key = "reviewnet.model.";
        double dropout = root.getDouble(key + "dropout");
        Settings.require(dropout >= 0 && dropout < 1, root, key + "dropout", "a rate in [0, 1), got " + dropout);
        ModelSettings m = new ModelSettings(VocabSettings.from(root).size(), SequenceSettings.from(root).length(),
                Settings.positiveInt(root, key + "embedding"), Settings.positiveInt(root, key + "hidden"), dropout,
                Settings.positiveInt(root, key + "filters"), Settings.positiveInt(root, key + "kernel"),
                Settings.positiveInt(root, key + "pool"), widths(root, key + "cnn-max.widths"),
                Settings.positiveInt(root, key + "cnn-max.filters"), BigramSettings.from(root).buckets(),
                Settings.positiveInt(root, key + "bigram-bag.embedding"),
                Settings.enumValue(root, key + "bigram-bag.pooling", BagPooling.class));
        Settings.require(m.pooledLength() > 0, root, key + "pool", "kernel and pool small enough for sequences of "
                + m.sequenceLength() + " (after convolution and pooling no step is left)");
        return m;
    }

    private static List<Integer> widths(Config root, String key) {
        List<Integer> widths = root.getIntList(key);
        Settings.require(!widths.isEmpty() && widths.stream().allMatch(w -> w > 0), root, key,
                "a non-empty list of positive widths, got " + widths);
        return widths;
    }

    /** Steps left after a valid convolution of width {@code kernel} and max pooling of size and stride {@code pool}. */
    public int pooledLength() {
        return (sequenceLength - kernel + 1) / pool;
    }
}

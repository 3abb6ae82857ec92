package reviewnet.config;

import com.typesafe.config.Config;
import java.io.Serializable;

/**
 * The large-corpus generator ({@code reviewnet.make-corpus}, job {@code make-corpus}). {@code source} is the aclImdb
 * folder the sentences come from, read as {@code folders} with the label and split names, and the size limit, of
 * {@code reviewnet.input}; the generated corpus uses the same names, so that {@code prepare} reads it with them.
 */
public record CorpusGeneratorSettings(InputSettings source, long reviews, String output, Format format, long seed,
                                      double fillerShare, boolean overwrite, int partitions)
        implements Serializable {

    public enum Format { PARQUET, FOLDERS }

    /** Generated reviews per partition when {@code partitions} is 0 (automatic). */
    static final long REVIEWS_PER_PARTITION = 20_000;

    public static CorpusGeneratorSettings from(Config root) {
        String key = "reviewnet.make-corpus.";
        InputSettings input = InputSettings.from(root);
        String source = root.getString(key + "source");
        Settings.require(!source.isBlank(), root, key + "source", "a non-empty path (an extracted aclImdb folder)");
        long reviews = root.getLong(key + "reviews");
        Settings.require(reviews >= 4 && reviews % 4 == 0, root, key + "reviews",
                "a positive multiple of 4 (half train, half test, each half balanced between two labels), got "
                        + reviews);
        String output = root.getString(key + "output");
        Settings.require(!output.isBlank(), root, key + "output", "a non-empty path");
        double filler = root.getDouble(key + "filler-share");
        Settings.require(filler >= 0 && filler < 1, root, key + "filler-share",
                "a share in [0, 1) (1 would leave no labelled sentence), got " + filler);
        int partitions = root.getInt(key + "partitions");
        Settings.require(partitions >= 0, root, key + "partitions", "0 (automatic) or a positive number, got "
                + partitions);
        return new CorpusGeneratorSettings(
                new InputSettings(source, InputSettings.Format.FOLDERS, input.labels(), input.splits(),
                        input.maxBytes(), input.columns(), input.csv()),
                reviews, output, Settings.enumValue(root, key + "format", Format.class), root.getLong(key + "seed"),
                filler, root.getBoolean(key + "overwrite"), partitions);
    }

    /** Partitions of the generation (and files of a Parquet output): the setting, else one per 20,000 reviews. */
    public int effectivePartitions() {
        return partitions > 0 ? partitions : (int) Math.max(2, (reviews + REVIEWS_PER_PARTITION - 1)
                / REVIEWS_PER_PARTITION);
    }
}

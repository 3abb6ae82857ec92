package reviewnet.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import reviewnet.corpus.ReviewSchema;

/**
 * The validation hold-out of the training split: a review is held out when a seeded 64-bit hash of its id falls in
 * the first {@code fraction} of the hash range. Prepare marks it (the {@link #COLUMN} column of the prepared training
 * rows) and fits the vocabulary without it; training splits on that column ({@link #marked}). Every review is decided on its own, by its id alone, so each label
 * loses the same expected share (a stratified Bernoulli sample, as Spark's {@code sampleBy} with equal fractions),
 * whatever the partitioning or file order, and the same seed holds out the same reviews in every run.
 */
public final class HoldOut {
    private static final long RANGE = 1_000_000;
    /** The prepared training rows' column: true for a review of the validation hold-out. */
    public static final String COLUMN = "holdout";

    /** The training rows that are trained on and the ones held out for validation. */
    public record Split(Dataset<Row> fit, Dataset<Row> validation) {
    }

    private HoldOut() {
    }

    /** Whether a review (by its id) is held out. */
    public static Column held(double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + fraction);
        }
        return pmod(xxhash64(col(ReviewSchema.ID), lit(seed)), lit(RANGE)).lt(Math.round(fraction * RANGE));
    }

    /** The split prepare marked in the {@link #COLUMN} column. */
    public static Split marked(Dataset<Row> train) {
        if (!java.util.Arrays.asList(train.columns()).contains(COLUMN)) {
            throw new IllegalStateException("the prepared training rows have no '" + COLUMN + "' column: prepare "
                    + "them again with this version");
        }
        return new Split(train.where(col(COLUMN).unary_$bang()), train.where(col(COLUMN)));
    }
}

package reviewnet.config;

import com.typesafe.config.Config;

/**
 * How a comparison is repeated and summarized ({@code reviewnet.compare}): repeats per architecture (repeat r trains
 * with seed {@code reviewnet.train.seed + r - 1}), the run id (empty: a new one; the id of a killed run resumes it
 * per repeat), the bootstrap replicates of the summary's intervals and p-values, and the level alpha below which an
 * architecture is told apart from the best.
 */
public record ComparisonSettings(int repeats, String runId, int bootstrapReplicates, double alpha) {

    /** The seed of repeat {@code repeat} (1-based) from the base seed. */
    public static long seed(long baseSeed, int repeat) {
        return baseSeed + repeat - 1;
    }

    public static ComparisonSettings from(Config root) {
        String key = "reviewnet.compare.";
        String runId = Settings.runId(root, key + "run-id");
        int replicates = root.getInt(key + "bootstrap-replicates");
        Settings.require(replicates >= 100, root, key + "bootstrap-replicates", "at least 100, got " + replicates);
        double alpha = root.getDouble(key + "alpha");
        Settings.require(alpha > 0 && alpha < 1, root, key + "alpha", "a level in (0, 1), got " + alpha);
        return new ComparisonSettings(Settings.positiveInt(root, key + "repeats"), runId, replicates, alpha);
    }
}

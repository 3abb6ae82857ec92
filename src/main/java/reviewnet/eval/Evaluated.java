package reviewnet.eval;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * An evaluated split held on the executors: its scored blocks (probabilities, labels, review ids), persisted once so
 * that the metrics and the per-review predictions come from the same forward passes; {@link #close()} releases them.
 */
public final class Evaluated implements AutoCloseable {
    private final JavaRDD<Scores> blocks;
    private final Metrics metrics;
    private final Runnable release;

    private Evaluated(JavaRDD<Scores> blocks, Metrics metrics, Runnable release) {
        this.blocks = blocks;
        this.metrics = metrics;
        this.release = release;
    }

    /** Persists the blocks and computes their metrics ({@link SplitMetrics}); {@code release} runs on close. */
    public static Evaluated of(JavaRDD<Scores> blocks, long startedNanos, Runnable release) {
        JavaRDD<Scores> held = blocks.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return new Evaluated(held, SplitMetrics.of(held, startedNanos), release);
        } catch (RuntimeException e) {
            held.unpersist(false);
            release.run();
            throw e;
        }
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Writes the per-review predictions ({@link Predictions}) of this evaluation as one model's. */
    public void writePredictions(SparkSession spark, String runId, String architecture, int repeat, String dir) {
        Predictions.write(spark, blocks, runId, architecture, repeat, dir);
    }

    /** The per-review predictions ({@link Predictions#SCHEMA}) of this evaluation, read from the held blocks. */
    public Dataset<Row> predictions(SparkSession spark, String runId, String architecture, int repeat) {
        return Predictions.rows(spark, blocks, runId, architecture, repeat);
    }

    @Override
    public void close() {
        blocks.unpersist(false);
        release.run();
    }
}

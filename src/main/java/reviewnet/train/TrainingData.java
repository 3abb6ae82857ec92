package reviewnet.train;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.datavec.spark.util.BroadcastHadoopConfigHolder;
import org.datavec.spark.util.SerializableHadoopConfig;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.config.TrainSettings;

/**
 * The training split as minibatches of {@code batch-size}, staged ONCE per run and shared by every architecture and
 * every epoch (DL4J's training master would export the data again for every network it trains).
 * <ul>
 *   <li>{@code export}: the minibatches are written by the executors as serialized {@code DataSet} files under the
 *       run's temporary folder and the workers read them back ({@link SparkDl4jMultiLayer#fitPaths}); on a local path
 *       the files are written with java.nio, because Hadoop's local file system without its native library forks a
 *       {@code chmod} process for every file it creates.</li>
 *   <li>{@code direct}: the minibatches stay in Spark's storage at {@code storage-level}.</li>
 * </ul>
 * The row order is shuffled once with the training seed before the minibatches are cut, so that every minibatch mixes
 * both labels; the training master assigns minibatches to workers and averaging rounds at random in every epoch.
 */
public final class TrainingData implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingData.class);

    private final JavaRDD<String> paths;
    private final JavaRDD<DataSet> minibatches;
    private final long count;
    private final double seconds;
    private final String dir;
    private final JavaSparkContext jsc;

    private TrainingData(JavaSparkContext jsc, JavaRDD<String> paths, JavaRDD<DataSet> minibatches, long count,
                         double seconds, String dir) {
        this.jsc = jsc;
        this.paths = paths;
        this.minibatches = minibatches;
        this.count = count;
        this.seconds = seconds;
        this.dir = dir;
    }

    /**
     * Stages the prepared training rows for {@code approach} (export or direct); {@code dir} is a folder of this run
     * for exported minibatches, deleted by {@link #close()}.
     */
    public static TrainingData stage(JavaSparkContext jsc, Dataset<Row> train, Features features,
                                     TrainSettings settings, TrainSettings.Approach approach, int workers, String dir) {
        return stage(jsc, train, features, settings.batchSize(), settings, approach, workers, dir);
    }

    /** {@link #stage} in minibatches of {@code batchSize} (an architecture's own size). */
    public static TrainingData stage(JavaSparkContext jsc, Dataset<Row> train, Features features, int batchSize,
                                     TrainSettings settings, TrainSettings.Approach approach, int workers, String dir) {
        long started = System.nanoTime();
        // a killed run with the same run id (retrain resumes) may have left a partial staging behind
        DistributedTrainer.delete(jsc, dir);
        JavaRDD<DataSet> batches = DataSets.shuffledMinibatches(train, batchSize, workers,
                settings.seed(), features);
        JavaRDD<String> paths = null;
        long count;
        jsc.setJobGroup("reviewnet-stage", "reviewnet: staging the training minibatches (" + approach + ")", false);
        try {
            if (approach == TrainSettings.Approach.EXPORT) {
                Broadcast<SerializableHadoopConfig> hadoop = BroadcastHadoopConfigHolder.get(jsc);
                // qualified here: executors resolve relative paths against their own working directory
                String files = new Path(qualified(jsc, dir), "minibatches").toString();
                String listing = new Path(dir, "paths").toString();
                batches.mapPartitionsWithIndex((partition, it) -> write(it, files, partition, hadoop), true)
                        .saveAsTextFile(listing);
                // sorted: the listing's part files come in the order the file system lists them
                List<String> sorted = new ArrayList<>(jsc.textFile(listing).collect());
                java.util.Collections.sort(sorted);
                paths = jsc.parallelize(sorted, workers).cache();
                count = paths.count();
                batches = null;
            } else {
                batches = batches.persist(StorageLevel.fromString(settings.storageLevel()));
                count = batches.count();
            }
        } finally {
            jsc.clearJobGroup();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        LOG.info("training data staged ({}): {} minibatches of up to {} reviews in {} s", approach, count,
                batchSize, String.format("%.1f", seconds));
        return new TrainingData(jsc, paths, batches, count, seconds, dir);
    }

    /** One epoch of the network over the staged minibatches. */
    public void fit(SparkDl4jMultiLayer network) {
        if (paths != null) {
            network.fitPaths(paths);
        } else {
            network.fit(minibatches);
        }
    }

    public long minibatches() {
        return count;
    }

    /** How long staging took (once per run and seed, before the first architecture that trains with it). */
    public double seconds() {
        return seconds;
    }

    @Override
    public void close() {
        if (paths != null) {
            paths.unpersist(false);
        }
        if (minibatches != null) {
            minibatches.unpersist(false);
        }
        DistributedTrainer.delete(jsc, dir);
    }

    private static Path qualified(JavaSparkContext jsc, String dir) {
        Path path = new Path(dir);
        try {
            return path.getFileSystem(jsc.hadoopConfiguration()).makeQualified(path);
        } catch (IOException e) {
            throw new UncheckedIOException("no file system for " + dir, e);
        }
    }

    private static Iterator<String> write(Iterator<DataSet> batches, String dir, int partition,
                                          Broadcast<SerializableHadoopConfig> hadoop) throws IOException {
        List<String> written = new ArrayList<>();
        boolean local = "file".equals(URI.create(dir).getScheme());
        FileSystem fs = local ? null : new Path(dir).getFileSystem(hadoop.getValue().getConfiguration());
        if (local) {
            Files.createDirectories(Paths.get(new Path(dir).toUri().getPath()));
        }
        for (int i = 0; batches.hasNext(); i++) {
            DataSet batch = batches.next();
            Path file = new Path(dir, String.format("part-%05d-%06d.bin", partition, i));
            try (OutputStream out = local ? Files.newOutputStream(Paths.get(file.toUri().getPath()))
                    : fs.create(file, true)) {
                batch.save(out);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the training minibatch " + file, e);
            }
            written.add(file.toString());
        }
        return written.iterator();
    }
}

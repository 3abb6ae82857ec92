package reviewnet.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.RepartitionStrategy;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.config.TrainSettings;
import reviewnet.config.ValidationSettings;
import reviewnet.eval.DistributedEvaluator;
import reviewnet.eval.Metrics;

/**
 * Trains one network across the executors with DL4J's {@link ParameterAveragingTrainingMaster}: each worker fits
 * {@code averaging-frequency} minibatches of {@code batch-size}, then parameters (and, with {@code save-updater}, the
 * Adam state) are averaged. The training master's temporary files are removed afterwards, also on failure.
 */
public final class DistributedTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(DistributedTrainer.class);

    private final TrainSettings settings;

    public DistributedTrainer(TrainSettings settings) {
        this.settings = settings;
    }

    /**
     * A trained network and how long it took (in this process: epochs before {@code resumedFromEpoch} were trained
     * by an earlier, killed run and restored from its checkpoint).
     */
    public record Trained(SparkDl4jMultiLayer network, int workers, TrainSettings.Approach approach, double seconds,
                          long examples, int epochs, int resumedFromEpoch, List<EpochScore> validation,
                          int bestEpoch) {
        public Trained {
            validation = List.copyOf(validation);
        }

        public double examplesPerSecond() {
            return seconds > 0 ? examples / seconds : 0;
        }

        /** The restored (best) epoch's validation scores; null without validation. */
        public EpochScore best() {
            return validation.stream().filter(e -> e.epoch() == bestEpoch).findFirst().orElse(null);
        }
    }

    /** The validation hold-out's log loss and accuracy after one epoch. */
    public record EpochScore(int epoch, double loss, double accuracy) {
    }

    /** The training approach: {@code auto} resolves to export unless the cluster shares no file system. */
    public TrainSettings.Approach approach(JavaSparkContext jsc) {
        if (settings.approach() != TrainSettings.Approach.AUTO) {
            return settings.approach();
        }
        boolean local = jsc.master().startsWith("local");
        String defaultFs = jsc.hadoopConfiguration().get("fs.defaultFS", "file:///");
        return local || !defaultFs.startsWith("file:") ? TrainSettings.Approach.EXPORT : TrainSettings.Approach.DIRECT;
    }

    public int workers(JavaSparkContext jsc) {
        return settings.workers() > 0 ? settings.workers() : jsc.defaultParallelism();
    }

    /**
     * Trains {@code conf} on the staged minibatches for {@code epochs} epochs, with a checkpoint (network and Adam
     * state) written to {@code checkpointDir} after every epoch; a checkpoint found there is resumed from instead of
     * starting over. {@code checkpointDir} null: no checkpoints.
     */
    public Trained train(JavaSparkContext jsc, String name, MultiLayerConfiguration conf, TrainingData data,
                         long count, String checkpointDir) {
        return train(jsc, name, conf, data, null, count, checkpointDir, null);
    }

    /**
     * As above; checkpoints record {@code dataFingerprint} and the resolved training settings
     * ({@link #checkpointSettings}), and a checkpoint written for other data or settings is refused, not resumed.
     * With {@code validation} minibatches (not null), up to {@code max-epochs} epochs are trained, each followed by an
     * evaluation of {@code validation}; training stops after {@code patience} epochs without improvement and the best
     * epoch's parameters are restored (the validation history is checkpointed with every epoch).
     */
    public Trained train(JavaSparkContext jsc, String name, MultiLayerConfiguration conf, TrainingData data,
                         JavaRDD<DataSet> validation, long count, String checkpointDir, String dataFingerprint) {
        int workers = workers(jsc);
        int frequency = settings.averagingFrequency(name);
        int batchSize = settings.batchSize(name);
        // without validation minibatches no epoch is scored, so nothing is best and early stopping never fires
        ValidationSettings stopping = settings.validation();
        int epochs = validation == null ? settings.epochs() : stopping.maxEpochs();
        Checkpoints checkpoints = checkpointDir == null ? null : new Checkpoints(checkpointDir, jsc.hadoopConfiguration());
        if (checkpoints != null) {
            checkpoints.bind(new Checkpoints.Identity(dataFingerprint == null ? "" : dataFingerprint,
                    checkpointSettings(name, conf, workers, frequency, validation != null)));
        }
        int done = checkpoints == null ? 0 : checkpoints.lastEpoch();
        if (done > epochs) {
            throw new IllegalStateException(checkpointDir + " holds epoch " + done + " but the run trains "
                    + epochs + " epochs");
        }
        List<EpochScore> history = new ArrayList<>(done > 0 ? checkpoints.history(done) : List.of());
        EpochScore best = bestOf(history, stopping);
        SparkDl4jMultiLayer network = done > 0
                ? new SparkDl4jMultiLayer(jsc, checkpoints.restore(done), master(workers, batchSize, frequency, done + 1))
                : new SparkDl4jMultiLayer(jsc, conf, master(workers, batchSize, frequency, 1));
        INDArray bestParams = best == null ? null
                : best.epoch() == done ? network.getNetwork().params().dup() : checkpoints.restore(best.epoch()).params();
        if (done > 0) {
            LOG.info("{}: resuming after epoch {} from {}", name, done, checkpointDir);
        }
        long perRound = (long) workers * batchSize * frequency;
        long started = System.nanoTime();
        int trained = done;
        for (int epoch = done + 1; epoch <= epochs && !stopped(history, best, stopping); epoch++) {
            String group = "reviewnet-train-" + name + "-" + epoch;
            String label = "training " + name + " epoch " + epoch + "/" + epochs;
            jsc.setJobGroup(group, "reviewnet: " + label + " (" + workers + " workers, parameter averaging every "
                    + frequency + " minibatches of " + batchSize + ")", false);
            long epochStart = System.nanoTime();
            if (epoch > done + 1) {
                // the same network (parameters, Adam state) under this epoch's training master
                network = new SparkDl4jMultiLayer(jsc, network.getNetwork(), master(workers, batchSize, frequency,
                        epoch));
            }
            try (TrainingProgress progress = TrainingProgress.forConsole(group, label, perRound, count,
                    settings.progressInterval())) {
                jsc.sc().addSparkListener(progress);
                try {
                    data.fit(network);
                    progress.done();
                } finally {
                    jsc.sc().removeSparkListener(progress);
                }
            } finally {
                jsc.clearJobGroup();
            }
            double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
            // DL4J's score: the workers' mean loss on their last minibatch, computed before that minibatch's update,
            // so it cannot show a rise that the last update itself causes (issue 11's gru: 0.38 here, 1.53 after)
            LOG.info("{}: {} examples in {} s, {} examples/s, last-minibatch loss {}", label, count,
                    String.format("%.1f", epochSeconds), Math.round(count / epochSeconds),
                    String.format("%.4f", network.getScore()));
            if (validation != null) {
                EpochScore score = validate(jsc, name, epoch, network, validation);
                history.add(score);
                boolean improved = best == null || stopping.improves(score.loss(), score.accuracy(), best.loss(),
                        best.accuracy());
                if (improved) {
                    best = score;
                    bestParams = network.getNetwork().params().dup();
                }
                LOG.info("{}: validation loss {}, accuracy {}{}", label, String.format("%.4f", score.loss()),
                        String.format("%.4f", score.accuracy()), improved ? " (best so far)"
                                : " (best: epoch " + best.epoch() + ")");
            }
            if (checkpoints != null) {
                checkpoints.save(epoch, network.getNetwork(), history, best == null ? epoch : best.epoch());
                LOG.info("{}: checkpoint of epoch {}/{} saved", name, epoch, epochs);
            }
            trained = epoch;
        }
        if (best != null && best.epoch() != trained) {
            network.getNetwork().setParams(bestParams);
            LOG.info("{}: stopped after epoch {}; restored the parameters of epoch {} (validation loss {}, accuracy {})",
                    name, trained, best.epoch(), String.format("%.4f", best.loss()),
                    String.format("%.4f", best.accuracy()));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Trained(network, workers, approach(jsc), seconds, count * (trained - done), trained, done, history,
                best == null ? trained : best.epoch());
    }

    /**
     * The training master of one epoch. Everything random in it is a function of the seed and the epoch, so that a
     * seed reproduces its run and a run resumed from a checkpoint trains its next epoch as an uninterrupted run would:
     * the master's own RNG (which minibatches go to which averaging round) is seeded per epoch (one master for a whole
     * run would start over from its seed on resume); minibatches are not repartitioned when there are as many
     * partitions as workers ({@code NumPartitionsWorkersDiffers}: DL4J's {@code Balanced} strategy places the
     * minibatches beyond its even share with an unseeded {@code java.util.Random}); the workers' dropout masks come from
     * {@code nn.layers.SeededDropout}. Every staged DataSet object is one minibatch of batch-size reviews; every one of
     * them is fitted once an epoch ({@link WholeShareTrainingMaster}).
     */
    private ParameterAveragingTrainingMaster master(int workers, int batchSize, int frequency, int epoch) {
        return new WholeShareTrainingMaster(new ParameterAveragingTrainingMaster.Builder(workers, batchSize)
                .batchSizePerWorker(batchSize)
                .averagingFrequency(frequency)
                .workerPrefetchNumBatches(settings.prefetch())
                .saveUpdater(settings.saveUpdater())
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .storageLevel(StorageLevel.fromString(settings.storageLevel()))
                .repartionData(Repartition.NumPartitionsWorkersDiffers)
                .repartitionStrategy(RepartitionStrategy.Balanced)
                .rngSeed(epochSeed(settings.seed(), epoch)));
    }

    /** The training master's seed in one epoch (SplitMix64's finalizer over the seed and the epoch). */
    static long epochSeed(long seed, int epoch) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Whether early stopping ends training: {@code patience} epochs since the best one. */
    private static boolean stopped(List<EpochScore> history, EpochScore best, ValidationSettings stopping) {
        return best != null && !history.isEmpty()
                && history.get(history.size() - 1).epoch() - best.epoch() >= stopping.patience();
    }

    private static EpochScore bestOf(List<EpochScore> history, ValidationSettings stopping) {
        EpochScore best = null;
        for (EpochScore e : history) {
            if (best == null || stopping.improves(e.loss(), e.accuracy(), best.loss(), best.accuracy())) {
                best = e;
            }
        }
        return best;
    }

    private EpochScore validate(JavaSparkContext jsc, String name, int epoch, SparkDl4jMultiLayer network,
                                JavaRDD<DataSet> validation) {
        jsc.setJobGroup("reviewnet-validate-" + name + "-" + epoch, "reviewnet: validating " + name + " after epoch "
                + epoch, false);
        try {
            Metrics m = DistributedEvaluator.evaluate(network.getNetwork(), validation, settings.evalBatchSize());
            return new EpochScore(epoch, m.loss(), m.accuracy());
        } finally {
            jsc.clearJobGroup();
        }
    }

    /**
     * What a checkpoint of {@code name} depends on besides the data: the network configuration (architecture, model
     * settings, learning rate, seed) and the training settings that shape an epoch. Rendered as sorted JSON text.
     */
    Map<String, String> checkpointSettings(String name, MultiLayerConfiguration conf, int workers, int frequency,
                                           boolean validated) {
        Map<String, String> resolved = new TreeMap<>();
        resolved.put("architecture", name);
        resolved.put("network_sha256", sha256(conf.toJson()));
        if (validated) {
            ValidationSettings v = settings.validation();
            resolved.put("max_epochs", Integer.toString(v.maxEpochs()));
            resolved.put("validation_fraction", Double.toString(v.fraction()));
            resolved.put("early_stopping", v.metric() + "/" + v.patience());
        } else {
            resolved.put("epochs", Integer.toString(settings.epochs()));
        }
        resolved.put("seed", Long.toString(settings.seed()));
        resolved.put("learning_rate", Double.toString(settings.learningRate(name)));
        resolved.put("batch_size", Integer.toString(settings.batchSize(name)));
        resolved.put("workers", Integer.toString(workers));
        resolved.put("averaging_frequency", Integer.toString(frequency));
        resolved.put("save_updater", Boolean.toString(settings.saveUpdater()));
        return resolved;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void delete(JavaSparkContext jsc, String dir) {
        Path path = new Path(dir);
        try {
            FileSystem fs = path.getFileSystem(jsc.hadoopConfiguration());
            fs.delete(path, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the training master's temporary files in " + dir, e);
        }
    }
}

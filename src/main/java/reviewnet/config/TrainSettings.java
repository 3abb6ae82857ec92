package reviewnet.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.storage.StorageLevel;

/** Distributed training ({@code reviewnet.train}). */
public record TrainSettings(List<String> architectures, int epochs, long seed, double learningRate, int batchSize,
                            int workers, int averagingFrequency, Map<String, Integer> averagingFrequencyByArchitecture,
                            int prefetch, Approach approach, String storageLevel,
                            boolean saveUpdater, int evalBatchSize, int threadsPerTask, String openblasCoretype,
                            String nativeBackend, java.time.Duration progressInterval,
                            ValidationSettings validation, Map<String, Integer> batchSizeByArchitecture,
                            Map<String, Double> learningRateByArchitecture, double gradientClip,
                            Map<String, Double> gradientClipByArchitecture)
        implements Serializable {

    public enum Approach { AUTO, EXPORT, DIRECT }

    public TrainSettings {
        architectures = List.copyOf(architectures);
        averagingFrequencyByArchitecture = Map.copyOf(averagingFrequencyByArchitecture);
        batchSizeByArchitecture = Map.copyOf(batchSizeByArchitecture);
        learningRateByArchitecture = Map.copyOf(learningRateByArchitecture);
        gradientClipByArchitecture = Map.copyOf(gradientClipByArchitecture);
    }

    /**
     * The L2-norm threshold of each layer's gradient for one architecture (its own value, else the default); 0 = no
     * clipping.
     */
    public double gradientClip(String architecture) {
        return gradientClipByArchitecture.getOrDefault(architecture, gradientClip);
    }

    /** These settings with another seed (a repeat of a comparison). */
    public TrainSettings withSeed(long newSeed) {
        return new TrainSettings(architectures, epochs, newSeed, learningRate, batchSize, workers, averagingFrequency,
                averagingFrequencyByArchitecture, prefetch, approach, storageLevel, saveUpdater, evalBatchSize,
                threadsPerTask, openblasCoretype, nativeBackend, progressInterval, validation, batchSizeByArchitecture,
                learningRateByArchitecture, gradientClip, gradientClipByArchitecture);
    }

    /** Minibatch size for one architecture (its own value, else the default). */
    public int batchSize(String architecture) {
        return batchSizeByArchitecture.getOrDefault(architecture, batchSize);
    }

    /** Adam learning rate for one architecture (its own value, else the default). */
    public double learningRate(String architecture) {
        return learningRateByArchitecture.getOrDefault(architecture, learningRate);
    }

    /** Epochs an architecture trains at most: max-epochs with validation, else epochs. */
    public int epochLimit() {
        return validation.enabled() ? validation.maxEpochs() : epochs;
    }

    /** The native environment part of these settings. */
    public ExecutorSettings executor() {
        return new ExecutorSettings(threadsPerTask, openblasCoretype, nativeBackend);
    }

    /** Minibatches per worker between averaging rounds for one architecture (its own value, else the default). */
    public int averagingFrequency(String architecture) {
        return averagingFrequencyByArchitecture.getOrDefault(architecture, averagingFrequency);
    }

    public static TrainSettings from(Config root, List<String> knownArchitectures) {
        String key = "reviewnet.train.";
        List<String> architectures = root.getStringList(key + "architectures");
        Settings.require(!architectures.isEmpty() && new HashSet<>(architectures).size() == architectures.size()
                        && knownArchitectures.containsAll(architectures), root, key + "architectures",
                "a non-empty list of distinct names from " + knownArchitectures + ", got " + architectures);
        double lr = root.getDouble(key + "learning-rate");
        Settings.require(lr > 0, root, key + "learning-rate", "a positive number, got " + lr);
        int workers = root.getInt(key + "workers");
        Settings.require(workers >= 0, root, key + "workers", "0 (Spark's default parallelism) or more, got " + workers);
        int prefetch = root.getInt(key + "prefetch");
        Settings.require(prefetch >= 0, root, key + "prefetch", "0 or more, got " + prefetch);
        String level = root.getString(key + "storage-level").trim().toUpperCase(Locale.ROOT);
        try {
            StorageLevel.fromString(level);
        } catch (IllegalArgumentException e) {
            Settings.require(false, root, key + "storage-level", "a Spark storage level such as MEMORY_ONLY or "
                    + "MEMORY_AND_DISK_SER, got '" + level + "'");
        }
        Map<String, Integer> byArchitecture = byArchitecture(root, key + "averaging-frequency-by-architecture",
                knownArchitectures, "a positive number of minibatches", Config::getInt, v -> v > 0);
        Map<String, Integer> batchSizes = byArchitecture(root, key + "batch-size-by-architecture",
                knownArchitectures, "a positive minibatch size", Config::getInt, v -> v > 0);
        Map<String, Double> learningRates = byArchitecture(root, key + "learning-rate-by-architecture",
                knownArchitectures, "a positive learning rate", Config::getDouble, v -> v > 0);
        double clip = root.getDouble(key + "gradient-clip");
        Settings.require(clip >= 0, root, key + "gradient-clip", "0 (no clipping) or a positive L2 norm, got " + clip);
        Map<String, Double> clips = byArchitecture(root, key + "gradient-clip-by-architecture",
                knownArchitectures, "0 (no clipping) or a positive L2 norm", Config::getDouble, v -> v >= 0);
        ExecutorSettings executor = ExecutorSettings.from(root);
        return new TrainSettings(architectures, Settings.positiveInt(root, key + "epochs"), root.getLong(key + "seed"),
                lr, Settings.positiveInt(root, key + "batch-size"), workers,
                Settings.positiveInt(root, key + "averaging-frequency"), byArchitecture, prefetch,
                Settings.enumValue(root, key + "approach", Approach.class), level,
                root.getBoolean(key + "save-updater"), Settings.positiveInt(root, key + "eval-batch-size"),
                executor.threadsPerTask(), executor.openblasCoretype(), executor.nativeBackend(),
                Settings.positiveDuration(root, key + "progress-interval"), ValidationSettings.from(root), batchSizes,
                learningRates, clip, clips);
    }

    /** A map of per-architecture values under {@code path}: every key a known architecture, every value valid. */
    private static <T> Map<String, T> byArchitecture(Config root, String path, List<String> knownArchitectures,
                                                     String expected,
                                                     java.util.function.BiFunction<Config, String, T> read,
                                                     java.util.function.Predicate<T> valid) {
        Map<String, T> values = new TreeMap<>();
        for (String name : root.getConfig(path).root().keySet()) {
            String key = path + "." + ConfigUtil.quoteString(name);
            Settings.require(knownArchitectures.contains(name), root, key,
                    "an architecture from " + knownArchitectures + ", got '" + name + "'");
            T value = read.apply(root, key);
            Settings.require(valid.test(value), root, key, expected + ", got " + value);
            values.put(name, value);
        }
        return values;
    }
}

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
                            String nativeBackend, java.time.Duration progressInterval)
        implements Serializable {

    public enum Approach { AUTO, EXPORT, DIRECT }

    public TrainSettings {
        architectures = List.copyOf(architectures);
        averagingFrequencyByArchitecture = Map.copyOf(averagingFrequencyByArchitecture);
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
        Map<String, Integer> byArchitecture = new TreeMap<>();
        Config overrides = root.getConfig(key + "averaging-frequency-by-architecture");
        for (String name : overrides.root().keySet()) {
            String path = key + "averaging-frequency-by-architecture." + ConfigUtil.quoteString(name);
            Settings.require(knownArchitectures.contains(name), root, path,
                    "an architecture from " + knownArchitectures + ", got '" + name + "'");
            int value = root.getInt(path);
            Settings.require(value > 0, root, path, "a positive number of minibatches, got " + value);
            byArchitecture.put(name, value);
        }
        ExecutorSettings executor = ExecutorSettings.from(root);
        return new TrainSettings(architectures, Settings.positiveInt(root, key + "epochs"), root.getLong(key + "seed"),
                lr, Settings.positiveInt(root, key + "batch-size"), workers,
                Settings.positiveInt(root, key + "averaging-frequency"), byArchitecture, prefetch,
                Settings.enumValue(root, key + "approach", Approach.class), level,
                root.getBoolean(key + "save-updater"), Settings.positiveInt(root, key + "eval-batch-size"),
                executor.threadsPerTask(), executor.openblasCoretype(), executor.nativeBackend(),
                Settings.positiveDuration(root, key + "progress-interval"));
    }
}

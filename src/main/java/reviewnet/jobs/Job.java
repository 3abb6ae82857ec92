package reviewnet.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import reviewnet.config.CompareSettings;
import reviewnet.config.CorpusGeneratorSettings;
import reviewnet.config.PredictSettings;
import reviewnet.config.RetrainSettings;
import reviewnet.config.PrepareSettings;

/** One runnable job: its settings are built (and so validated) before Spark starts; it only wires stages. */
public interface Job {

    void execute(SparkSession spark);

    /** Adds what the job needs to the Spark configuration before the session starts. */
    default void configure(SparkConf conf) {
    }

    /** The paths the job reads or writes, checked before the session starts ({@code reviewnet.spark.ClusterPreflight}). */
    default List<PathSetting> paths() {
        return List.of();
    }

    /**
     * A path setting of a job: an {@code input} must exist when the job starts; the other paths are written, or read
     * when present (the prepared data), so only their file system must answer.
     */
    record PathSetting(String key, String path, boolean input) {
        public static PathSetting input(String key, String path) {
            return new PathSetting(key, path, true);
        }

        public static PathSetting other(String key, String path) {
            return new PathSetting(key, path, false);
        }
    }

    /** The job named by {@code reviewnet.job}, with its settings built eagerly from the resolved configuration. */
    static Job create(Config config) {
        String name = config.getString("reviewnet.job");
        return switch (name) {
            case "prepare" -> new PrepareJob(PrepareSettings.from(config));
            case "compare" -> new CompareJob(CompareSettings.from(config), name);
            case "retrain" -> new RetrainJob(RetrainSettings.from(config), name);
            case "predict" -> new PredictJob(PredictSettings.from(config));
            case "make-corpus" -> new MakeCorpusJob(CorpusGeneratorSettings.from(config));
            default -> throw new ConfigException.BadValue(config.getValue("reviewnet.job").origin(), "reviewnet.job",
                    "expected one of [prepare, compare, retrain, predict, make-corpus], got '" + name + "'");
        };
    }
}

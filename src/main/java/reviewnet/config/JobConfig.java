package reviewnet.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads a job's configuration: {@code key=value} overrides, then the job file (which includes conf/application.conf),
 * then {@code reference.conf}. Validated eagerly: a wrong type, a missing key or an unknown key under
 * {@value #ROOT} fails here, before Spark starts, with the key and what was expected.
 */
public final class JobConfig {
    public static final String ROOT = "reviewnet";

    private JobConfig() {
    }

    public static Config load(Path jobFile, List<String> overrides) {
        if (!Files.isRegularFile(jobFile)) {
            throw new ConfigException.Generic("job file " + jobFile.toAbsolutePath()
                    + " does not exist or is not a file; expected a HOCON job definition such as jobs/prepare.conf");
        }
        Config job = ConfigFactory.parseFile(jobFile.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        return resolve(parseOverrides(overrides).withFallback(job));
    }

    /** A configuration resolved elsewhere (e.g. by submit.sh) and passed as a JVM/Spark property, then overrides. */
    public static Config fromProperty(String property, List<String> overrides) {
        String text = System.getProperty(property);
        if (text == null || text.isBlank()) {
            throw new ConfigException.Generic("JOB_FILE '-' needs the resolved configuration in the Spark property "
                    + property + " (submit-scripts/submit.sh sets it in cluster deploy mode)");
        }
        return resolve(parseOverrides(overrides).withFallback(ConfigFactory.parseString(text,
                ConfigParseOptions.defaults().setOriginDescription(property))));
    }

    /** Overrides (highest precedence) on top of reference.conf, resolved and validated. */
    public static Config resolve(Config userConfig) {
        Config reference = ConfigFactory.defaultReference();
        Config merged = userConfig.withFallback(reference).resolve();
        merged.checkValid(reference, ROOT);
        rejectUnknownKeys(merged, reference);
        return merged;
    }

    /** Parses {@code key=value} arguments. Lists and objects are HOCON; everything else is taken as a plain string. */
    public static Config parseOverrides(List<String> overrides) {
        Config result = ConfigFactory.empty();
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException.Generic("bad override '" + override + "': expected key=value, e.g. "
                        + ROOT + ".sequence.length=200");
            }
            String key = override.substring(0, eq).trim();
            String value = override.substring(eq + 1).trim();
            if (!key.startsWith(ROOT + ".")) {
                throw new ConfigException.Generic("bad override '" + override + "': keys must start with '" + ROOT
                        + ".' (Spark settings go to spark-submit as --conf)");
            }
            Config one;
            if (value.startsWith("[") || value.startsWith("{")) {
                try {
                    one = ConfigFactory.parseString(key + " = " + value);
                } catch (ConfigException e) {
                    throw new ConfigException.Generic("bad override '" + override + "': " + e.getMessage(), e);
                }
            } else {
                one = ConfigFactory.empty().withValue(key, ConfigValueFactory.fromAnyRef(value, "override " + key));
            }
            result = one.withFallback(result);
        }
        return result;
    }

    private static void rejectUnknownKeys(Config merged, Config reference) {
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, ?> entry : merged.getConfig(ROOT).entrySet()) {
            String key = ROOT + "." + entry.getKey();
            if (!reference.hasPathOrNull(key) && !underFreeFormObject(key, reference)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException.Generic("unknown setting(s) " + unknown
                    + ": every key must be one of those documented in reference.conf");
        }
    }

    /**
     * Objects whose keys are free accept any key below them: Spark SQL settings, and every per-architecture map of
     * {@code reviewnet.train} (whose keys TrainSettings checks against the known architectures; before, only the
     * averaging frequencies were free, so {@code learning-rate-by-architecture.gru=...} was refused as unknown).
     */
    private static boolean underFreeFormObject(String key, Config reference) {
        for (String freeForm : List.of(ROOT + ".spark.sql-conf", ROOT + ".train.averaging-frequency-by-architecture",
                ROOT + ".train.batch-size-by-architecture", ROOT + ".train.learning-rate-by-architecture",
                ROOT + ".train.gradient-clip-by-architecture")) {
            if (key.startsWith(freeForm + ".") && reference.hasPath(freeForm)) {
                return true;
            }
        }
        return false;
    }
}

package reviewnet.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Helpers shared by the settings records: typed reads with messages that name the key and what was expected. */
final class Settings {
    private Settings() {
    }

    static <E extends Enum<E>> E enumValue(Config config, String key, Class<E> type) {
        String raw = config.getString(key);
        for (E constant : type.getEnumConstants()) {
            if (name(constant).equals(raw.trim().toLowerCase(Locale.ROOT))) {
                return constant;
            }
        }
        throw new ConfigException.BadValue(config.getValue(key).origin(), key, "expected one of "
                + Arrays.stream(type.getEnumConstants()).map(Settings::name).collect(Collectors.joining(", ", "[", "]"))
                + ", got '" + raw + "'");
    }

    static String name(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A run id: empty (generate one) or a folder name of letters, digits, '.', '_' and '-'. */
    static String runId(Config config, String key) {
        String runId = config.getString(key).trim();
        require(runId.isEmpty() || runId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}"), config, key,
                "letters, digits, '.', '_' or '-' (a folder name), got '" + runId + "'");
        return runId;
    }

    static int positiveInt(Config config, String key) {
        int value = config.getInt(key);
        require(value > 0, config, key, "a positive integer, got " + value);
        return value;
    }

    static java.time.Duration positiveDuration(Config config, String key) {
        java.time.Duration value = config.getDuration(key);
        require(!value.isNegative() && !value.isZero(), config, key, "a positive duration such as 10s, got " + value);
        return value;
    }

    static void require(boolean condition, Config config, String key, String expected) {
        if (!condition) {
            throw new ConfigException.BadValue(config.getValue(key).origin(), key, "expected " + expected);
        }
    }
}

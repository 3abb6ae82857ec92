package reviewnet.config;

import com.typesafe.config.Config;
import java.util.Map;
import java.util.TreeMap;

/** The Spark session the job creates ({@code reviewnet.spark}). */
public record SparkSettings(String master, String appName, Map<String, String> sqlConf,
                            java.time.Duration executorWait) {

    public SparkSettings {
        sqlConf = Map.copyOf(sqlConf);
    }

    public static SparkSettings from(Config root) {
        Config c = root.getConfig("reviewnet.spark");
        Map<String, String> sql = new TreeMap<>();
        Config sqlConf = c.getConfig("sql-conf");
        for (var entry : sqlConf.root().entrySet()) {
            sql.put(entry.getKey(), String.valueOf(entry.getValue().unwrapped()));
        }
        return new SparkSettings(c.getString("master"), c.getString("app-name"), sql, c.getDuration("executor-wait"));
    }
}

package reviewnet;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import reviewnet.config.SparkSettings;

/** Builds the job's Spark session: spark-submit's master wins; otherwise {@code reviewnet.spark.master}. */
public final class SparkSessions {
    private SparkSessions() {
    }

    public static SparkSession create(SparkSettings settings) {
        SparkSession.Builder builder = SparkSession.builder().appName(settings.appName());
        if (!new SparkConf().contains("spark.master")) {
            builder.master(settings.master());
        }
        settings.sqlConf().forEach(builder::config);
        return builder.getOrCreate();
    }
}

package reviewnet;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import reviewnet.config.SparkSettings;
import reviewnet.jobs.Job;

/** Builds the job's Spark session: spark-submit's master wins; otherwise {@code reviewnet.spark.master}. */
public final class SparkSessions {
    private SparkSessions() {
    }

    public static SparkSession create(SparkSettings settings, Job job) {
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) {
            conf.setMaster(settings.master());
        }
        job.configure(conf);
        SparkSession.Builder builder = SparkSession.builder().appName(settings.appName()).config(conf);
        settings.sqlConf().forEach(builder::config);
        return builder.getOrCreate();
    }
}

package reviewnet.spark;

import java.time.Duration;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.config.SparkSettings;
import reviewnet.jobs.Job;

/**
 * Builds the job's Spark session: spark-submit's master wins; otherwise {@code reviewnet.spark.master}. The job's paths
 * and the master are checked first ({@link ClusterPreflight}).
 *
 * <p>Exposure ({@link #exposure}): the UI's kill links are off unless {@code spark.ui.killEnabled} is set. A local
 * master listens on loopback only: the driver binds to 127.0.0.1 unless {@code spark.driver.bindAddress} or
 * {@code spark.driver.host} is set, and the UI, which Spark binds to {@code SPARK_LOCAL_IP} or else to every address,
 * runs only when {@code SPARK_LOCAL_IP} is set (submit.sh sets 127.0.0.1 for local masters unless the operator set
 * it) or {@code spark.ui.enabled} is set explicitly. The UI's address is logged once.
 */
public final class SparkSessions {
    private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);
    static final String LOOPBACK = "127.0.0.1";

    private SparkSessions() {
    }

    /** Sets what {@code conf} leaves open to the exposure rules above; {@code localIp}: SPARK_LOCAL_IP or null. */
    static void exposure(SparkConf conf, String localIp) {
        conf.setIfMissing("spark.ui.killEnabled", "false");
        if (!conf.get("spark.master", "").startsWith("local")) {
            return;
        }
        boolean noLocalIp = localIp == null || localIp.isBlank();
        if (!conf.contains("spark.driver.bindAddress") && !conf.contains("spark.driver.host")) {
            String address = noLocalIp ? LOOPBACK : localIp;
            conf.set("spark.driver.bindAddress", address).set("spark.driver.host", address);
        }
        if (noLocalIp && !conf.contains("spark.ui.enabled")) {
            LOG.info("Spark UI off: it would listen on every address (start through submit-scripts/submit.sh, or set "
                    + "SPARK_LOCAL_IP, or spark.ui.enabled=true to have it anyway)");
            conf.set("spark.ui.enabled", "false");
        }
    }

    public static SparkSession create(SparkSettings settings, Job job) {
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) {
            conf.setMaster(settings.master());
        }
        job.configure(conf);
        exposure(conf, System.getenv("SPARK_LOCAL_IP"));
        ClusterPreflight.check(conf, job.paths());
        SparkSession.Builder builder = SparkSession.builder().appName(settings.appName()).config(conf);
        settings.sqlConf().forEach(builder::config);
        SparkSession spark = builder.getOrCreate();
        if (spark.sparkContext().uiWebUrl().isDefined()) {
            LOG.info("Spark UI: {}", spark.sparkContext().uiWebUrl().get());
        }
        try {
            awaitExecutors(spark, settings.executorWait());
        } catch (RuntimeException e) {
            spark.stop();
            throw e;
        }
        return spark;
    }

    /**
     * On a cluster master, waits for the first executor: when no worker can offer what the application asks for,
     * Spark would otherwise wait forever ("Initial job has not accepted any resources").
     */
    static void awaitExecutors(SparkSession spark, Duration timeout) {
        SparkContext sc = spark.sparkContext();
        if (sc.isLocal()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (sc.statusTracker().getExecutorInfos().length < 2) { // the driver counts as one
            if (sc.isStopped()) {
                // e.g. the standalone client gave up registering ("All masters are unresponsive! Giving up."):
                // waiting on would end in the message below, which blames the workers
                throw new ClusterException("the cluster manager ended the application on " + sc.master() + " before "
                        + "any executor started: see the log for the reason (e.g. 'All masters are unresponsive': the "
                        + "master and the application disagree on spark.authenticate or its secret)");
            }
            if (System.nanoTime() > deadline) {
                SparkConf conf = sc.getConf();
                throw new ClusterException("no executor started on " + sc.master() + " within " + timeout.toSeconds()
                        + " s: no worker offers what the application asks for (spark.executor.memory="
                        + conf.get("spark.executor.memory", "1g") + ", spark.executor.cores="
                        + conf.get("spark.executor.cores", "all free cores") + "), or the workers cannot reach "
                        + "this driver; check the cluster's free resources (reviewnet.spark.executor-wait)");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException("interrupted while waiting for executors");
            }
        }
    }

    /** The cluster cannot run the application. */
    public static final class ClusterException extends RuntimeException {
        public ClusterException(String message) {
            super(message);
        }
    }
}

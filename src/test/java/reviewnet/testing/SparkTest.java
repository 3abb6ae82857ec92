package reviewnet.testing;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One local[2] Spark session per test class, serializing with Kryo as the jobs do. */
public abstract class SparkTest {
    protected static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("reviewnet-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.files.openCostInBytes", "8192")
                // as the jobs run (CompareJob.configure): what crosses task boundaries must survive Kryo
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.kryo.registrator", "reviewnet.train.BulkNDArraySerializer$Registrator")
                .getOrCreate();
    }

    /**
     * Stops the class's session and starts a fresh one (a new SparkContext) in its place, for tests of what a later,
     * separate Spark job sees; the class's remaining tests use the new one.
     */
    protected static void restartSpark() {
        stopSpark();
        startSpark();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
            spark = null;
        }
    }
}

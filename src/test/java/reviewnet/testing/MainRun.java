package reviewnet.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import reviewnet.Main;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code reviewnet.Main} run in the test JVM: its exit status, what it printed on stderr, and how long it took. */
public record MainRun(int status, String printed, double seconds) {

    public static MainRun of(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long started = System.nanoTime();
        int status;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            status = new CommandLine(new Main()).execute(args);
        } finally {
            System.setErr(saved);
        }
        return new MainRun(status, err.toString(StandardCharsets.UTF_8), (System.nanoTime() - started) / 1e9);
    }

    /** Bad input is refused before a Spark session exists (or after it was stopped again). */
    public static void assertNoSparkSession() {
        assertTrue(SparkSession.getDefaultSession().isEmpty()
                || SparkSession.getDefaultSession().get().sparkContext().isStopped(), "no Spark session is running");
    }
}

package reviewnet;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Invalid settings fail with exit status 2 and a message naming the problem, before any Spark session exists. */
class MainTest {
    static Stream<Arguments> badInvocations() {
        return Stream.of(
                arguments(new String[] {"jobs/missing.conf"}, "jobs/missing.conf does not exist"),
                arguments(new String[] {"jobs/prepare.conf", "reviewnet.sequence.padding=both"},
                        "expected one of [pre, post], got 'both'"),
                arguments(new String[] {"jobs/prepare.conf", "reviewnet.job=train-everything"},
                        "Invalid value at 'reviewnet.job': expected one of [prepare, compare, retrain, predict, make-corpus], got 'train-everything'"),
                arguments(new String[] {"jobs/prepare.conf", "sequence.length=3"}, "keys must start with"),
                arguments(new String[] {"jobs/prepare.conf", "reviewnet.vocab.sise=3"},
                        "unknown setting(s) [reviewnet.vocab.sise]"),
                arguments(new String[] {"jobs/make-corpus.conf", "reviewnet.make-corpus.reviews=1002"},
                        "'reviewnet.make-corpus.reviews': expected a positive multiple of 4"),
                arguments(new String[] {"jobs/make-corpus.conf", "reviewnet.make-corpus.format=csv"},
                        "expected one of [parquet, folders], got 'csv'"),
                arguments(new String[] {"jobs/make-corpus.conf", "reviewnet.make-corpus.filler-share=1"},
                        "'reviewnet.make-corpus.filler-share': expected a share in [0, 1)"));
    }

    @ParameterizedTest
    @MethodSource("badInvocations")
    void badSettingsExitWithStatusTwoBeforeSparkStarts(String[] args, String message) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            status = new CommandLine(new Main()).execute(args);
        } finally {
            System.setErr(saved);
        }
        String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, status, printed);
        assertTrue(printed.contains(message), printed);
        assertTrue(SparkSession.getDefaultSession().isEmpty()
                || SparkSession.getDefaultSession().get().sparkContext().isStopped(), "no Spark session is running");
    }
}

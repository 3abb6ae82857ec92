package reviewnet;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reviewnet.testing.MainRun;

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
        MainRun run = MainRun.of(args);
        assertEquals(2, run.status(), run.printed());
        assertTrue(run.printed().contains(message), run.printed());
        MainRun.assertNoSparkSession();
    }
}

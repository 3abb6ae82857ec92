package reviewnet.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reviewnet.eval.ResultRow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Retrain's challenger is chosen on validation data only: rows of (versions as name:validation:test accuracy, the
 * version that must be selected). A version better on test by chance but not on validation is not selected.
 */
class ChallengerSelectionTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // better on test by chance (0.90), worse on validation: not selected
        "lucky:0.80:0.90 steady:0.84:0.86 | steady",
        "steady:0.84:0.86 lucky:0.80:0.90 | steady",
        // the best on validation is chosen even when it is the worst on test
        "a:0.70:0.88 b:0.75:0.70 c:0.72:0.89 | b",
        // ties on validation: the first listed
        "a:0.80:0.70 b:0.80:0.90 | a",
        // one version: that one (no choice is made)
        "only:NaN:0.75 | only",
    })
    void choosesTheBestValidationAccuracy(String versions, String expected) {
        assertEquals(expected, RetrainJob.select(parse(versions)).version());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"a:NaN:0.80 b:0.80:0.70", "a:0.80:0.80 b:NaN:0.90"})
    void refusesToChooseAmongVersionsWithoutValidation(String versions) {
        assertThrows(IllegalStateException.class, () -> RetrainJob.select(parse(versions)));
    }

    static List<RetrainJob.TrainedVersion> parse(String versions) {
        List<RetrainJob.TrainedVersion> out = new ArrayList<>();
        for (String v : versions.trim().split("\\s+")) {
            String[] p = v.split(":");
            Double validation = p[1].equals("NaN") ? null : Double.valueOf(p[1]);
            double test = Double.parseDouble(p[2]);
            ResultRow row = new ResultRow("run", Instant.EPOCH, "retrain", p[0], 1, 42, 32, 1e-3, 20, 2, "export",
                    128, 128, 0.2, 64, 5, 4, 20000, 100, 1, "local[2]", "fp", 100, 100, test, 0, 0, 0, 0.5, 0.7, 0, 0,
                    0, 0, 1, 1, 1, "file:/m", "{}", "0", 1, 1, validation, validation == null ? null : 0.5, "[]", 1);
            out.add(new RetrainJob.TrainedVersion(p[0], test, 1, 0, row));
        }
        return out;
    }
}

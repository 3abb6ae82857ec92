package reviewnet.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reviewnet.testing.SparkTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Metrics of a split held by the executors: the driver way ({@link Metrics#of} on every pair) and the executor way
 * (merged per-block evaluations, distributed rank AUC) agree, and the rank AUC is the textbook one.
 */
class SplitMetricsTest extends SparkTest {

    static JavaRDD<Scores> blocks(float[] p, float[] y, int blocks) {
        List<Scores> out = new ArrayList<>();
        int per = (p.length + blocks - 1) / blocks;
        for (int from = 0; from < p.length; from += per) {
            int to = Math.min(p.length, from + per);
            out.add(new Scores(java.util.Arrays.copyOfRange(p, from, to), java.util.Arrays.copyOfRange(y, from, to)));
        }
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(out, out.size());
    }

    static Stream<Arguments> aucFixtures() {
        return Stream.of(
                // probabilities, labels, AUC (pairs positive-above-negative, ties one half, over all pairs)
                arguments(new float[] {0.1f, 0.4f, 0.35f, 0.8f}, new float[] {0, 0, 1, 1}, 0.75),
                arguments(new float[] {0.5f, 0.5f}, new float[] {0, 1}, 0.5),
                arguments(new float[] {0.9f, 0.2f, 0.9f, 0.2f, 0.95f}, new float[] {1, 0, 0, 1, 1}, 4.0 / 6),
                arguments(new float[] {0.3f, 0.7f, 0.2f, 0.8f, 0.1f}, new float[] {0, 1, 0, 1, 0}, 1.0),
                arguments(new float[] {0.7f, 0.3f, 0.8f, 0.2f}, new float[] {0, 1, 0, 1}, 0.0));
    }

    @ParameterizedTest
    @MethodSource("aucFixtures")
    void bothRankAucsCountPositivesAboveNegativesWithTiesAsOneHalf(float[] p, float[] y, double auc) {
        long positives = 0;
        for (float label : y) {
            positives += label > 0.5f ? 1 : 0;
        }
        assertEquals(auc, SplitMetrics.rankAuc(blocks(p, y, 2), positives, y.length - positives), 1e-12);
        assertEquals(auc, Metrics.rankAuc(p, y), 1e-12);
    }

    @Test
    void executorsAndDriverGiveTheSameMetrics() {
        Random random = new Random(11);
        int n = 20_011;
        float[] p = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextBoolean() ? 1 : 0;
            // a weak signal, many ties (probabilities in steps of 1/500) and both clipping ends of the loss
            double raw = Math.min(1, Math.max(0, 0.5 + 0.3 * (y[i] - 0.5) + random.nextGaussian() * 0.3));
            p[i] = i % 97 == 0 ? (float) raw : Math.round(raw * 500) / 500f;
        }
        Metrics driver = Metrics.of(p, y, 0);
        Metrics viaDriver = SplitMetrics.of(blocks(p, y, 5), System.nanoTime(), n);
        Metrics viaExecutors = SplitMetrics.of(blocks(p, y, 5), System.nanoTime(), n - 1);
        for (Metrics m : List.of(viaDriver, viaExecutors)) {
            assertEquals(List.of(driver.examples(), driver.tp(), driver.fp(), driver.tn(), driver.fn()),
                    List.of(m.examples(), m.tp(), m.fp(), m.tn(), m.fn()));
            assertEquals(driver.accuracy(), m.accuracy(), 1e-15);
            assertEquals(driver.precision(), m.precision(), 1e-15);
            assertEquals(driver.recall(), m.recall(), 1e-15);
            assertEquals(driver.f1(), m.f1(), 1e-15);
            assertEquals(driver.loss(), m.loss(), 1e-12);
            assertEquals(driver.auc(), m.auc(), 1e-12);
        }
        assertEquals(n, driver.examples());
        // not a degenerate fixture: a real, imperfect classifier
        org.junit.jupiter.api.Assertions.assertTrue(driver.auc() > 0.6 && driver.auc() < 0.95, "AUC " + driver.auc());
    }
}

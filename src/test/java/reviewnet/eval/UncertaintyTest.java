package reviewnet.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparison statistics against reference computations. */
class UncertaintyTest {

    /**
     * McNemar's exact two-sided p on discordant counts (b, c): the reference is 2·P(X ≤ min(b, c)), X ~ Bin(b + c,
     * 1/2), capped at 1, computed with exact integer binomial coefficients (Python's math.comb), as R's
     * {@code binom.test(min(b, c), b + c)} gives.
     */
    @ParameterizedTest
    @CsvSource({
        "10, 2, 0.03857421875",
        "2, 10, 0.03857421875",
        "5, 5, 1.0",
        "0, 0, 1.0",
        "25, 10, 0.01667384780012071",
        "0, 7, 0.015625",
        "130, 100, 0.055613577781392386",
        "1, 0, 1.0",
    })
    void mcnemarExactMatchesTheBinomialReference(long b, long c, double expected) {
        assertEquals(expected, Uncertainty.mcnemarExactP(b, c), 1e-12);
    }

    @Test
    void discordantCountsReviewsWhereExactlyOneIsRight() {
        float[] labels = {1, 1, 0, 0, 1};
        // first right on 0, 1, 2 (0.5 counts as positive), wrong on 3, 4; second right on 0, 3, 4
        Uncertainty.Model first = model("a", 1, new float[]{0.9f, 0.5f, 0.2f, 0.7f, 0.1f}, labels);
        Uncertainty.Model second = model("b", 1, new float[]{0.6f, 0.4f, 0.6f, 0.3f, 0.8f}, labels);
        long[] bc = Uncertainty.discordant(first, second);
        assertEquals(2, bc[0]);
        assertEquals(2, bc[1]);
    }

    /**
     * One repeat: the bootstrap interval covers test sampling only, so on 2,000 reviews with 1,700 right it must agree
     * with the Wilson score interval (0.83368, 0.86498; Python reference) to within 0.003 at either end.
     */
    @Test
    void oneRepeatIntervalMatchesWilson() {
        int n = 2000;
        float[] labels = new float[n];
        float[] p = new float[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            boolean right = i < 1700;
            p[i] = right == (labels[i] > 0.5f) ? 0.9f : 0.1f;
        }
        Uncertainty.Summary s = Uncertainty.summarize(List.of(model("conv", 1, p, labels)), 4000, 7).get(0);
        assertEquals(0.85, s.accuracyMean(), 1e-12);
        assertNull(s.accuracySd());
        assertEquals(0.8336805918528312, s.accuracy().low(), 0.003);
        assertEquals(0.8649774750502917, s.accuracy().high(), 0.003);
        assertEquals(Uncertainty.BOOTSTRAP_REVIEWS, s.intervalMethod());
    }

    /**
     * Several repeats: the two-stage bootstrap's interval must be as wide as the reference normal interval whose
     * variance adds the seed spread and the test sampling: (R-1)/R · s²/R + p̄(1-p̄)/n (the bootstrap's plug-in variance
     * of a mean of R resampled repeats plus the binomial variance of one accuracy on n reviews); within 15% of its
     * half-width, centred on the mean within 0.002.
     */
    @Test
    void severalRepeatsIntervalMatchesTheTwoStageVariance() {
        int n = 5000;
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
        }
        double[] accuracies = {0.80, 0.84, 0.70, 0.86, 0.78};
        List<Uncertainty.Model> models = new ArrayList<>();
        Random random = new Random(3);
        for (int r = 0; r < accuracies.length; r++) {
            models.add(model("simple-rnn", r + 1, withAccuracy(labels, accuracies[r], random), labels));
        }
        Uncertainty.Summary s = Uncertainty.summarize(models, 4000, 11).get(0);
        double mean = java.util.Arrays.stream(accuracies).average().orElseThrow();
        double s2 = java.util.Arrays.stream(accuracies).map(a -> (a - mean) * (a - mean)).sum() / (accuracies.length - 1);
        int rCount = accuracies.length;
        double variance = (rCount - 1.0) / rCount * s2 / rCount + mean * (1 - mean) / n;
        double halfWidth = 1.959963984540054 * Math.sqrt(variance);
        assertEquals(mean, s.accuracyMean(), 1e-4);
        assertEquals(Math.sqrt(s2), s.accuracySd(), 1e-4);
        double width = (s.accuracy().high() - s.accuracy().low()) / 2;
        assertEquals(halfWidth, width, 0.15 * halfWidth, "half-width " + width + " vs reference " + halfWidth);
        assertEquals(mean, (s.accuracy().high() + s.accuracy().low()) / 2, 0.01);
        assertEquals(Uncertainty.BOOTSTRAP_SEEDS_AND_REVIEWS, s.intervalMethod());
    }

    /** The AUC on all reviews equals Metrics' rank AUC; the AUC interval contains it. */
    @Test
    void aucMatchesTheRankStatistic() {
        Random random = new Random(5);
        int n = 3000;
        float[] labels = new float[n];
        float[] p = new float[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextBoolean() ? 1 : 0;
            // rounded to two decimals: many ties
            p[i] = Math.round(Math.min(1, Math.max(0, 0.5 + (labels[i] - 0.5) * 0.4 + random.nextGaussian() * 0.3))
                    * 100) / 100f;
        }
        Uncertainty.Summary s = Uncertainty.summarize(List.of(model("gru", 1, p, labels)), 500, 1).get(0);
        assertEquals(Metrics.rankAuc(p, labels), s.aucMean(), 1e-12);
        assertTrue(s.auc().contains(s.aucMean()), s.auc() + " vs " + s.aucMean());
    }

    /**
     * Against the best: with one repeat each, p is McNemar's on the two models' discordant reviews; a clearly worse
     * model gets p below 0.05 and an interval of the difference below 0; a copy of the best cannot be told apart.
     */
    @Test
    void againstTheBestOneRepeatUsesMcNemar() {
        int n = 4000;
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
        }
        Random random = new Random(9);
        float[] best = withAccuracy(labels, 0.86, random);
        float[] worse = withAccuracy(labels, 0.80, random);
        List<Uncertainty.Summary> s = Uncertainty.summarize(List.of(model("worse", 1, worse, labels),
                model("best", 1, best, labels), model("copy", 1, best.clone(), labels)), 1000, 2);
        Uncertainty.Summary w = s.get(0);
        assertEquals("best", w.best());
        assertEquals("worse", w.architecture());
        long[] bc = Uncertainty.discordant(model("worse", 1, worse, labels), model("best", 1, best, labels));
        assertEquals(Uncertainty.mcnemarExactP(bc[0], bc[1]), w.pVsBest(), 1e-15);
        assertEquals(Uncertainty.MCNEMAR, w.testMethod());
        assertTrue(w.pVsBest() < 0.05);
        assertTrue(w.difference().high() < 0);
        assertEquals(w.accuracyMean() - s.get(1).accuracyMean(), w.differenceVsBest(), 1e-12);
        assertTrue(w.difference().contains(w.differenceVsBest()));
        assertEquals(1.0, s.get(1).pVsBest());
        assertEquals(1.0, s.get(2).pVsBest());
        assertTrue(s.get(2).indistinguishableFromBest(0.05));
    }

    /** Models evaluated on different reviews cannot be compared. */
    @Test
    void refusesModelsOnDifferentReviews() {
        assertThrows(IllegalArgumentException.class, () -> Uncertainty.summarize(List.of(
                model("a", 1, new float[]{0.1f, 0.9f}, new float[]{0, 1}),
                model("b", 1, new float[]{0.1f, 0.9f, 0.5f}, new float[]{0, 1, 1})), 100, 1));
        assertThrows(IllegalArgumentException.class, () -> Uncertainty.summarize(List.of(
                model("a", 1, new float[]{0.1f, 0.9f}, new float[]{0, 1}),
                model("b", 1, new float[]{0.1f, 0.9f}, new float[]{1, 0})), 100, 1));
    }

    /** Probabilities right on a random {@code accuracy} share of the reviews (exactly that many). */
    static float[] withAccuracy(float[] labels, double accuracy, Random random) {
        int n = labels.length;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, random);
        float[] p = new float[n];
        int right = (int) Math.round(accuracy * n);
        for (int k = 0; k < n; k++) {
            int i = order.get(k);
            boolean correct = k < right;
            float confidence = 0.55f + 0.4f * random.nextFloat();
            p[i] = correct == (labels[i] > 0.5f) ? confidence : 1 - confidence;
        }
        return p;
    }

    static Uncertainty.Model model(String architecture, int repeat, float[] p, float[] labels) {
        return new Uncertainty.Model(architecture, repeat, 42 + repeat - 1, null, p, labels);
    }
}

package reviewnet.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * How sure a comparison is: per architecture the spread of its repeats and a 95% interval, and against the best
 * architecture the accuracy difference with an interval and a p-value, all from the per-review test predictions of
 * every model (the same test reviews for all, threshold 0.5).
 *
 * <ul>
 *   <li><b>Intervals</b>: a percentile bootstrap that resamples the test reviews (one multinomial draw per replicate,
 *   shared by every model, so differences stay paired review by review) and, per architecture, its repeats (seeds)
 *   with replacement; a replicate's statistic is the mean over the drawn repeats of each one's accuracy (or AUC) on the
 *   drawn reviews. With one repeat this covers test sampling only; with several, seed spread and test sampling
 *   together (the two-stage, or hierarchical, bootstrap).</li>
 *   <li><b>p-value against the best</b> (highest mean test accuracy): when both have one repeat, McNemar's exact
 *   two-sided test on the reviews where exactly one of them is right ({@link #mcnemarExactP}); otherwise the
 *   bootstrap's two-sided percentile p-value of the difference, {@code 2·min(P*(d ≤ 0), P*(d ≥ 0))}, floored at
 *   {@code 1/replicates}, which is the interval inverted.</li>
 * </ul>
 * Distributions come from Apache Commons Math; the resampling is seeded, so a summary is reproducible.
 */
public final class Uncertainty {
    /** Two-stage bootstrap label, as it appears in the summary table and the README. */
    public static final String BOOTSTRAP_SEEDS_AND_REVIEWS = "bootstrap over seeds and test reviews";
    public static final String BOOTSTRAP_REVIEWS = "bootstrap over test reviews (test sampling only)";
    public static final String MCNEMAR = "McNemar exact";

    private Uncertainty() {
    }

    /**
     * One evaluated model: its probabilities and labels for the test reviews, in one order common to all models of a
     * comparison (by review id).
     */
    public record Model(String architecture, int repeat, long seed, Double validationAccuracy, float[] probabilities,
                        float[] labels) {
        public Model {
            if (probabilities.length != labels.length) {
                throw new IllegalArgumentException("expected as many probabilities as labels, got "
                        + probabilities.length + " and " + labels.length);
            }
        }

        boolean correct(int review) {
            return (probabilities[review] >= 0.5f) == (labels[review] > 0.5f);
        }
    }

    public record Interval(double low, double high) {
        public boolean contains(double value) {
            return low <= value && value <= high;
        }
    }

    /** The summary of one architecture (statistics over its repeats and the comparison with the best one). */
    public record Summary(String architecture, int repeats, double accuracyMean, Double accuracySd, double accuracyMin,
                          double accuracyMax, Interval accuracy, double aucMean, Double aucSd, double aucMin,
                          double aucMax, Interval auc, String best, double differenceVsBest, Interval difference,
                          double pVsBest, String intervalMethod, String testMethod, Double validationAccuracyMean) {
        /** Whether this architecture cannot be told apart from the best at level {@code alpha}. */
        public boolean indistinguishableFromBest(double alpha) {
            return !architecture.equals(best) && pVsBest >= alpha;
        }
    }

    /** McNemar's exact two-sided test: b, c = reviews only the first / only the second model got right. */
    public static double mcnemarExactP(long b, long c) {
        if (b < 0 || c < 0) {
            throw new IllegalArgumentException("discordant counts must be non-negative, got " + b + ", " + c);
        }
        long n = b + c;
        if (n == 0) {
            return 1.0;
        }
        BinomialDistribution binomial = new BinomialDistribution(null, Math.toIntExact(n), 0.5);
        return Math.min(1.0, 2 * binomial.cumulativeProbability((int) Math.min(b, c)));
    }

    /** Discordant counts of two models on the same reviews: {only first right, only second right}. */
    public static long[] discordant(Model first, Model second) {
        checkSameReviews(first, second);
        long b = 0;
        long c = 0;
        for (int i = 0; i < first.labels().length; i++) {
            boolean x = first.correct(i);
            boolean y = second.correct(i);
            if (x && !y) {
                b++;
            } else if (y && !x) {
                c++;
            }
        }
        return new long[]{b, c};
    }

    /**
     * The summary of every architecture of {@code models} (in the order architectures first appear), with
     * {@code replicates} bootstrap replicates seeded by {@code seed}.
     */
    public static List<Summary> summarize(List<Model> models, int replicates, long seed) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("nothing to summarize");
        }
        if (replicates < 100) {
            throw new IllegalArgumentException("at least 100 bootstrap replicates expected, got " + replicates);
        }
        Map<String, List<Model>> byArchitecture = new LinkedHashMap<>();
        for (Model m : models) {
            checkSameReviews(models.get(0), m);
            byArchitecture.computeIfAbsent(m.architecture(), k -> new ArrayList<>()).add(m);
        }
        List<String> names = new ArrayList<>(byArchitecture.keySet());
        int n = models.get(0).labels().length;
        // per model: its accuracy and AUC on the full test split, and what the weighted versions need
        Map<String, double[]> accuracy = new LinkedHashMap<>();
        Map<String, double[]> auc = new LinkedHashMap<>();
        Map<String, Ranked[]> ranked = new LinkedHashMap<>();
        int[] ones = new int[n];
        Arrays.fill(ones, 1);
        for (String name : names) {
            List<Model> reps = byArchitecture.get(name);
            double[] acc = new double[reps.size()];
            double[] au = new double[reps.size()];
            Ranked[] r = new Ranked[reps.size()];
            for (int k = 0; k < reps.size(); k++) {
                r[k] = new Ranked(reps.get(k));
                acc[k] = r[k].accuracy(ones, n);
                au[k] = r[k].auc(ones);
            }
            accuracy.put(name, acc);
            auc.put(name, au);
            ranked.put(name, r);
        }
        String best = names.get(0);
        for (String name : names) {
            if (mean(accuracy.get(name)) > mean(accuracy.get(best))) {
                best = name;
            }
        }
        // the bootstrap: review weights shared by all models, repeats drawn per architecture
        RandomGenerator random = new Well19937c(seed);
        Map<String, double[]> accStar = new LinkedHashMap<>();
        Map<String, double[]> aucStar = new LinkedHashMap<>();
        names.forEach(name -> {
            accStar.put(name, new double[replicates]);
            aucStar.put(name, new double[replicates]);
        });
        int[] weights = new int[n];
        for (int b = 0; b < replicates; b++) {
            Arrays.fill(weights, 0);
            for (int i = 0; i < n; i++) {
                weights[random.nextInt(n)]++;
            }
            for (String name : names) {
                Ranked[] reps = ranked.get(name);
                double accSum = 0;
                double aucSum = 0;
                for (int k = 0; k < reps.length; k++) {
                    Ranked drawn = reps[reps.length == 1 ? 0 : random.nextInt(reps.length)];
                    accSum += drawn.accuracy(weights, n);
                    aucSum += drawn.auc(weights);
                }
                accStar.get(name)[b] = accSum / reps.length;
                aucStar.get(name)[b] = aucSum / reps.length;
            }
        }
        List<Summary> out = new ArrayList<>();
        for (String name : names) {
            List<Model> reps = byArchitecture.get(name);
            double[] acc = accuracy.get(name);
            double[] au = auc.get(name);
            double[] diffStar = new double[replicates];
            for (int b = 0; b < replicates; b++) {
                diffStar[b] = accStar.get(name)[b] - accStar.get(best)[b];
            }
            double difference = mean(acc) - mean(accuracy.get(best));
            double p;
            String test;
            boolean single = reps.size() == 1 && byArchitecture.get(best).size() == 1;
            if (name.equals(best)) {
                p = 1.0;
                test = single ? MCNEMAR : BOOTSTRAP_SEEDS_AND_REVIEWS;
            } else if (single) {
                long[] bc = discordant(reps.get(0), byArchitecture.get(best).get(0));
                p = mcnemarExactP(bc[0], bc[1]);
                test = MCNEMAR;
            } else {
                p = bootstrapP(diffStar);
                test = BOOTSTRAP_SEEDS_AND_REVIEWS;
            }
            Double validation = reps.stream().allMatch(m -> m.validationAccuracy() != null)
                    ? reps.stream().mapToDouble(Model::validationAccuracy).average().orElseThrow() : null;
            out.add(new Summary(name, reps.size(), mean(acc), sd(acc), min(acc), max(acc),
                    percentile(accStar.get(name)), mean(au), sd(au), min(au), max(au), percentile(aucStar.get(name)),
                    best, difference, name.equals(best) ? new Interval(0, 0) : percentile(diffStar), p,
                    reps.size() == 1 ? BOOTSTRAP_REVIEWS : BOOTSTRAP_SEEDS_AND_REVIEWS, test, validation));
        }
        return out;
    }

    /** Two-sided percentile p-value of "the difference is 0", floored at 1/replicates. */
    static double bootstrapP(double[] differences) {
        long atMost = 0;
        long atLeast = 0;
        for (double d : differences) {
            if (d <= 0) {
                atMost++;
            }
            if (d >= 0) {
                atLeast++;
            }
        }
        double p = 2.0 * Math.min(atMost, atLeast) / differences.length;
        return Math.min(1.0, Math.max(p, 1.0 / differences.length));
    }

    /** The central 95% percentile interval of bootstrap replicates. */
    static Interval percentile(double[] replicates) {
        DescriptiveStatistics s = new DescriptiveStatistics(replicates);
        return new Interval(s.getPercentile(2.5), s.getPercentile(97.5));
    }

    static double mean(double[] values) {
        return new DescriptiveStatistics(values).getMean();
    }

    /** Sample standard deviation; null for a single value. */
    static Double sd(double[] values) {
        return values.length < 2 ? null : new DescriptiveStatistics(values).getStandardDeviation();
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    private static void checkSameReviews(Model a, Model b) {
        if (a.labels().length != b.labels().length) {
            throw new IllegalArgumentException(a.architecture() + " repeat " + a.repeat() + " was evaluated on "
                    + a.labels().length + " reviews, " + b.architecture() + " repeat " + b.repeat() + " on "
                    + b.labels().length + ": a paired comparison needs the same reviews");
        }
        for (int i = 0; i < a.labels().length; i++) {
            if (a.labels()[i] != b.labels()[i]) {
                throw new IllegalArgumentException("the label of review " + i + " differs between "
                        + a.architecture() + " and " + b.architecture() + ": predictions are not in one review order");
            }
        }
    }

    /**
     * A model's reviews in order of probability, with tie groups, so that the accuracy and the ROC AUC under review
     * weights (a bootstrap draw) take one pass each.
     */
    private static final class Ranked {
        private final int[] order;
        private final int[] groupEnd;   // per sorted position: the end of its group of equal probabilities
        private final boolean[] positive;
        private final boolean[] correct;

        Ranked(Model m) {
            int n = m.labels().length;
            Integer[] boxed = new Integer[n];
            for (int i = 0; i < n; i++) {
                boxed[i] = i;
            }
            float[] p = m.probabilities();
            Arrays.sort(boxed, (x, y) -> Float.compare(p[x], p[y]));
            order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = boxed[i];
            }
            groupEnd = new int[n];
            for (int from = 0; from < n; ) {
                int to = from;
                while (to < n && Float.compare(p[order[to]], p[order[from]]) == 0) {
                    to++;
                }
                for (int k = from; k < to; k++) {
                    groupEnd[k] = to;
                }
                from = to;
            }
            positive = new boolean[n];
            correct = new boolean[n];
            for (int i = 0; i < n; i++) {
                positive[i] = m.labels()[i] > 0.5f;
                correct[i] = m.correct(i);
            }
        }

        double accuracy(int[] weights, int total) {
            long right = 0;
            for (int i = 0; i < weights.length; i++) {
                if (correct[i]) {
                    right += weights[i];
                }
            }
            return (double) right / total;
        }

        /** The Mann–Whitney AUC with review weights (ties count one half); NaN when a class has no weight. */
        double auc(int[] weights) {
            long negativesBelow = 0;
            long positives = 0;
            double twice = 0;
            int n = order.length;
            for (int from = 0; from < n; ) {
                int to = groupEnd[from];
                long pos = 0;
                long neg = 0;
                for (int k = from; k < to; k++) {
                    int i = order[k];
                    if (positive[i]) {
                        pos += weights[i];
                    } else {
                        neg += weights[i];
                    }
                }
                twice += (double) pos * (2 * negativesBelow + neg);
                positives += pos;
                negativesBelow += neg;
                from = to;
            }
            return positives == 0 || negativesBelow == 0 ? Double.NaN
                    : twice / (2.0 * positives * negativesBelow);
        }
    }
}

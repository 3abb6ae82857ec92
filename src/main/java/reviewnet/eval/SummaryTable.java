package reviewnet.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import reviewnet.io.AtomicDirectory;

/**
 * The comparison's summary: Parquet at {@code <reviewnet.output.path>/summary/<run id>/}, one row per architecture
 * ({@link #SCHEMA}), replaced whole (staging folder and rename) each time the run is summarized, and the console table.
 */
public final class SummaryTable {
    public static final String DIR = "summary";
    public static final StructType SCHEMA = new StructType()
            .add("run_id", DataTypes.StringType, false)
            .add("architecture", DataTypes.StringType, false)
            .add("repeats", DataTypes.IntegerType, false)
            .add("seeds", DataTypes.StringType, false)
            .add("test_examples", DataTypes.LongType, false)
            .add("accuracy_mean", DataTypes.DoubleType, false)
            .add("accuracy_sd", DataTypes.DoubleType, true)
            .add("accuracy_min", DataTypes.DoubleType, false)
            .add("accuracy_max", DataTypes.DoubleType, false)
            .add("accuracy_ci_low", DataTypes.DoubleType, false)
            .add("accuracy_ci_high", DataTypes.DoubleType, false)
            .add("auc_mean", DataTypes.DoubleType, false)
            .add("auc_sd", DataTypes.DoubleType, true)
            .add("auc_min", DataTypes.DoubleType, false)
            .add("auc_max", DataTypes.DoubleType, false)
            .add("auc_ci_low", DataTypes.DoubleType, false)
            .add("auc_ci_high", DataTypes.DoubleType, false)
            .add("best", DataTypes.StringType, false)
            .add("accuracy_diff_vs_best", DataTypes.DoubleType, false)
            .add("diff_ci_low", DataTypes.DoubleType, false)
            .add("diff_ci_high", DataTypes.DoubleType, false)
            .add("p_vs_best", DataTypes.DoubleType, false)
            .add("distinguishable_from_best", DataTypes.BooleanType, false)
            .add("interval_method", DataTypes.StringType, false)
            .add("test_method", DataTypes.StringType, false)
            .add("bootstrap_replicates", DataTypes.IntegerType, false)
            .add("validation_accuracy_mean", DataTypes.DoubleType, true)
            .add("recommended", DataTypes.BooleanType, false);

    private SummaryTable() {
    }

    /**
     * The architecture a user should deploy: the highest mean validation accuracy (chosen on validation data only,
     * never on test); null when not every architecture was validated.
     */
    public static String recommended(List<Uncertainty.Summary> summaries) {
        String best = null;
        double bestAccuracy = Double.NEGATIVE_INFINITY;
        for (Uncertainty.Summary s : summaries) {
            if (s.validationAccuracyMean() == null) {
                return null;
            }
            if (s.validationAccuracyMean() > bestAccuracy) {
                best = s.architecture();
                bestAccuracy = s.validationAccuracyMean();
            }
        }
        return best;
    }

    public static List<Row> rows(String runId, List<Uncertainty.Summary> summaries, List<ResultRow> results,
                                 int replicates, double alpha) {
        String recommended = recommended(summaries);
        List<Row> rows = new ArrayList<>();
        for (Uncertainty.Summary s : summaries) {
            List<ResultRow> mine = results.stream().filter(r -> r.architecture().equals(s.architecture())).toList();
            String seeds = String.join(",", mine.stream().map(r -> Long.toString(r.seed())).toList());
            rows.add(RowFactory.create(runId, s.architecture(), s.repeats(), seeds, mine.get(0).testExamples(),
                    s.accuracyMean(), s.accuracySd(), s.accuracyMin(), s.accuracyMax(), s.accuracy().low(),
                    s.accuracy().high(), s.aucMean(), s.aucSd(), s.aucMin(), s.aucMax(), s.auc().low(),
                    s.auc().high(), s.best(), s.differenceVsBest(), s.difference().low(), s.difference().high(),
                    s.pVsBest(), !s.architecture().equals(s.best()) && s.pVsBest() < alpha, s.intervalMethod(),
                    s.testMethod(), replicates, s.validationAccuracyMean(),
                    s.architecture().equals(recommended)));
        }
        return rows;
    }

    /** Writes (replaces) the run's summary under {@code dir}. */
    public static void write(SparkSession spark, String dir, List<Row> rows) {
        try (AtomicDirectory out = AtomicDirectory.begin(dir, spark.sparkContext().hadoopConfiguration())) {
            spark.createDataFrame(rows, SCHEMA).coalesce(1).write().mode(org.apache.spark.sql.SaveMode.Overwrite)
                    .parquet(out.staging().toString());
            out.commit();
        }
    }

    /** The console table: one line per architecture, with the intervals, the difference to the best and its p. */
    public static String format(List<Uncertainty.Summary> summaries, double alpha) {
        StringBuilder out = new StringBuilder();
        String header = String.format(Locale.ROOT, "%-12s %7s %-26s %7s %-26s %-30s %8s%n", "architecture",
                "repeats", "accuracy [95% interval]", "sd", "AUC [95% interval]", "vs best [95% interval]",
                "p");
        out.append(header).append("-".repeat(header.length() - 1)).append('\n');
        String recommended = recommended(summaries);
        for (Uncertainty.Summary s : summaries) {
            boolean best = s.architecture().equals(s.best());
            String versus = best ? "best" : String.format(Locale.ROOT, "%+.4f [%+.4f, %+.4f]", s.differenceVsBest(),
                    s.difference().low(), s.difference().high());
            String p = best ? "" : String.format(Locale.ROOT, "%.3g", s.pVsBest());
            String mark = s.indistinguishableFromBest(alpha) ? "  ≈ best" : "";
            if (s.architecture().equals(recommended)) {
                mark += "  (recommended)";
            }
            out.append(String.format(Locale.ROOT, "%-12s %7d %-26s %7s %-26s %-30s %8s%s%n", s.architecture(),
                    s.repeats(), String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", s.accuracyMean(),
                            s.accuracy().low(), s.accuracy().high()),
                    s.accuracySd() == null ? "-" : String.format(Locale.ROOT, "%.4f", s.accuracySd()),
                    String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", s.aucMean(), s.auc().low(), s.auc().high()),
                    versus, p, mark));
        }
        boolean single = summaries.stream().allMatch(s -> s.repeats() == 1);
        out.append(single
                ? "intervals: " + Uncertainty.BOOTSTRAP_REVIEWS + "; p: McNemar's exact test on the same test reviews "
                        + "(threshold 0.5)\n"
                : "intervals and p: " + Uncertainty.BOOTSTRAP_SEEDS_AND_REVIEWS + " (percentile; McNemar's exact test "
                        + "where both have one repeat)\n");
        out.append(String.format(Locale.ROOT, "≈ best: cannot be told apart from the best at alpha %.2f", alpha));
        if (recommended != null) {
            out.append("; recommended: the highest mean validation accuracy (chosen on validation data only)");
        }
        return out.append('\n').toString();
    }
}

package reviewnet.report;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import reviewnet.eval.ResultsTable;

/** The side-by-side table printed at the end of a comparison. */
public final class ComparisonTable {
    private ComparisonTable() {
    }

    public static String format(List<Row> results) {
        StringBuilder out = new StringBuilder();
        String header = String.format(Locale.ROOT, "%-12s %9s %7s %7s %9s %9s %11s%n", "architecture", "accuracy",
                "f1", "auc", "loss", "train s", "examples/s");
        out.append(header).append("-".repeat(header.length() - 1)).append('\n');
        for (Row r : results) {
            out.append(String.format(Locale.ROOT, "%-12s %9.4f %7.4f %7.4f %9.4f %9.1f %11.1f%n",
                    ResultsTable.string(r, "architecture"), ResultsTable.number(r, "accuracy"),
                    ResultsTable.number(r, "f1"), ResultsTable.number(r, "auc"),
                    ResultsTable.number(r, "test_loss"), ResultsTable.number(r, "train_seconds"),
                    ResultsTable.number(r, "examples_per_second")));
        }
        return out.toString();
    }

    /** One line per architecture, {@code RESULT key=value ...}: what submit-scripts/bench.sh collects. */
    public static String machineReadable(List<Row> results) {
        StringBuilder out = new StringBuilder();
        for (Row r : results) {
            double epochs = ResultsTable.number(r, "epochs");
            out.append(String.format(Locale.ROOT, "RESULT run_id=%s architecture=%s epochs=%d epoch_seconds=%.2f "
                            + "examples_per_second=%.1f accuracy=%.4f f1=%.4f auc=%.4f test_loss=%.4f eval_seconds=%.2f "
                            + "workers=%d batch_size=%d averaging_frequency=%d%n",
                    ResultsTable.string(r, "run_id"), ResultsTable.string(r, "architecture"), (int) epochs,
                    ResultsTable.number(r, "train_seconds") / epochs, ResultsTable.number(r, "examples_per_second"),
                    ResultsTable.number(r, "accuracy"), ResultsTable.number(r, "f1"), ResultsTable.number(r, "auc"),
                    ResultsTable.number(r, "test_loss"), ResultsTable.number(r, "eval_seconds"),
                    (int) ResultsTable.number(r, "workers"), (int) ResultsTable.number(r, "batch_size"),
                    (int) ResultsTable.number(r, "averaging_frequency")));
        }
        return out.toString();
    }
}

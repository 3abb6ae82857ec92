package reviewnet.report;

import java.util.List;
import java.util.Locale;
import reviewnet.eval.ResultRow;

/** The side-by-side table printed at the end of a comparison. */
public final class ComparisonTable {
    private ComparisonTable() {
    }

    public static String format(List<ResultRow> results) {
        StringBuilder out = new StringBuilder();
        String header = String.format(Locale.ROOT, "%-12s %6s %6s %9s %7s %7s %9s %9s %11s %7s %9s%n", "architecture",
                "repeat", "seed", "accuracy", "f1", "auc", "loss", "train s", "examples/s", "epochs", "val acc");
        out.append(header).append("-".repeat(header.length() - 1)).append('\n');
        for (ResultRow r : results) {
            // epochs: trained (and the restored best one, when validation chose it)
            String epochs = r.validationAccuracy() == null ? Integer.toString(r.epochsTrained())
                    : r.epochsTrained() + "/" + r.bestEpoch();
            out.append(String.format(Locale.ROOT, "%-12s %6d %6d %9.4f %7.4f %7.4f %9.4f %9.1f %11.1f %7s %9s%n",
                    r.architecture(), r.repeat(), r.seed(), r.accuracy(), r.f1(), r.auc(), r.testLoss(), r.trainSeconds(),
                    r.examplesPerSecond(), epochs, r.validationAccuracy() == null ? "-"
                            : String.format(Locale.ROOT, "%.4f", r.validationAccuracy())));
        }
        return out.toString();
    }

    /** One line per architecture, {@code RESULT key=value ...}: what submit-scripts/bench.sh collects. */
    public static String machineReadable(List<ResultRow> results) {
        StringBuilder out = new StringBuilder();
        for (ResultRow r : results) {
            out.append(String.format(Locale.ROOT, "RESULT run_id=%s architecture=%s repeat=%d seed=%d epochs=%d "
                            + "epochs_trained=%d "
                            + "best_epoch=%d epoch_seconds=%.2f "
                            + "examples_per_second=%.1f accuracy=%.4f f1=%.4f auc=%.4f test_loss=%.4f eval_seconds=%.2f "
                            + "workers=%d batch_size=%d averaging_frequency=%d%n",
                    r.runId(), r.architecture(), r.repeat(), r.seed(), r.epochs(), r.epochsTrained(), r.bestEpoch(), r.epochSeconds(), r.examplesPerSecond(), r.accuracy(),
                    r.f1(), r.auc(), r.testLoss(), r.evalSeconds(), r.workers(), r.batchSize(),
                    r.averagingFrequency()));
        }
        return out.toString();
    }
}

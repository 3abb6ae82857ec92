package reviewnet.config;

import com.typesafe.config.Config;
import java.io.Serializable;

/**
 * Validation and early stopping ({@code reviewnet.train.validation-fraction}, {@code max-epochs},
 * {@code early-stopping.*}). With a fraction of 0 (the default) nothing is held out and every architecture trains
 * {@code reviewnet.train.epochs} epochs. With a fraction f > 0, a hold-out of about f of each label's training reviews
 * (chosen by a seeded hash of the review id, never from the test split) is evaluated after every epoch; training stops
 * after {@code patience} epochs without improvement of {@code metric} or at {@code maxEpochs}, and the best epoch's
 * parameters are restored.
 */
public record ValidationSettings(HoldOutSettings holdOut, int maxEpochs, int patience, Metric metric)
        implements Serializable {

    public enum Metric { LOSS, ACCURACY }

    public ValidationSettings {
        if (holdOut == null || maxEpochs <= 0 || patience <= 0 || metric == null) {
            throw new IllegalArgumentException("validation: a hold-out, max-epochs > 0, patience > 0 and a metric "
                    + "expected, got " + holdOut + ", " + maxEpochs + ", " + patience + ", " + metric);
        }
    }

    /** The share of the training split held out (0 = none). */
    public double fraction() {
        return holdOut.fraction();
    }

    public boolean enabled() {
        return holdOut.enabled();
    }

    /** Whether {@code candidate} is better than {@code best} by this metric. */
    public boolean improves(double candidateLoss, double candidateAccuracy, double bestLoss, double bestAccuracy) {
        return metric == Metric.LOSS ? candidateLoss < bestLoss : candidateAccuracy > bestAccuracy;
    }

    public static ValidationSettings from(Config root) {
        String key = "reviewnet.train.";
        return new ValidationSettings(HoldOutSettings.from(root), Settings.positiveInt(root, key + "max-epochs"),
                Settings.positiveInt(root, key + "early-stopping.patience"),
                Settings.enumValue(root, key + "early-stopping.metric", Metric.class));
    }
}

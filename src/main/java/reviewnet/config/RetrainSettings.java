package reviewnet.config;

import com.typesafe.config.Config;

/**
 * Scheduled retraining ({@code reviewnet.retrain}); the training itself is configured by the compare settings.
 * {@code promoteWhen}: SIGNIFICANT promotes a challenger that beats the champion on the same test reviews by the margin
 * and whose difference McNemar's exact test finds real (p below alpha); MARGIN by the margin alone.
 */
public record RetrainSettings(String runId, String registry, double margin, PromoteWhen promoteWhen, double alpha,
                              CompareSettings compare) {

    public enum PromoteWhen { SIGNIFICANT, MARGIN }

    public static RetrainSettings from(Config root) {
        String key = "reviewnet.retrain.";
        String runId = Settings.runId(root, key + "run-id");
        double margin = root.getDouble(key + "margin");
        Settings.require(margin >= 0 && margin < 1, root, key + "margin", "an accuracy difference in [0, 1), got "
                + margin);
        String registry = root.getString(key + "registry");
        Settings.require(!registry.isBlank(), root, key + "registry", "a non-empty path");
        double alpha = root.getDouble(key + "alpha");
        Settings.require(alpha > 0 && alpha < 1, root, key + "alpha", "a level in (0, 1), got " + alpha);
        CompareSettings compare = CompareSettings.from(root);
        Settings.require(compare.train().architectures().size() == 1 || compare.train().validation().enabled(), root,
                "reviewnet.train.validation-fraction", "a validation hold-out (> 0) when retrain chooses among "
                        + compare.train().architectures() + ": the challenger is chosen on validation data, never on "
                        + "test");
        return new RetrainSettings(runId, registry, margin, Settings.enumValue(root, key + "promote-when",
                PromoteWhen.class), alpha, compare);
    }
}

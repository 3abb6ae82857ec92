package reviewnet.config;

import com.typesafe.config.Config;

/** Scheduled retraining ({@code reviewnet.retrain}); the training itself is configured by the compare settings. */
public record RetrainSettings(String runId, String registry, double margin, CompareSettings compare) {

    public static RetrainSettings from(Config root) {
        String key = "reviewnet.retrain.";
        String runId = root.getString(key + "run-id").trim();
        Settings.require(runId.isEmpty() || runId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}"), root, key + "run-id",
                "letters, digits, '.', '_' or '-' (a folder name), got '" + runId + "'");
        double margin = root.getDouble(key + "margin");
        Settings.require(margin >= 0 && margin < 1, root, key + "margin", "an accuracy difference in [0, 1), got "
                + margin);
        String registry = root.getString(key + "registry");
        Settings.require(!registry.isBlank(), root, key + "registry", "a non-empty path");
        return new RetrainSettings(runId, registry, margin, CompareSettings.from(root));
    }
}

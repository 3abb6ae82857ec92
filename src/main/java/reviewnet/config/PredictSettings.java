package reviewnet.config;

import com.typesafe.config.Config;

/** Batch scoring ({@code reviewnet.predict}). */
public record PredictSettings(String inputPath, Format format, String textColumn, String idColumn, String outputPath,
                              String modelVersion, int batchSize, String registry, long maxBytes,
                              InputSettings.Csv csv, ExecutorSettings executor, SparkSettings spark) {

    public enum Format { TEXT_FILES, CSV, JSON, PARQUET }

    public static PredictSettings from(Config root) {
        String key = "reviewnet.predict.";
        String input = root.getString(key + "input.path");
        Settings.require(!input.isBlank(), root, key + "input.path", "a non-empty path");
        String version = root.getString(key + "model-version").trim();
        Settings.require(!version.isEmpty(), root, key + "model-version", "'champion' or a version id");
        return new PredictSettings(input, Settings.enumValue(root, key + "input.format", Format.class),
                root.getString(key + "input.text-column"), root.getString(key + "input.id-column"),
                root.getString(key + "output.path"), version, Settings.positiveInt(root, key + "batch-size"),
                root.getString("reviewnet.retrain.registry"), InputSettings.from(root).maxBytes(),
                InputSettings.Csv.from(root.getConfig(key + "input.csv")), ExecutorSettings.from(root),
                SparkSettings.from(root));
    }
}

package reviewnet.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import reviewnet.nn.Architectures;

/** Everything the compare job needs, built eagerly from one resolved configuration. */
public record CompareSettings(PrepareSettings prepare, ModelSettings model, TrainSettings train,
                              BaselineSettings baseline, SparkSettings spark, ComparisonSettings comparison,
                              String resolvedConfig) {

    /** What reviewnet.train.architectures may name: the networks and the tfidf-lr baseline. */
    public static java.util.List<String> models() {
        java.util.List<String> names = new java.util.ArrayList<>(Architectures.names());
        names.add(reviewnet.baseline.TfidfLogisticRegression.NAME);
        return java.util.List.copyOf(names);
    }

    public static CompareSettings from(Config root) {
        return new CompareSettings(PrepareSettings.from(root), ModelSettings.from(root),
                TrainSettings.from(root, models()), BaselineSettings.from(root), SparkSettings.from(root),
                ComparisonSettings.from(root), root.getConfig(JobConfig.ROOT).root().render(ConfigRenderOptions.concise()));
    }

    public PathSettings paths() {
        return prepare.paths();
    }
}

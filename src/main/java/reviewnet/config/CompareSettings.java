package reviewnet.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import reviewnet.nn.Architectures;

/** Everything the compare job needs, built eagerly from one resolved configuration. */
public record CompareSettings(PrepareSettings prepare, ModelSettings model, TrainSettings train, SparkSettings spark,
                              String resolvedConfig) {

    public static CompareSettings from(Config root) {
        return new CompareSettings(PrepareSettings.from(root), ModelSettings.from(root),
                TrainSettings.from(root, Architectures.names()), SparkSettings.from(root),
                root.getConfig(JobConfig.ROOT).root().render(ConfigRenderOptions.concise()));
    }

    public PathSettings paths() {
        return prepare.paths();
    }
}

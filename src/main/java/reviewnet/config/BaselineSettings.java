package reviewnet.config;

import com.typesafe.config.Config;
import java.io.Serializable;

/**
 * The {@code tfidf-lr} baseline ({@code reviewnet.baseline}): unigrams and bigrams of the full review's Lucene tokens
 * seen in at least {@code minDocFreq} training reviews (at most {@code maxFeatures}), TF-IDF, L2-normalized, then an
 * L2-regularized logistic regression.
 */
public record BaselineSettings(int minDocFreq, int maxFeatures, double regParam, int maxIter) implements Serializable {

    public static BaselineSettings from(Config root) {
        String key = "reviewnet.baseline.";
        double reg = root.getDouble(key + "reg-param");
        Settings.require(reg >= 0, root, key + "reg-param", "0 or more, got " + reg);
        return new BaselineSettings(Settings.positiveInt(root, key + "min-doc-freq"),
                Settings.positiveInt(root, key + "max-features"), reg, Settings.positiveInt(root, key + "max-iter"));
    }
}

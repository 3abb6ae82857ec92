package reviewnet.config;

import com.typesafe.config.Config;
import java.io.Serializable;

/**
 * Hashed word bigrams ({@code reviewnet.bigrams}): the prepare stage writes, beside {@code seq}, a {@code bigrams}
 * column of the review's adjacent token pairs hashed into {@code buckets} ids 1..buckets, padded and truncated like
 * {@code seq} (0 = padding). The {@code bigram-bag} network embeds them.
 */
public record BigramSettings(int buckets) implements Serializable {

    public BigramSettings {
        if (buckets <= 0) {
            throw new IllegalArgumentException("bigram buckets must be positive, got " + buckets);
        }
    }

    public static BigramSettings from(Config root) {
        return new BigramSettings(Settings.positiveInt(root, "reviewnet.bigrams.buckets"));
    }
}

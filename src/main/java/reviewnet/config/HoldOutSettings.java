package reviewnet.config;

import com.typesafe.config.Config;
import java.io.Serializable;

/**
 * The validation hold-out of the training split ({@code reviewnet.train.validation-fraction} and
 * {@code validation-seed}): chosen by prepare, so that the vocabulary is fitted without it, and the same for every
 * architecture, repeat and training seed of the prepared data. A fraction of 0 holds nothing out.
 */
public record HoldOutSettings(double fraction, long seed) implements Serializable {

    public HoldOutSettings {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + fraction);
        }
    }

    public boolean enabled() {
        return fraction > 0;
    }

    public static HoldOutSettings from(Config root) {
        String key = "reviewnet.train.";
        double fraction = root.getDouble(key + "validation-fraction");
        Settings.require(fraction >= 0 && fraction < 1, root, key + "validation-fraction",
                "a fraction in [0, 1) of the training split (0 = no validation), got " + fraction);
        return new HoldOutSettings(fraction, root.getLong(key + "validation-seed"));
    }
}

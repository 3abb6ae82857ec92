package reviewnet.config;

import com.typesafe.config.Config;

/** Everything the prepare stage needs, built eagerly (and so validated) from one resolved configuration. */
public record PrepareSettings(InputSettings input, TextSettings text, VocabSettings vocab, SequenceSettings sequence,
                              BigramSettings bigrams, PathSettings paths, HoldOutSettings holdOut) {

    public static PrepareSettings from(Config root) {
        return new PrepareSettings(InputSettings.from(root), TextSettings.from(root), VocabSettings.from(root),
                SequenceSettings.from(root), BigramSettings.from(root), PathSettings.from(root),
                HoldOutSettings.from(root));
    }
}

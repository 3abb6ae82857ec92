package reviewnet.text;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reviewnet.config.TextSettings;
import reviewnet.config.TextSettings.Stemming;
import reviewnet.config.TextSettings.StopWords;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ReviewAnalyzerTest {
    static final TextSettings DEFAULTS = TextSettings.defaults();

    static Stream<Arguments> defaultPolicy() {
        return Stream.of(
                arguments("", List.of()),
                arguments("   \n\t ", List.of()),
                arguments("<br /><br />", List.of()),
                arguments("Great movie!<br /><br />Loved it.", List.of("great", "movie", "loved", "it")),
                arguments("<i>Casablanca</i> &amp; <b>Vertigo</b>", List.of("casablanca", "vertigo")),
                arguments("Don't miss it, it's the director's best",
                        List.of("don't", "miss", "it", "it's", "the", "director's", "best")),
                arguments("I rate it 10/10 (really) - 7.5 at worst", List.of("i", "rate", "it", "10", "10",
                        "really", "7.5", "at", "worst")),
                arguments("Café naïve ZÜRICH Ελληνικά", List.of("café", "naïve", "zürich", "ελληνικά")),
                arguments("日本の映画", List.of("日", "本", "の", "映", "画")),
                arguments("e-mail me@example.com", List.of("e", "mail", "me", "example.com")),
                arguments("THE END", List.of("the", "end")));
    }

    @ParameterizedTest
    @MethodSource("defaultPolicy")
    void defaultPolicyTokens(String text, List<String> expected) {
        try (ReviewAnalyzer analyzer = new ReviewAnalyzer(DEFAULTS)) {
            assertEquals(expected, analyzer.tokens(text));
        }
    }

    static Stream<Arguments> otherPolicies() {
        TextSettings stop = new TextSettings(true, true, StopWords.ENGLISH, Stemming.NONE, 255);
        TextSettings porter = new TextSettings(true, true, StopWords.NONE, Stemming.PORTER, 255);
        TextSettings minimal = new TextSettings(true, true, StopWords.NONE, Stemming.ENGLISH_MINIMAL, 255);
        TextSettings raw = new TextSettings(false, false, StopWords.NONE, Stemming.NONE, 255);
        TextSettings shortTokens = new TextSettings(true, true, StopWords.NONE, Stemming.NONE, 4);
        return Stream.of(
                arguments(stop, "The film is not a Masterpiece", List.of("film", "masterpiece")),
                arguments(porter, "running movies connected", List.of("run", "movi", "connect")),
                arguments(minimal, "movies actors films", List.of("movy", "actor", "film")),
                arguments(raw, "Great<br />Film", List.of("Great", "br", "Film")),
                arguments(shortTokens, "wonderful", List.of("wond", "erfu", "l")));
    }

    @ParameterizedTest
    @MethodSource("otherPolicies")
    void switchablePolicies(TextSettings settings, String text, List<String> expected) {
        try (ReviewAnalyzer analyzer = new ReviewAnalyzer(settings)) {
            assertEquals(expected, analyzer.tokens(text));
        }
    }
}

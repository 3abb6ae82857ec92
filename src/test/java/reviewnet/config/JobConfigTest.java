package reviewnet.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class JobConfigTest {

    static Config resolve(String... overrides) {
        return JobConfig.resolve(JobConfig.parseOverrides(List.of(overrides)));
    }

    @Test
    void defaultsComeFromReferenceConf() {
        PrepareSettings s = PrepareSettings.from(resolve());
        assertEquals(20000, s.vocab().size());
        assertEquals(new VocabSettings(20000, 1, 2, 3), s.vocab());
        assertEquals(new SequenceSettings(100, SequenceSettings.Side.PRE, SequenceSettings.Side.PRE), s.sequence());
        assertEquals(List.of("neg", "pos"), s.input().labels());
        assertEquals(InputSettings.Format.FOLDERS, s.input().format());
        assertEquals(TextSettings.StopWords.NONE, s.text().stopWords());
    }

    @Test
    void overridesTakeStringsListsAndUrls() {
        PrepareSettings s = PrepareSettings.from(resolve("reviewnet.sequence.length=200",
                "reviewnet.sequence.padding=post", "reviewnet.input.labels=[bad, good]",
                "reviewnet.input.path=hdfs://nn:8020/corpora/imdb // not a comment",
                "reviewnet.text.stemming=english-minimal"));
        assertEquals(200, s.sequence().length());
        assertEquals(SequenceSettings.Side.POST, s.sequence().padding());
        assertEquals(List.of("bad", "good"), s.input().labels());
        assertEquals("hdfs://nn:8020/corpora/imdb // not a comment", s.input().path());
        assertEquals(TextSettings.Stemming.ENGLISH_MINIMAL, s.text().stemming());
    }

    /** (override, text the error must contain). */
    static Stream<Arguments> badSettings() {
        return Stream.of(
                arguments("reviewnet.sequence.padding=middle", "override reviewnet.sequence.padding: Invalid value at 'reviewnet.sequence.padding': expected one of [pre, post], got 'middle'"),
                arguments("reviewnet.sequence.length=long", "reviewnet.sequence.length"),
                arguments("reviewnet.sequence.length=0", "expected a positive integer, got 0"),
                arguments("reviewnet.vocab.size=3", "reviewnet.vocab.size"),
                arguments("reviewnet.vocab.oov-char=1", "reviewnet.vocab.oov-char"),
                arguments("reviewnet.input.format=xml", "expected one of [folders, csv, json, parquet]"),
                arguments("reviewnet.input.labels=[pos]", "two distinct label names"),
                arguments("reviewnet.input.max-bytes=lots", "reviewnet.input.max-bytes"),
                arguments("reviewnet.sequnce.length=50", "unknown setting(s) [reviewnet.sequnce.length]"),
                arguments("reviewnet.text.stop-words=french", "expected one of [none, english]"));
    }

    @ParameterizedTest
    @MethodSource("badSettings")
    void badSettingsNameTheKeyAndWhatWasExpected(String override, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> PrepareSettings.from(resolve(override)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /** (override, architecture, its averaging frequency or the text of the error). */
    static Stream<Arguments> perArchitectureFrequencies() {
        return Stream.of(
                arguments("reviewnet.train.averaging-frequency-by-architecture.gru=7", "gru", "7"),
                arguments("reviewnet.train.averaging-frequency-by-architecture.lstm=12", "lstm", "12"),
                arguments("reviewnet.train.averaging-frequency-by-architecture={simple-rnn=3}", "simple-rnn", "3"),
                arguments("reviewnet.train.averaging-frequency=30", "conv", "30"),
                arguments("reviewnet.train.averaging-frequency-by-architecture.cnn-max=5", "cnn-max", "5"),
                arguments("reviewnet.train.averaging-frequency=30", "gru", "10"),
                arguments("reviewnet.train.averaging-frequency-by-architecture.transformer=10", "gru",
                        "an architecture from [simple-rnn, lstm, gru, conv-gru, conv"),
                arguments("reviewnet.train.averaging-frequency-by-architecture.gru=0", "gru", "a positive number"),
                arguments("reviewnet.train.averaging-frequency-by-architecture.bigru=10", "bigru", "10"),
                arguments("reviewnet.train.averaging-frequency=30", "bigru", "30"));
    }

    /** bigru is trained when named (the registry makes it known); the default list stays the notebook's five. */
    @Test
    void bigruIsChosenByNamingIt() {
        assertEquals(List.of("simple-rnn", "lstm", "gru", "conv-gru", "conv"),
                CompareSettings.from(resolve()).train().architectures());
        assertEquals(List.of("gru", "bigru"),
                CompareSettings.from(resolve("reviewnet.train.architectures=[gru, bigru]")).train().architectures());
    }

    @ParameterizedTest
    @MethodSource("perArchitectureFrequencies")
    void anyKnownArchitectureGetsItsOwnAveragingFrequency(String override, String architecture, String expected) {
        String got;
        try {
            got = Integer.toString(CompareSettings.from(resolve(override)).train().averagingFrequency(architecture));
        } catch (ConfigException e) {
            got = e.getMessage();
        }
        assertTrue(got.equals(expected) || (expected.length() > 3 && got.contains(expected)), got);
    }

    /** cnn-max is known (via the registry) but not trained by default: it is chosen by naming it. */
    @Test
    void cnnMaxIsChosenByNamingIt() {
        assertEquals(List.of("simple-rnn", "lstm", "gru", "conv-gru", "conv"),
                CompareSettings.from(resolve()).train().architectures());
        CompareSettings s = CompareSettings.from(resolve("reviewnet.train.architectures=[cnn-max, gru]"));
        assertEquals(List.of("cnn-max", "gru"), s.train().architectures());
        assertEquals(List.of(3, 4, 5), s.model().cnnMaxWidths());
        assertEquals(100, s.model().cnnMaxFilters());
    }

    @Test
    void overridesMustBeKeyValueUnderTheRoot() {
        assertTrue(assertThrows(ConfigException.class, () -> JobConfig.parseOverrides(List.of("length")))
                .getMessage().contains("expected key=value"));
        assertTrue(assertThrows(ConfigException.class, () -> JobConfig.parseOverrides(List.of("spark.master=x")))
                .getMessage().contains("must start with 'reviewnet.'"));
    }

    @Test
    void jobFileIncludesApplicationConfAndOverridesWin(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("jobs"));
        Files.writeString(dir.resolve("conf/application.conf"), "reviewnet.vocab.size = 5000\n"
                + "reviewnet.sequence.length = 80\n");
        Files.writeString(dir.resolve("jobs/job.conf"), "include \"../conf/application.conf\"\n"
                + "reviewnet.sequence.length = 90\n");
        Config config = JobConfig.load(dir.resolve("jobs/job.conf"), List.of("reviewnet.text.lowercase=false"));
        assertEquals(5000, config.getInt("reviewnet.vocab.size"));
        assertEquals(90, config.getInt("reviewnet.sequence.length"));
        assertEquals(false, config.getBoolean("reviewnet.text.lowercase"));
        config = JobConfig.load(dir.resolve("jobs/job.conf"), List.of("reviewnet.sequence.length=120"));
        assertEquals(120, config.getInt("reviewnet.sequence.length"));
    }

    @Test
    void missingJobFileIsAClearError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> JobConfig.load(Paths.get("jobs/nope.conf"), List.of()));
        assertTrue(e.getMessage().contains("nope.conf does not exist"), e.getMessage());
    }

    @Test
    void theShippedPrepareJobLoads() {
        Config config = JobConfig.load(Paths.get("jobs/prepare.conf"), List.of());
        assertEquals("prepare", config.getString("reviewnet.job"));
        PrepareSettings.from(config);
    }
}

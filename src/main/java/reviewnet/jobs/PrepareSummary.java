package reviewnet.jobs;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import reviewnet.config.PrepareSettings;

/**
 * What {@code prepare} did, written as {@code summary.json} next to the prepared data (snake_case keys, in the order
 * of the record components).
 */
public record PrepareSummary(String job, String created, String fingerprint, Input input, Map<String, Split> splits,
                             Vocabulary vocabulary, Sequence sequence, Text text, long bomStripped,
                             long withoutRating, long ignoredFiles, Skipped skipped, double seconds) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public PrepareSummary {
        splits = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(splits));
    }

    public record Input(String path, String format, List<String> labels, List<String> splits) {
    }

    /** One split: reviews per label, tokens after analysis, tokens outside the vocabulary, reviews cut to length. */
    @JsonPropertyOrder({"rows", "rows_per_label", "tokens", "oov_tokens", "oov_rate", "truncated"})
    public record Split(long rows, Map<String, Long> rowsPerLabel, long tokens, long oovTokens, long truncated) {
        @com.fasterxml.jackson.annotation.JsonProperty("oov_rate")
        public double oovRate() {
            return tokens == 0 ? 0.0 : (double) oovTokens / tokens;
        }
    }

    public record Vocabulary(int size, int words, int startChar, int oovChar, int indexFrom) {
    }

    public record Sequence(int length, String padding, String truncating) {
    }

    public record Text(boolean stripHtml, boolean lowercase, String stopWords, String stemming, int maxTokenLength) {
    }

    /** Skipped inputs: how many, how many per reason code, and the first few with their detail. */
    public record Skipped(long total, SortedMap<String, Long> byReason, List<Example> examples) {
        public record Example(String source, String reason, String detail) {
        }
    }

    static PrepareSummary of(java.time.Instant started, String fingerprint, PrepareSettings settings,
                             Map<String, Split> splits, Skipped skipped, long bomStripped, long withoutRating,
                             long ignoredFiles, int vocabularyWords, double seconds) {
        return new PrepareSummary("prepare", started.toString(), fingerprint,
                new Input(settings.input().path(), lower(settings.input().format()), settings.input().labels(),
                        settings.input().splits()),
                splits,
                new Vocabulary(settings.vocab().size(), vocabularyWords, settings.vocab().startChar(),
                        settings.vocab().oovChar(), settings.vocab().indexFrom()),
                new Sequence(settings.sequence().length(), lower(settings.sequence().padding()),
                        lower(settings.sequence().truncating())),
                new Text(settings.text().stripHtml(), settings.text().lowercase(), lower(settings.text().stopWords()),
                        lower(settings.text().stemming()), settings.text().maxTokenLength()),
                bomStripped, withoutRating, ignoredFiles, skipped, seconds);
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    public Split split(String name) {
        return splits.get(name);
    }

    public long skippedTotal() {
        return skipped.total();
    }

    public Map<String, Long> skippedByReason() {
        return skipped.byReason();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String oneLine() {
        StringBuilder line = new StringBuilder();
        for (String name : List.of(PrepareJob.TRAIN, PrepareJob.TEST)) {
            if (splits.containsKey(name)) {
                line.append(name).append('=').append(splits.get(name).rowsPerLabel()).append(' ');
            }
        }
        return line.append("skipped=").append(skipped.byReason()).toString();
    }

    void write(FileSystem fs, Path path) {
        try (OutputStream out = fs.create(path, false)) {
            out.write(toJson().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    /** Reads a summary.json back as a tree (e.g. to compare fingerprints). */
    public static JsonNode read(FileSystem fs, Path path) {
        try (InputStream in = fs.open(path)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}

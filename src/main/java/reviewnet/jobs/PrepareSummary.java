package reviewnet.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import reviewnet.config.PrepareSettings;

/** What {@code prepare} did, written as {@code summary.json} next to the prepared data. */
public final class PrepareSummary {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> content = new LinkedHashMap<>();
    private double seconds;

    PrepareSummary(Instant started, String fingerprint, PrepareSettings settings,
                   Map<String, Map<String, Object>> splits, List<Row> skipped, long bomStripped, long withoutRating,
                   long ignoredFiles, int vocabularyWords) {
        content.put("job", "prepare");
        content.put("created", started.toString());
        content.put("fingerprint", fingerprint);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("path", settings.input().path());
        input.put("format", settings.input().format().name().toLowerCase());
        input.put("labels", settings.input().labels());
        input.put("splits", settings.input().splits());
        content.put("input", input);
        content.put("splits", splits);
        Map<String, Object> vocab = new LinkedHashMap<>();
        vocab.put("size", settings.vocab().size());
        vocab.put("words", vocabularyWords);
        vocab.put("start_char", settings.vocab().startChar());
        vocab.put("oov_char", settings.vocab().oovChar());
        vocab.put("index_from", settings.vocab().indexFrom());
        content.put("vocabulary", vocab);
        Map<String, Object> sequence = new LinkedHashMap<>();
        sequence.put("length", settings.sequence().length());
        sequence.put("padding", settings.sequence().padding().name().toLowerCase());
        sequence.put("truncating", settings.sequence().truncating().name().toLowerCase());
        content.put("sequence", sequence);
        Map<String, Object> text = new LinkedHashMap<>();
        text.put("strip_html", settings.text().stripHtml());
        text.put("lowercase", settings.text().lowercase());
        text.put("stop_words", settings.text().stopWords().name().toLowerCase());
        text.put("stemming", settings.text().stemming().name().toLowerCase());
        text.put("max_token_length", settings.text().maxTokenLength());
        content.put("text", text);
        content.put("bom_stripped", bomStripped);
        content.put("without_rating", withoutRating);
        content.put("ignored_files", ignoredFiles);
        Map<String, Long> byReason = new TreeMap<>();
        List<Map<String, Object>> examples = new ArrayList<>();
        for (Row row : skipped) {
            String reason = row.getString(3);
            byReason.merge(reason, 1L, Long::sum);
            if (examples.size() < PrepareJob.SKIP_EXAMPLES) {
                Map<String, Object> example = new LinkedHashMap<>();
                example.put("source", row.getString(0));
                example.put("reason", reason);
                example.put("detail", row.getString(4));
                examples.add(example);
            }
        }
        Map<String, Object> skip = new LinkedHashMap<>();
        skip.put("total", (long) skipped.size());
        skip.put("by_reason", byReason);
        skip.put("examples", examples);
        content.put("skipped", skip);
    }

    void finish(Duration elapsed) {
        seconds = elapsed.toMillis() / 1000.0;
        content.put("seconds", seconds);
    }

    public double seconds() {
        return seconds;
    }

    public String fingerprint() {
        return (String) content.get("fingerprint");
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> split(String name) {
        return (Map<String, Object>) ((Map<String, Object>) content.get("splits")).get(name);
    }

    @SuppressWarnings("unchecked")
    public long skippedTotal() {
        return (Long) ((Map<String, Object>) content.get("skipped")).get("total");
    }

    @SuppressWarnings("unchecked")
    public Map<String, Long> skippedByReason() {
        return (Map<String, Long>) ((Map<String, Object>) content.get("skipped")).get("by_reason");
    }

    public long bomStripped() {
        return (Long) content.get("bom_stripped");
    }

    public long withoutRating() {
        return (Long) content.get("without_rating");
    }

    public long ignoredFiles() {
        return (Long) content.get("ignored_files");
    }

    public String toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String oneLine() {
        StringBuilder line = new StringBuilder();
        ((Map<?, ?>) content.get("splits")).forEach((split, s) -> line.append(split).append('=')
                .append(((Map<?, ?>) s).get("rows_per_label")).append(' '));
        return line.append("skipped=").append(skippedByReason()).toString();
    }

    void write(FileSystem fs, Path path) {
        try (OutputStream out = fs.create(path, false)) {
            out.write(toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
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

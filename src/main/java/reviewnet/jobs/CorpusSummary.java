package reviewnet.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What {@code make-corpus} generated, written as {@code _corpus.json} in the corpus folder (a leading underscore:
 * Spark's file sources and the tabular reader skip it, and it is no review file). Snake_case keys.
 */
public record CorpusSummary(String job, String created, String codeVersion, long reviews, String format, long seed,
                            double fillerShare, int partitions, String source, Map<String, Long> rows,
                            Map<String, Pool> pools, PrepareSummary.Skipped skipped, double seconds) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);
    public static final String FILE = "_corpus.json";

    /**
     * One sentence pool: usable source reviews, those without any sentence, sentences split from them, pieces left
     * out for having no word, sentences dropped because they also occur in the training split (test pools only),
     * sentences drawn from.
     */
    public record Pool(long sourceReviews, long reviewsWithoutSentences, long sentences, long withoutWords,
                       long droppedAsInTraining, long size) {
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(FileSystem fs, Path path) {
        try (OutputStream out = fs.create(path, false)) {
            out.write(toJson().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }
}

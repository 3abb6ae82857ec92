package reviewnet.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import reviewnet.io.AtomicDirectory;
import reviewnet.ml.ReviewModels;

/**
 * Saves a trained model where a later job, or any Spark job, can score raw text with it: the model as a Spark ML
 * {@code PipelineModel} ({@link ReviewModels}: {@code metadata/} and {@code stages/}, with the analysis, vocabulary and
 * padding settings it was trained with) and {@code model.json} (the run's settings, seed, epochs, data fingerprint).
 * Committed atomically.
 */
public final class ModelStore {
    public static final String INFO = "model.json";

    private ModelStore() {
    }

    /** Writes {@code model.json} (pretty-printed JSON of {@code info}) into a model directory being committed. */
    public static void writeInfo(AtomicDirectory out, Map<String, Object> info) throws IOException {
        try (OutputStream stream = out.fileSystem().create(new Path(out.path(INFO)), false)) {
            stream.write(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(info)
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Saves {@code model} and its {@code info} to {@code target}; returns the committed directory. */
    public static String save(PipelineModel model, String target, Map<String, Object> info, Configuration hadoopConf) {
        try (AtomicDirectory out = AtomicDirectory.begin(target, hadoopConf)) {
            ReviewModels.save(model, out);
            writeInfo(out, info);
            out.commit();
            return out.target().toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model to " + target, e);
        }
    }
}

package reviewnet.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import reviewnet.io.AtomicDirectory;

/**
 * Saves a trained model where a later job can score raw text with it: {@code model.zip} (DL4J ModelSerializer, with
 * the updater state), a copy of the {@code vocabulary/} it was trained with, and {@code model.json} (the analysis,
 * vocabulary and sequence settings and the metrics). Committed atomically.
 */
public final class ModelStore {
    public static final String MODEL = "model.zip";
    public static final String VOCABULARY = "vocabulary";
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

    public static String save(MultiLayerNetwork network, String vocabularyDir, String target, Map<String, Object> info,
                              Configuration hadoopConf) {
        try (AtomicDirectory out = AtomicDirectory.begin(target, hadoopConf)) {
            FileSystem fs = out.fileSystem();
            try (OutputStream stream = fs.create(new Path(out.path(MODEL)), false)) {
                ModelSerializer.writeModel(network, stream, true);
            }
            Path vocabulary = new Path(vocabularyDir);
            if (!FileUtil.copy(vocabulary.getFileSystem(hadoopConf), vocabulary, fs, new Path(out.path(VOCABULARY)),
                    false, hadoopConf)) {
                throw new IOException("cannot copy " + vocabularyDir);
            }
            writeInfo(out, info);
            out.commit();
            return out.target().toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model to " + target, e);
        }
    }
}

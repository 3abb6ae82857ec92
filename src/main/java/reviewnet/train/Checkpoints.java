package reviewnet.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import reviewnet.io.AtomicFiles;

/**
 * Epoch checkpoints of one training: {@code epoch-N.zip} (network with the Adam state) and {@code latest}, the
 * number of the last complete epoch. Every file is replaced with {@link AtomicFiles}: a run killed while saving
 * leaves the previous checkpoint valid. {@code identity.json} records what the checkpoints were trained on (data
 * fingerprint and resolved training settings); {@link #bind} refuses to resume them for anything else.
 */
public final class Checkpoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The data and settings a training depends on. */
    public record Identity(String dataFingerprint, Map<String, String> settings) {
        public Identity {
            settings = Map.copyOf(settings);
        }
    }

    private static final String VALIDATION = "validation.json";

    private final Path dir;
    private final FileSystem fs;
    private final Configuration conf;

    public Checkpoints(String dir, Configuration conf) {
        try {
            Path path = new Path(dir);
            this.fs = path.getFileSystem(conf);
            this.dir = fs.makeQualified(path);
            this.conf = conf;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the checkpoint folder " + dir, e);
        }
    }

    /**
     * Ties this folder to {@code identity}: with no checkpoint yet, records it; with checkpoints, refuses (with the
     * differences) unless they were written for the same data fingerprint and settings.
     */
    public void bind(Identity identity) {
        Path file = new Path(dir, "identity.json");
        try {
            if (lastEpoch() > 0) {
                if (!fs.exists(file)) {
                    throw new IllegalStateException("the checkpoints in " + dir + " do not record the data and "
                            + "settings they were trained with, so they cannot be resumed safely: delete " + dir
                            + " to train from the start");
                }
                JsonNode saved;
                try (InputStream in = fs.open(file)) {
                    saved = JSON.readTree(in);
                }
                List<String> differences = new ArrayList<>();
                String savedFingerprint = saved.path("data_fingerprint").asText();
                if (!savedFingerprint.equals(identity.dataFingerprint())) {
                    differences.add("data fingerprint " + savedFingerprint + " -> " + identity.dataFingerprint());
                }
                Map<String, String> savedSettings = new TreeMap<>();
                saved.path("settings").fields().forEachRemaining(e -> savedSettings.put(e.getKey(), e.getValue().asText()));
                Set<String> keys = new TreeSet<>(savedSettings.keySet());
                keys.addAll(identity.settings().keySet());
                for (String key : keys) {
                    if (!Objects.equals(savedSettings.get(key), identity.settings().get(key))) {
                        differences.add(key + " " + savedSettings.get(key) + " -> " + identity.settings().get(key));
                    }
                }
                if (!differences.isEmpty()) {
                    throw new IllegalStateException("refusing to resume the checkpoints in " + dir + ": they were "
                            + "trained on other data or settings (" + String.join(", ", differences) + "). Resume "
                            + "with the original input and settings, or use a new run id (or delete " + dir + ")");
                }
                return;
            }
            ObjectNode node = JSON.createObjectNode().put("data_fingerprint", identity.dataFingerprint());
            ObjectNode settings = node.putObject("settings");
            new TreeMap<>(identity.settings()).forEach(settings::put);
            AtomicFiles.replace(conf, file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check the checkpoint identity " + file, e);
        }
    }

    /** The last complete epoch checkpointed, 0 if none. */
    public int lastEpoch() {
        Path latest = new Path(dir, "latest");
        try {
            if (!fs.exists(latest)) {
                return 0;
            }
            try (InputStream in = fs.open(latest)) {
                return Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("unreadable checkpoint pointer " + latest, e);
        }
    }

    public MultiLayerNetwork restore(int epoch) {
        Path zip = new Path(dir, "epoch-" + epoch + ".zip");
        try (InputStream in = fs.open(zip)) {
            return ModelSerializer.restoreMultiLayerNetwork(in, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the checkpoint " + zip, e);
        }
    }

    public void save(int epoch, MultiLayerNetwork network) {
        save(epoch, network, List.of(), epoch);
    }

    /**
     * Saves epoch {@code epoch}'s network and the validation history so far (written before the {@code latest}
     * pointer moves: a kill in between leaves the previous epoch current, and {@link #history} ignores later
     * entries), then deletes the earlier epochs' networks except {@code keep}'s (the best epoch, which early stopping
     * may restore).
     */
    public void save(int epoch, MultiLayerNetwork network, List<DistributedTrainer.EpochScore> history, int keep) {
        try {
            AtomicFiles.replace(conf, new Path(dir, "epoch-" + epoch + ".zip"),
                    out -> ModelSerializer.writeModel(network, out, true));
            AtomicFiles.replace(conf, new Path(dir, VALIDATION),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(history));
            AtomicFiles.replace(conf, new Path(dir, "latest"),
                    Integer.toString(epoch).getBytes(StandardCharsets.UTF_8));
            for (int earlier = 1; earlier < epoch; earlier++) {
                if (earlier != keep) {
                    fs.delete(new Path(dir, "epoch-" + earlier + ".zip"), false);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint of epoch " + epoch + " to " + dir, e);
        }
    }

    /** The validation scores of epochs 1..{@code upTo} as checkpointed (empty without validation). */
    public List<DistributedTrainer.EpochScore> history(int upTo) {
        Path file = new Path(dir, VALIDATION);
        try {
            if (!fs.exists(file)) {
                return List.of();
            }
            List<DistributedTrainer.EpochScore> history = new ArrayList<>();
            try (InputStream in = fs.open(file)) {
                for (JsonNode e : JSON.readTree(in)) {
                    if (e.path("epoch").asInt() <= upTo) {
                        history.add(new DistributedTrainer.EpochScore(e.path("epoch").asInt(),
                                e.path("loss").asDouble(), e.path("accuracy").asDouble()));
                    }
                }
            }
            return history;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the validation history " + file, e);
        }
    }
}

package reviewnet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import reviewnet.io.AtomicFiles;

/**
 * The model registry on a Hadoop-compatible file system:
 * <pre>
 *   versions/&lt;version&gt;/      the model as a Spark ML PipelineModel (metadata/, stages/; versions saved before
 *                              that: model.zip and vocabulary/, or pipeline/), model.json (data fingerprint,
 *                              configuration), metrics.json
 *   runs/&lt;run-id&gt;.json         what a finished run did (its versions, promotion decision and reason): its commit point
 *   champion.json                the champion pointer
 *   checkpoints/&lt;run-id&gt;/      epoch checkpoints of unfinished runs
 *   lock                         held by the run writing the registry
 * </pre>
 * JSON files are replaced with {@link AtomicFiles} (a temporary sibling renamed over the old one, atomically on HDFS
 * and POSIX file systems): readers never see a pointer missing or half-written. Versions are committed by rename too.
 */
public final class Registry {
    static final ObjectMapper JSON = new ObjectMapper();
    public static final String CHAMPION = "champion";

    private final Path root;
    private final FileSystem fs;
    private final Configuration conf;

    public Registry(String path, Configuration conf) {
        try {
            Path p = new Path(path);
            this.fs = p.getFileSystem(conf);
            this.root = fs.makeQualified(p);
            this.conf = conf;
            fs.mkdirs(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the registry " + path, e);
        }
    }

    public Path root() {
        return root;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public String versionDir(String version) {
        return new Path(root, "versions/" + version).toString();
    }

    public String checkpointDir(String runId, String architecture) {
        return new Path(root, "checkpoints/" + runId + "/" + architecture).toString();
    }

    public Optional<JsonNode> champion() {
        return read(new Path(root, "champion.json"));
    }

    public void setChampion(ObjectNode champion) {
        write(new Path(root, "champion.json"), champion);
    }

    public Optional<JsonNode> run(String runId) {
        return read(new Path(root, "runs/" + runId + ".json"));
    }

    public void recordRun(String runId, ObjectNode record) {
        write(new Path(root, "runs/" + runId + ".json"), record);
    }

    /** The ids of every recorded run (committed, completed or not), in no particular order. */
    public List<String> runIds() {
        Path runs = new Path(root, "runs");
        try {
            if (!fs.exists(runs)) {
                return List.of();
            }
            List<String> ids = new ArrayList<>();
            for (FileStatus status : fs.listStatus(runs)) {
                String name = status.getPath().getName();
                if (status.isFile() && name.endsWith(".json") && !name.startsWith(".")) {
                    ids.add(name.substring(0, name.length() - ".json".length()));
                }
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the runs of " + root, e);
        }
    }

    /** The model folder of a version id, or of the champion for {@value #CHAMPION}. */
    public String resolve(String versionOrChampion) {
        String version = versionOrChampion;
        if (CHAMPION.equals(versionOrChampion)) {
            version = champion().map(c -> c.path("version").asText()).orElseThrow(() -> new IllegalStateException(
                    "the registry " + root + " has no champion yet: run jobs/retrain.conf first, or name a version"));
        }
        String dir = versionDir(version);
        try {
            // model.json is written with every model, of either layout (ReviewModels)
            if (!fs.exists(new Path(dir, "model.json"))) {
                throw new IllegalArgumentException("the registry " + root + " has no version '" + version + "'");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    public String versionOf(String versionOrChampion) {
        return CHAMPION.equals(versionOrChampion)
                ? champion().map(c -> c.path("version").asText()).orElse(versionOrChampion) : versionOrChampion;
    }

    public void deleteCheckpoints(String runId) {
        try {
            fs.delete(new Path(root, "checkpoints/" + runId), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<JsonNode> read(Path path) {
        try {
            if (!fs.exists(path)) {
                return Optional.empty();
            }
            try (InputStream in = fs.open(path)) {
                return Optional.of(JSON.readTree(in));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    public void write(Path path, JsonNode node) {
        try {
            AtomicFiles.replace(conf, path, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node)
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }
}

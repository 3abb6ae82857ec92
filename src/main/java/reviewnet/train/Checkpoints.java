package reviewnet.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Epoch checkpoints of one training: {@code epoch-N.zip} (network with the Adam state) and {@code latest}, the
 * number of the last complete epoch. Both are written to a temporary name and renamed: a run killed while saving
 * leaves the previous checkpoint valid.
 */
public final class Checkpoints {
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
        try {
            fs.mkdirs(dir);
            Path zip = new Path(dir, "epoch-" + epoch + ".zip");
            Path tmp = new Path(dir, ".epoch-" + epoch + ".zip.tmp");
            try (OutputStream out = fs.create(tmp, true)) {
                ModelSerializer.writeModel(network, out, true);
            }
            FileContext context = FileContext.getFileContext(dir.toUri(), conf);
            context.rename(tmp, zip, Options.Rename.OVERWRITE);
            Path latestTmp = new Path(dir, ".latest.tmp");
            try (OutputStream out = fs.create(latestTmp, true)) {
                out.write(Integer.toString(epoch).getBytes(StandardCharsets.UTF_8));
            }
            context.rename(latestTmp, new Path(dir, "latest"), Options.Rename.OVERWRITE);
            if (epoch > 1) {
                fs.delete(new Path(dir, "epoch-" + (epoch - 1) + ".zip"), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint of epoch " + epoch + " to " + dir, e);
        }
    }
}

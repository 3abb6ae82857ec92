package reviewnet.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output directory written in a hidden staging sibling and committed by rename, so that readers see either the
 * previous complete output or the new complete output. Closing without {@link #commit()} deletes the staging
 * directory and leaves the previous output untouched.
 */
public final class AtomicDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicDirectory.class);

    private final FileSystem fs;
    private final Path target;
    private final Path staging;
    private boolean committed;

    private AtomicDirectory(FileSystem fs, Path target, Path staging) {
        this.fs = fs;
        this.target = target;
        this.staging = staging;
    }

    public static AtomicDirectory begin(String target, Configuration hadoopConf) {
        try {
            Path path = new Path(target);
            FileSystem fs = path.getFileSystem(hadoopConf);
            Path qualified = fs.makeQualified(path);
            Path staging = new Path(qualified.getParent(), "." + qualified.getName() + ".staging-" + UUID.randomUUID());
            if (!fs.mkdirs(staging)) {
                throw new IOException("mkdirs returned false");
            }
            return new AtomicDirectory(fs, qualified, staging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a staging directory next to " + target, e);
        }
    }

    /** Where to write: a path inside the staging directory. */
    public String path(String child) {
        return new Path(staging, child).toString();
    }

    public Path staging() {
        return staging;
    }

    public Path target() {
        return target;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    /** Replaces the target with the staging directory. */
    public void commit() {
        Path replaced = new Path(target.getParent(), "." + target.getName() + ".replaced-" + UUID.randomUUID());
        try {
            boolean hadTarget = fs.exists(target);
            if (hadTarget && !fs.rename(target, replaced)) {
                throw new IOException("cannot move the previous " + target + " aside");
            }
            if (!fs.rename(staging, target)) {
                if (hadTarget) {
                    fs.rename(replaced, target);
                }
                throw new IOException("cannot rename " + staging + " to " + target);
            }
            committed = true;
            if (hadTarget) {
                fs.delete(replaced, true);
            }
            LOG.info("committed {}", target);
        } catch (IOException e) {
            throw new UncheckedIOException("commit of " + target + " failed; the previous output is intact", e);
        }
    }

    @Override
    public void close() {
        if (!committed) {
            try {
                fs.delete(staging, true);
                LOG.warn("discarded the uncommitted output {}", staging);
            } catch (IOException e) {
                LOG.error("cannot delete the staging directory {}", staging, e);
            }
        }
    }
}

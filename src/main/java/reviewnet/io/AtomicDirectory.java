package reviewnet.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output directory written in a hidden staging sibling and committed by rename, so that readers see either the
 * previous complete output or the new complete output. Closing without {@link #commit()} deletes the staging
 * directory and leaves the previous output untouched.
 *
 * <p>A commit is two renames (previous output aside, staging into place), each checked. A run killed between them
 * leaves the previous output in {@code .<name>.replaced-*} and no target: the next {@link #begin} puts it back. Staging
 * directories of killed runs ({@code .<name>.staging-*}) are deleted by the next {@link #begin} once they are older
 * than {@link #STALE_STAGING} (a younger one may belong to a run still writing).
 *
 * <p>On HDFS and local disks a directory rename is atomic. On object stores (s3a, gs, abfs without hierarchical
 * namespace) a rename copies object by object: readers may see a partial directory during the commit, and a run
 * killed during it leaves a partial target; write outputs to HDFS or a local/shared disk where that matters.
 */
public final class AtomicDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicDirectory.class);

    /** Age after which a leftover staging directory counts as abandoned by a killed run. */
    static final java.time.Duration STALE_STAGING = java.time.Duration.ofHours(1);

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
            recover(fs, qualified, System.currentTimeMillis());
            Path staging = new Path(qualified.getParent(), "." + qualified.getName() + ".staging-" + UUID.randomUUID());
            if (!fs.mkdirs(staging)) {
                throw new IOException("mkdirs returned false");
            }
            return new AtomicDirectory(fs, qualified, staging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a staging directory next to " + target, e);
        }
    }

    /**
     * Cleans up after runs killed while writing {@code target}: a previous output moved aside but never replaced is
     * moved back; one left next to a committed target is deleted; staging directories older than
     * {@link #STALE_STAGING} are deleted.
     */
    static void recover(FileSystem fs, Path target, long now) throws IOException {
        if (!fs.exists(target.getParent())) {
            return;
        }
        String prefix = "." + target.getName() + ".";
        FileStatus[] leftovers = fs.listStatus(target.getParent(),
                path -> path.getName().startsWith(prefix + "staging-") || path.getName().startsWith(prefix + "replaced-"));
        for (FileStatus left : leftovers) {
            Path path = left.getPath();
            if (path.getName().startsWith(prefix + "replaced-")) {
                if (!fs.exists(target)) {
                    if (!fs.rename(path, target)) {
                        throw new IOException("cannot restore the previous output " + path + " to " + target);
                    }
                    LOG.warn("restored {} from {}: a run was killed in the middle of its commit", target, path);
                } else {
                    delete(fs, path, "the previous output left by a run killed after its commit");
                }
            } else if (now - left.getModificationTime() > STALE_STAGING.toMillis()) {
                delete(fs, path, "the staging directory of a killed run");
            }
        }
    }

    private static void delete(FileSystem fs, Path path, String what) throws IOException {
        if (!fs.delete(path, true) && fs.exists(path)) {
            throw new IOException("cannot delete " + what + ": " + path);
        }
        LOG.warn("deleted {}: {}", what, path);
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
                if (hadTarget && !fs.rename(replaced, target)) {
                    throw new IOException("cannot rename " + staging + " to " + target + ", nor put the previous output "
                            + "back: it is in " + replaced + " (the next run restores it)");
                }
                throw new IOException("cannot rename " + staging + " to " + target);
            }
            committed = true;
            if (hadTarget && !fs.delete(replaced, true) && fs.exists(replaced)) {
                LOG.warn("committed {}, but cannot delete the previous output {} (the next run retries)", target,
                        replaced);
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

package reviewnet.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Replaces a file so that it is never absent or partial: the content goes to a unique temporary sibling, which then
 * takes the file's name in one atomic step. Readers (and a kill at any instant) see the old complete file or the new
 * complete file.
 *
 * <ul>
 *   <li>{@code file:} paths: {@code rename(2)} ({@link StandardCopyOption#ATOMIC_MOVE}), after {@code fsync}. Hadoop's
 *   local file system renames with overwrite as delete-then-rename, which leaves a moment without the file. Hadoop's
 *   {@code .crc} side file of the target, if any, is removed first (it would not match the new content); files
 *   written here have none.</li>
 *   <li>HDFS (and any file system whose {@code rename(…, OVERWRITE)} is one namespace operation): that rename, which
 *   HDFS performs atomically.</li>
 *   <li>Object stores (s3a, gs, abfs without hierarchical namespace) have no atomic rename: there the replace is a
 *   copy, and a reader may see the file missing for a moment; keep the registry on HDFS or a local/shared disk.</li>
 * </ul>
 */
public final class AtomicFiles {
    /** Writes a file's content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    public static void replace(Configuration conf, Path path, byte[] content) throws IOException {
        replace(conf, path, out -> out.write(content));
    }

    public static void replace(Configuration conf, Path path, Content content) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        Path target = fs.makeQualified(path);
        Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        fs.mkdirs(target.getParent());
        if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
            replaceLocal(fs, tmp, target, content);
            return;
        }
        try {
            try (OutputStream out = fs.create(tmp, false)) {
                content.writeTo(out);
            }
            FileContext.getFileContext(target.toUri(), conf).rename(tmp, target, Options.Rename.OVERWRITE);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(fs, tmp);
            throw e;
        }
    }

    private static void replaceLocal(FileSystem fs, Path tmp, Path target, Content content) throws IOException {
        java.nio.file.Path to = java.nio.file.Path.of(target.toUri());
        java.nio.file.Path from = java.nio.file.Path.of(tmp.toUri());
        try {
            try (FileChannel channel = FileChannel.open(from, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(channel)) {
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.deleteIfExists(to.resolveSibling("." + to.getFileName() + ".crc"));
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(from);
            throw e;
        }
    }

    private static void deleteQuietly(FileSystem fs, Path tmp) {
        try {
            fs.delete(tmp, false);
        } catch (IOException ignored) {
            // the original failure matters
        }
    }
}

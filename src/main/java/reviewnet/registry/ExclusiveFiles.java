package reviewnet.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The three file operations a lock needs, each atomic where the file system allows it: create a file only if no file
 * of that name exists (with its whole content), read it, delete it.
 * <ul>
 *   <li>{@code file:} paths use java.nio directly (Hadoop's local create is check-then-create): the content is written
 *   to a unique temporary file which is then hard-linked to the name ({@code link(2)} fails if the name exists), so a
 *   lock is never seen half-written; where hard links are not supported, {@code O_CREAT|O_EXCL}.</li>
 *   <li>any other file system uses {@code create(path, false)}: atomic on HDFS (the NameNode; a file still being
 *   written by the winner is reported as AlreadyBeingCreatedException, which counts as existing),
 *   check-then-create on object stores such as s3a.</li>
 * </ul>
 */
abstract class ExclusiveFiles {

    static ExclusiveFiles of(FileSystem fs) {
        return fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem || "file".equals(fs.getScheme())
                ? new Posix() : new Hadoop(fs);
    }

    /** Creates {@code path} holding {@code content}; false (and nothing written) when it exists. */
    abstract boolean createNew(Path path, byte[] content) throws IOException;

    /** The content of {@code path}, empty when there is no such file. */
    abstract Optional<byte[]> read(Path path) throws IOException;

    abstract void delete(Path path) throws IOException;

    private static final class Posix extends ExclusiveFiles {
        private static java.nio.file.Path local(Path path) {
            return Paths.get(path.toUri());
        }

        @Override
        boolean createNew(Path path, byte[] content) throws IOException {
            java.nio.file.Path target = local(path);
            Files.createDirectories(target.getParent());
            java.nio.file.Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID()
                    + ".tmp");
            Files.write(tmp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
            try {
                Files.createLink(target, tmp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException | IOException noHardLinks) {
                try {
                    Files.write(target, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                            StandardOpenOption.SYNC);
                    return true;
                } catch (FileAlreadyExistsException e) {
                    return false;
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        }

        @Override
        Optional<byte[]> read(Path path) throws IOException {
            try {
                return Optional.of(Files.readAllBytes(local(path)));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        }

        @Override
        void delete(Path path) throws IOException {
            Files.deleteIfExists(local(path));
        }
    }

    private static final class Hadoop extends ExclusiveFiles {
        private final FileSystem fs;

        Hadoop(FileSystem fs) {
            this.fs = fs;
        }

        @Override
        boolean createNew(Path path, byte[] content) throws IOException {
            try (OutputStream out = fs.create(path, false)) {
                out.write(content);
                return true;
            } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
                return false;
            } catch (IOException e) {
                if (exists(e)) {
                    return false;
                }
                throw e;
            }
        }

        /**
         * Whether {@code create} failed because the file exists: HDFS reports it as a {@code RemoteException} with
         * only a message, or, while its creator is still writing it (its lease not yet released), as an
         * {@code AlreadyBeingCreatedException}: a contender that lost the race by microseconds.
         */
        static boolean exists(IOException e) {
            String remoteClass = e instanceof org.apache.hadoop.ipc.RemoteException remote ? remote.getClassName() : "";
            return e.getClass().getName().endsWith(".AlreadyBeingCreatedException")
                    || remoteClass.endsWith(".AlreadyBeingCreatedException")
                    || remoteClass.endsWith(".FileAlreadyExistsException")
                    || e.getMessage() != null && e.getMessage().contains("already exists");
        }

        @Override
        Optional<byte[]> read(Path path) throws IOException {
            try (InputStream in = fs.open(path)) {
                return Optional.of(in.readAllBytes());
            } catch (java.io.FileNotFoundException e) {
                return Optional.empty();
            }
        }

        @Override
        void delete(Path path) throws IOException {
            fs.delete(path, false);
        }
    }
}

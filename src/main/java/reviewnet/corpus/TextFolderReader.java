package reviewnet.corpus;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Unlabelled reviews: every {@code *.txt} file under a folder (recursively), e.g. new reviews to score. The id is
 * the path below the folder without {@code .txt}; split, label and rating are null. Bad files are skipped rows with
 * their reason, as for the labelled corpus.
 */
public final class TextFolderReader implements CorpusReader {
    private final String path;
    private final long maxBytes;
    private final List<FileStatus> listing = new ArrayList<>();
    private String root;

    public TextFolderReader(String path, long maxBytes) {
        this.path = path;
        this.maxBytes = maxBytes;
    }

    @Override
    public List<FileStatus> list(SparkSession spark) {
        listing.clear();
        Path dir = new Path(path);
        try {
            FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(dir) || !fs.getFileStatus(dir).isDirectory()) {
                throw new CorpusException("input path " + fs.makeQualified(dir) + " is not a directory; expected a "
                        + "folder of *.txt reviews");
            }
            root = fs.makeQualified(dir).toString();
            // listStatus, folder by folder: FileSystem.listFiles makes a LocatedFileStatus of every file, which on a
            // local disk without Hadoop's native library runs `ls -ld` once per file (minutes for 50,000 reviews)
            java.util.ArrayDeque<Path> folders = new java.util.ArrayDeque<>(List.of(dir));
            while (!folders.isEmpty()) {
                for (FileStatus status : fs.listStatus(folders.pop())) {
                    if (status.isDirectory()) {
                        folders.push(status.getPath());
                    } else if (status.getPath().getName().endsWith(".txt")) {
                        listing.add(status);
                    }
                }
            }
        } catch (IOException e) {
            throw new CorpusException("cannot list input path " + path + ": " + e.getMessage(), e);
        }
        if (listing.isEmpty()) {
            throw new CorpusException("input path " + root + " holds no *.txt files");
        }
        return List.copyOf(listing);
    }

    @Override
    public Dataset<Row> read(SparkSession spark) {
        if (root == null) {
            list(spark);
        }
        String prefix = root.endsWith("/") ? root : root + "/";
        return TextFiles.read(spark, List.of(root), true, listing, maxBytes, (file, text, reason, bom) -> {
            String relative = file.startsWith(prefix) ? file.substring(prefix.length())
                    : file.substring(file.lastIndexOf('/') + 1);
            String id = relative.endsWith(".txt") ? relative.substring(0, relative.length() - 4) : relative;
            return ReviewSchema.raw(id, null, null, null, file, text, reason, bom);
        });
    }
}

package reviewnet.corpus;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
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
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(dir, true);
            while (files.hasNext()) {
                LocatedFileStatus file = files.next();
                if (file.getPath().getName().endsWith(".txt")) {
                    listing.add(file);
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

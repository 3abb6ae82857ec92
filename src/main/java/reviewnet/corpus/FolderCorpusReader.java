package reviewnet.corpus;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.config.InputSettings;

/**
 * Reads the aclImdb folder layout {@code ROOT/<split>/<label>/<id>[_<rating>].txt} with Spark's {@code binaryFile}
 * source: the driver only checks and lists the folders; file contents are read and decoded on the executors. After
 * {@link #list}, {@link #read} reads the folders checked then. Other folders
 * under a split (e.g. {@code train/unsup}) and files not named {@code *.txt} are not read (the latter are counted).
 */
public final class FolderCorpusReader implements CorpusReader {
    private static final Logger LOG = LoggerFactory.getLogger(FolderCorpusReader.class);
    static final Pattern RATED_NAME = Pattern.compile("(.+)_(\\d{1,3})");

    private final InputSettings input;
    private long ignoredFiles;
    private final List<FileStatus> listing = new ArrayList<>();
    private List<String> folders;

    public FolderCorpusReader(InputSettings input) {
        this.input = input;
    }

    @Override
    public Dataset<Row> read(SparkSession spark) {
        if (folders == null) {
            checkLayout(spark.sparkContext().hadoopConfiguration());
        }
        InputSettings in = input;
        return TextFiles.read(spark, folders, false, listing, input.maxBytes(),
                (path, text, reason, bom) -> row(path, in, text, reason, bom));
    }

    @Override
    public List<FileStatus> list(SparkSession spark) {
        checkLayout(spark.sparkContext().hadoopConfiguration());
        return List.copyOf(listing);
    }

    @Override
    public long ignoredFiles() {
        return ignoredFiles;
    }

    /** Checks ROOT/split/label folders exist and hold *.txt files; lists them (qualified) and their files. */
    void checkLayout(Configuration hadoopConf) {
        Path root = new Path(input.path());
        String expected = "expected the aclImdb layout " + input.path() + "/{" + String.join(",", input.splits())
                + "}/{" + String.join(",", input.labels()) + "}/<id>_<rating>.txt";
        List<String> found = new ArrayList<>();
        ignoredFiles = 0;
        listing.clear();
        try {
            FileSystem fs = root.getFileSystem(hadoopConf);
            if (!fs.exists(root)) {
                throw new CorpusException("input path " + fs.makeQualified(root) + " does not exist; " + expected);
            }
            if (!fs.getFileStatus(root).isDirectory()) {
                throw new CorpusException("input path " + fs.makeQualified(root) + " is not a directory; " + expected
                        + " (for a single file set reviewnet.input.format to csv, json or parquet)");
            }
            for (String split : input.splits()) {
                Path splitDir = new Path(root, split);
                if (!fs.exists(splitDir) || !fs.getFileStatus(splitDir).isDirectory()) {
                    throw new CorpusException("missing split folder " + fs.makeQualified(splitDir) + "; " + expected);
                }
                for (String label : input.labels()) {
                    Path labelDir = new Path(splitDir, label);
                    if (!fs.exists(labelDir) || !fs.getFileStatus(labelDir).isDirectory()) {
                        throw new CorpusException("missing label folder " + fs.makeQualified(labelDir) + "; "
                                + expected + " (label folder names come from reviewnet.input.labels)");
                    }
                    long texts = 0;
                    for (FileStatus status : fs.listStatus(labelDir)) {
                        if (status.isFile() && status.getPath().getName().endsWith(".txt")) {
                            texts++;
                            listing.add(status);
                        } else if (status.isFile()) {
                            ignoredFiles++;
                        }
                    }
                    if (texts == 0) {
                        throw new CorpusException("label folder " + fs.makeQualified(labelDir)
                                + " has no *.txt files; " + expected);
                    }
                    found.add(fs.makeQualified(labelDir).toString());
                }
            }
        } catch (IOException e) {
            throw new CorpusException("cannot list input path " + input.path() + ": " + e.getMessage(), e);
        }
        if (ignoredFiles > 0) {
            LOG.warn("{} files under {} are not named *.txt and are ignored", ignoredFiles, input.path());
        }
        folders = found;
    }

    /** One raw row; split, label, id and rating come from the path {@code .../<split>/<label>/<stem>.txt}. */
    static Row row(String path, InputSettings in, String text, SkipReason.Skip skip, boolean bom) {
        int slash = path.lastIndexOf('/');
        int parentSlash = path.lastIndexOf('/', slash - 1);
        int splitSlash = path.lastIndexOf('/', parentSlash - 1);
        String labelName = path.substring(parentSlash + 1, slash);
        String split = path.substring(splitSlash + 1, parentSlash);
        String fileName = path.substring(slash + 1);
        String stem = fileName.endsWith(".txt") ? fileName.substring(0, fileName.length() - 4) : fileName;
        Integer rating = null;
        Matcher rated = RATED_NAME.matcher(stem);
        if (rated.matches()) {
            rating = Integer.valueOf(rated.group(2));
        }
        int label = in.labels().indexOf(labelName);
        String id = split + "/" + labelName + "/" + stem;
        return ReviewSchema.raw(id, split, label < 0 ? null : label, rating, path, text, skip, bom);
    }
}

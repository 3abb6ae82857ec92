package reviewnet.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Real slices of the Large Movie Review Dataset for tests: read from {@code IMDB_TARBALL}, else
 * {@code ../shared/data/aclImdb_v1.tar.gz}, else {@code data/aclImdb_v1.tar.gz}; extracted under {@code target/}.
 */
public final class ImdbData {
    private static final Pattern REVIEW = Pattern.compile("aclImdb/(train|test)/(pos|neg|unsup)/[^/]+\\.txt");

    private ImdbData() {
    }

    public static Path tarball() {
        String env = System.getenv("IMDB_TARBALL");
        for (String candidate : new String[] {env, "../shared/data/aclImdb_v1.tar.gz", "data/aclImdb_v1.tar.gz"}) {
            if (candidate != null && Files.isRegularFile(Paths.get(candidate))) {
                return Paths.get(candidate).toAbsolutePath();
            }
        }
        throw new IllegalStateException("the IMDB tarball was not found: set IMDB_TARBALL to aclImdb_v1.tar.gz "
                + "(data/fetch-imdb.sh downloads it)");
    }

    /**
     * The first {@code perFolder} reviews (in archive order) of each of train/test × neg/pos, extracted once into
     * {@code target/imdb/slice-N/aclImdb}; {@code perFolder <= 0} means all of them. Returns the aclImdb root.
     */
    public static Path slice(int perFolder) {
        return slice(perFolder, perFolder);
    }

    /** {@code trainPerFolder} reviews of each train label folder and {@code testPerFolder} of each test one. */
    public static Path slice(int trainPerFolder, int testPerFolder) {
        return slice(trainPerFolder, testPerFolder, 0);
    }

    /**
     * {@code perFolder} reviews of each label folder and the first {@code unsup} (&gt; 0) unlabelled reviews, in
     * {@code train/unsup}, extracted once into {@code target/imdb/slice-N-unsup-U/aclImdb}.
     */
    public static Path sliceWithUnsup(int perFolder, int unsup) {
        if (perFolder <= 0 || unsup <= 0) {
            throw new IllegalArgumentException("a slice with unlabelled reviews needs positive counts");
        }
        return slice(perFolder, perFolder, unsup);
    }

    private static synchronized Path slice(int trainPerFolder, int testPerFolder, int unsup) {
        String name = (trainPerFolder == testPerFolder ? "slice-" + trainPerFolder
                : "slice-" + trainPerFolder + "-" + testPerFolder) + (unsup > 0 ? "-unsup-" + unsup : "");
        Path dir = Paths.get("target", "imdb", trainPerFolder > 0 ? name : "full").toAbsolutePath();
        Path root = dir.resolve("aclImdb");
        Path done = dir.resolve(".complete");
        if (Files.exists(done)) {
            return root;
        }
        // test JVMs run in parallel (surefire forkCount): one extracts, the others wait for it
        try (FileChannel lock = FileChannel.open(Files.createDirectories(dir.getParent()).resolve(name + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock held = lock.lock()) {
            if (!Files.exists(done)) {
                extract(dir, trainPerFolder, testPerFolder, unsup);
                Files.createFile(done);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + tarball() + " into " + dir, e);
        }
        return root;
    }

    private static void extract(Path dir, int trainPerFolder, int testPerFolder, int unsup) throws IOException {
        Map<String, Integer> taken = new HashMap<>();
        try (InputStream file = new BufferedInputStream(Files.newInputStream(tarball()), 1 << 16);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(file))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextTarEntry()) != null) {
                Matcher m = REVIEW.matcher(entry.getName());
                if (!entry.isFile() || !m.matches()) {
                    continue;
                }
                boolean unlabelled = m.group(2).equals("unsup");
                if (unlabelled && unsup <= 0) {
                    continue;
                }
                String folder = m.group(1) + "/" + m.group(2);
                int perFolder = unlabelled ? unsup : m.group(1).equals("train") ? trainPerFolder : testPerFolder;
                int n = taken.getOrDefault(folder, 0);
                if (perFolder > 0 && n >= perFolder) {
                    continue;
                }
                Path target = dir.resolve(entry.getName());
                Files.createDirectories(target.getParent());
                Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                taken.put(folder, n + 1);
            }
        }
    }

    /**
     * The reviews of an extracted slice ({@link #slice}) as one Parquet table at {@code uri} (any Hadoop file system)
     * with the columns {@code reviewnet.input.format=parquet} reads by default: id ({@code split/label/file}), split,
     * label, text.
     */
    public static void writeParquet(SparkSession spark, Path slice, String uri) throws IOException {
        List<Row> reviews = new ArrayList<>();
        for (String split : List.of("train", "test")) {
            for (String label : List.of("neg", "pos")) {
                try (Stream<Path> files = Files.list(slice.resolve(split).resolve(label)).sorted()) {
                    for (Path file : files.toList()) {
                        reviews.add(RowFactory.create(split + "/" + label + "/" + file.getFileName(), split, label,
                                Files.readString(file)));
                    }
                }
            }
        }
        StructType schema = new StructType().add("id", DataTypes.StringType).add("split", DataTypes.StringType)
                .add("label", DataTypes.StringType).add("text", DataTypes.StringType);
        spark.createDataFrame(reviews, schema).coalesce(1).write().parquet(uri);
    }
}

package reviewnet.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import reviewnet.config.CorpusGeneratorSettings;

import static org.apache.spark.sql.functions.col;

/**
 * Writes the generated corpus into a (staging) directory, from the executors, and counts what was written there:
 * {@code parquet}: Parquet files with columns id, split, label, text directly in the directory (what
 * {@code reviewnet.input.format=parquet} reads); {@code folders}: the aclImdb layout {@code <split>/<label>/<n>.txt}
 * (UTF-8, no rating in the name) that {@code FolderCorpusReader} reads, without Hadoop's {@code .crc} side files.
 */
public final class CorpusWriter {
    private CorpusWriter() {
    }

    /** Writes {@code corpus} ({@link ReviewAssembler#CORPUS}) into {@code dir}; returns reviews written per split/label. */
    public static Map<String, Long> write(SparkSession spark, Dataset<Row> corpus, CorpusGeneratorSettings.Format format,
                                          Path dir, List<String> splits, List<String> labels) {
        return switch (format) {
            case PARQUET -> writeParquet(spark, corpus, dir);
            case FOLDERS -> writeFolders(spark, corpus, dir, splits, labels);
        };
    }

    private static Map<String, Long> writeParquet(SparkSession spark, Dataset<Row> corpus, Path dir) {
        // the staging directory exists (empty): append into it
        corpus.select("id", "split", "label", "text").write().mode(SaveMode.Append).parquet(dir.toString());
        // read back by file: Spark ignores a hidden folder (the staging folder's name starts with a dot) given as is
        List<String> files = new ArrayList<>();
        try {
            for (FileStatus status : dir.getFileSystem(spark.sparkContext().hadoopConfiguration()).listStatus(dir)) {
                if (status.isFile() && status.getPath().getName().endsWith(".parquet")) {
                    files.add(status.getPath().toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        Map<String, Long> written = new TreeMap<>();
        if (files.isEmpty()) {
            return written;
        }
        for (Row r : spark.read().parquet(files.toArray(new String[0])).groupBy(col("split"), col("label")).count()
                .collectAsList()) {
            written.put(r.getString(0) + "/" + r.getString(1), r.getLong(2));
        }
        return written;
    }

    private static Map<String, Long> writeFolders(SparkSession spark, Dataset<Row> corpus, Path dir,
                                                  List<String> splits, List<String> labels) {
        Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
        try {
            FileSystem fs = rawFileSystem(dir, hadoopConf);
            for (String split : splits) {
                for (String label : labels) {
                    Path folder = new Path(new Path(dir, split), label);
                    if (!fs.mkdirs(folder)) {
                        throw new IOException("mkdirs returned false for " + folder);
                    }
                }
            }
            Broadcast<SerializableConfiguration> conf = JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .broadcast(new SerializableConfiguration(hadoopConf));
            String root = dir.toString();
            try {
                corpus.foreachPartition((ForeachPartitionFunction<Row>) rows -> writeFiles(rows, root,
                        conf.value().value()));
            } finally {
                conf.destroy();
            }
            Map<String, Long> written = new TreeMap<>();
            for (String split : splits) {
                for (String label : labels) {
                    long files = 0;
                    for (FileStatus status : fs.listStatus(new Path(new Path(dir, split), label))) {
                        if (status.isFile() && status.getPath().getName().endsWith(".txt")) {
                            files++;
                        }
                    }
                    written.put(split + "/" + label, files);
                }
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the review files under " + dir, e);
        }
    }

    private static void writeFiles(Iterator<Row> rows, String root, Configuration conf) throws IOException {
        Path dir = new Path(root);
        FileSystem fs = rawFileSystem(dir, conf);
        while (rows.hasNext()) {
            Row r = rows.next();
            Path file = new Path(new Path(new Path(dir, r.getString(2)), r.getString(3)), r.getLong(0) + ".txt");
            byte[] text = r.getString(4).getBytes(StandardCharsets.UTF_8);
            // overwrite: a retried task writes the same bytes again
            if (fs instanceof RawLocalFileSystem local) {
                // straight to the disk: Hadoop's local create sets the permission by running chmod, once per file,
                // where its native library is missing (an hour for 200,000 reviews)
                java.nio.file.Files.write(local.pathToFile(file).toPath(), text);
            } else {
                try (OutputStream out = fs.create(file, true)) {
                    out.write(text);
                }
            }
        }
    }

    /** The file system of {@code path}; for local paths the raw one, which writes no {@code .<name>.crc} files. */
    static FileSystem rawFileSystem(Path path, Configuration conf) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }
}

package reviewnet.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** Questions about a path on whatever Hadoop file system its scheme names (local, HDFS, object stores). */
public final class HadoopFiles {
    private HadoopFiles() {
    }

    /** Whether {@code path} exists; an I/O error (not a missing path) is thrown, naming {@code what}. */
    public static boolean exists(SparkSession spark, Path path, String what) {
        try {
            return path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + what + " " + path, e);
        }
    }

    public static boolean exists(SparkSession spark, String path, String what) {
        return exists(spark, new Path(path), what);
    }
}

package reviewnet.corpus;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import static org.apache.spark.sql.functions.col;

/**
 * Reads listed {@code *.txt} review files into rows of {@link ReviewSchema#RAW}: contents are read with Spark's
 * {@code binaryFile} source and decoded on the executors. Spark's file sources drop zero-length files without a
 * trace, and oversized contents must not be loaded: both are known from the driver's listing and reported from
 * there (the length filter is pushed down to the source).
 */
final class TextFiles {
    /** Makes the raw row of one file from its path and decoding outcome. */
    interface RowMaker extends Serializable {
        Row row(String path, String text, SkipReason.Skip skip, boolean bom);
    }

    private TextFiles() {
    }

    static Dataset<Row> read(SparkSession spark, List<String> folders, boolean recursive, List<FileStatus> listing,
                             long maxBytes, RowMaker maker) {
        Dataset<Row> readable = spark.read().format("binaryFile")
                .option("pathGlobFilter", "*.txt")
                .option("recursiveFileLookup", recursive)
                .load(folders.toArray(new String[0]))
                .where(col("length").gt(0).and(col("length").leq(maxBytes))).select(col("path"), col("content"))
                .mapPartitions((MapPartitionsFunction<Row, Row>) rows -> decodeAll(rows, maxBytes, maker),
                        Encoders.row(ReviewSchema.RAW));
        List<Row> unread = new ArrayList<>();
        for (FileStatus file : listing) {
            if (file.getLen() == 0 || file.getLen() > maxBytes) {
                SkipReason.Skip reason = file.getLen() == 0 ? ReviewDecoder.emptyFile()
                        : ReviewDecoder.tooLarge(file.getLen(), maxBytes);
                unread.add(maker.row(file.getPath().toString(), null, reason, false));
            }
        }
        return unread.isEmpty() ? readable : readable.unionByName(spark.createDataFrame(unread, ReviewSchema.RAW));
    }

    private static Iterator<Row> decodeAll(Iterator<Row> files, long maxBytes, RowMaker maker) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return files.hasNext();
            }

            @Override
            public Row next() {
                Row file = files.next();
                ReviewDecoder.Decoded decoded = ReviewDecoder.decode((byte[]) file.get(1), maxBytes);
                return maker.row(file.getString(0), decoded.text(), decoded.skip(), decoded.bom());
            }
        };
    }
}

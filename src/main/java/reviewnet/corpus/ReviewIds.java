package reviewnet.corpus;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;

/**
 * Review ids of tabular input that do not depend on the cluster: the same input gives the same ids whatever the
 * number of cores, splits or partitions, so that a join by id (the champion's re-evaluation, the baseline's features,
 * a user's own join) pairs each review with itself.
 * <ul>
 *   <li>Without an id column, the id is derived from the content: the first 32 hex digits (128 bits) of the SHA-256 of
 *   the review's split, label and text (text alone for unlabelled input). Exact duplicates (same content) are
 *   numbered in the order of their files' paths: the first keeps the digest, the n-th gets {@code <digest>-n}; rows
 *   identical in content and file are interchangeable, so which of them gets which number changes nothing.</li>
 *   <li>A given id column must be usable: a blank (null or whitespace) or repeated id is refused with examples.</li>
 * </ul>
 */
public final class ReviewIds {
    private static final String DIGEST = "__content_digest";
    private static final int EXAMPLES = 5;

    private ReviewIds() {
    }

    /**
     * Replaces the {@code id} column of {@code reviews} (columns id, split, label, source, text) by content-derived
     * ids.
     */
    public static Dataset<Row> derive(Dataset<Row> reviews, boolean labelled) {
        Column text = coalesce(col("text"), lit(""));
        Column content = labelled
                ? concat_ws("\u0001", coalesce(col("split"), lit("")), coalesce(col("label"), lit("")), text)
                : text;
        Column n = row_number().over(Window.partitionBy(col(DIGEST)).orderBy(col("source")));
        return reviews.withColumn(DIGEST, substring(sha2(content, 256), 1, 32))
                .withColumn("id", when(n.equalTo(1), col(DIGEST))
                        .otherwise(concat(col(DIGEST), lit("-"), n.cast("string"))))
                .drop(DIGEST);
    }

    /** Refuses a given id column with blank or repeated values, naming examples (one pass over the ids). */
    public static void requireUsable(Dataset<Row> table, String idColumn, String input) {
        Column id = col(idColumn).cast("string");
        Dataset<Row> perId = table.select(id.as("id"), input_file_name().as("file")).groupBy("id")
                .agg(count(lit(1)).as("n"), min("file").as("file"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            List<Row> blank = perId.where(col("id").isNull().or(trim(col("id")).equalTo(""))).collectAsList();
            if (!blank.isEmpty()) {
                long rows = blank.stream().mapToLong(r -> r.getLong(1)).sum();
                throw new CorpusException("input " + input + ": the id column '" + idColumn + "' is blank in "
                        + rows + " row(s) (e.g. in " + blank.get(0).getString(2) + "); every review needs its own id. "
                        + "Fill them in, or name a column that does not exist in reviewnet.input.columns.id to have "
                        + "ids derived from the content");
            }
            Dataset<Row> repeated = perId.where(col("n").gt(1));
            List<Row> examples = repeated.orderBy(col("n").desc(), col("id")).limit(EXAMPLES).collectAsList();
            if (!examples.isEmpty()) {
                long ids = repeated.count();
                throw new CorpusException("input " + input + ": the id column '" + idColumn + "' repeats " + ids
                        + " id(s), e.g. " + examples.stream().map(r -> "'" + r.getString(0) + "' (" + r.getLong(1)
                        + " rows, in " + r.getString(2) + ")").collect(Collectors.joining(", "))
                        + "; ids must be unique, or leave the id column out to have ids derived from the content");
            }
        } finally {
            perId.unpersist();
        }
    }

    /**
     * Fails unless every id of {@code wanted} is in {@code available} (one column {@code id} each): a join by id
     * that would silently drop reviews. {@code what} names the join in the message.
     */
    public static void requireAllPresent(Dataset<Row> wanted, Dataset<Row> available, String what) {
        Dataset<Row> missing = wanted.select("id").join(available.select("id"),
                scala.collection.JavaConverters.asScalaBuffer(List.of("id")).toSeq(), "left_anti");
        List<String> examples = missing.limit(EXAMPLES).collectAsList().stream().map(r -> r.getString(0)).toList();
        if (!examples.isEmpty()) {
            throw new IllegalStateException(what + ": " + missing.count() + " review id(s) have no match, e.g. "
                    + examples + ": the input changed since the data were prepared (prepare again)");
        }
    }
}

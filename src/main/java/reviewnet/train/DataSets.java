package reviewnet.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Prepared Parquet rows (label, seq[, bigrams]) as DL4J minibatches: features [n, width] indices (float, see
 * {@link Features}), labels [n, 1].
 * A minibatch is filled from up to {@code batchSize} consecutive rows of a partition with one array copy, so no
 * {@code DataSet} per review is made and merged again later (that per-row work cost seconds per architecture).
 */
public final class DataSets {
    private static final String ID = "id";

    private DataSets() {
    }

    /**
     * Minibatches of the rows in a seeded random order (every minibatch mixes both labels whatever the file order),
     * in {@code partitions} partitions; the last minibatch of a partition may be smaller. Which partition a review goes
     * to and its place there are functions of its id and the seed alone (a seeded hash of the id, hash-partitioned,
     * sorted within each partition), so the same prepared reviews give the same minibatches however their files are
     * laid out: a global sort cut into {@code partitions} by coalescing depended on the range bounds Spark samples
     * from the input partitions, and {@code rand(seed)} on the order the input partitions were read in.
     */
    public static JavaRDD<DataSet> shuffledMinibatches(Dataset<Row> prepared, int batchSize, int partitions,
                                                       long seed, Features features) {
        org.apache.spark.sql.Column key = functions.xxhash64(functions.col(ID), functions.lit(seed));
        Dataset<Row> rows = select(prepared.repartition(partitions, key).sortWithinPartitions(key,
                functions.col(ID)), features);
        return rows.toJavaRDD().mapPartitions(it -> new Batcher(it, batchSize, features, false));
    }

    /**
     * Minibatches (for evaluation) in {@code partitions} partitions of equal size, give or take one review: a
     * round-robin repartition, because coalescing the stored files kept their sizes (4,274 to 7,561 test reviews per
     * file on IMDB) and one evaluation task then ran almost twice as long as the other.
     */
    public static JavaRDD<DataSet> minibatches(Dataset<Row> prepared, int batchSize, int partitions,
                                               Features features) {
        // the review ids travel with each minibatch (its example metadata) where the rows have them: per-review
        // predictions are written by id
        boolean ids = java.util.Arrays.asList(prepared.columns()).contains(ID);
        Dataset<Row> rows = select(prepared, features, ids);
        return rows.repartition(partitions).toJavaRDD().mapPartitions(it -> new Batcher(it, batchSize, features, ids));
    }

    /** The ids of a minibatch's reviews, when it carries them (else null). */
    public static String[] ids(DataSet minibatch) {
        List<java.io.Serializable> meta = minibatch.getExampleMetaData();
        return meta == null ? null : meta.stream().map(String.class::cast).toArray(String[]::new);
    }

    /** {@link #minibatches(Dataset, int, int, Features)} of the word indices. */
    public static JavaRDD<DataSet> minibatches(Dataset<Row> prepared, int batchSize, int partitions) {
        return minibatches(prepared, batchSize, partitions, Features.WORDS);
    }

    private static Dataset<Row> select(Dataset<Row> prepared, Features features) {
        return select(prepared, features, false);
    }

    /** label, the feature columns, and the id last when {@code withId}. */
    private static Dataset<Row> select(Dataset<Row> prepared, Features features, boolean withId) {
        List<org.apache.spark.sql.Column> columns = new ArrayList<>();
        columns.add(functions.col("label"));
        for (String c : features.columns()) {
            if (!java.util.Arrays.asList(prepared.columns()).contains(c)) {
                throw new IllegalStateException("the prepared data has no column '" + c + "' (columns: "
                        + java.util.Arrays.toString(prepared.columns()) + "); prepare it again with this version");
            }
            columns.add(functions.col(c));
        }
        if (withId) {
            columns.add(functions.col(ID));
        }
        return prepared.select(columns.toArray(new org.apache.spark.sql.Column[0]));
    }

    /** One minibatch of the given rows (label, feature columns), all sequences of the same length. */
    static DataSet minibatch(List<Row> rows, Features f) {
        return minibatch(rows, f, false);
    }

    /** As above; {@code ids}: the rows' last column is the review id, kept as the minibatch's example metadata. */
    static DataSet minibatch(List<Row> rows, Features f, boolean ids) {
        int width = f.width(rows.get(0).getList(1).size());
        float[] features = new float[rows.size() * width];
        float[] labels = new float[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            int length = row.getList(1).size();
            if (f.width(length) != width) {
                throw new IllegalStateException("prepared sequences must all have the same length: found "
                        + rows.get(0).getList(1).size() + " and " + length
                        + " (is the prepared data from one prepare run?)");
            }
            f.fill(row, 1, features, r * width);
            labels[r] = row.getInt(0);
        }
        DataSet minibatch = new DataSet(Nd4j.create(features, new long[] {rows.size(), width}),
                Nd4j.create(labels, new long[] {rows.size(), 1}));
        if (ids) {
            List<String> idList = new ArrayList<>(rows.size());
            for (Row row : rows) {
                idList.add(row.getString(row.length() - 1));
            }
            minibatch.setExampleMetaData(idList);
        }
        return minibatch;
    }

    /**
     * Groups a partition's rows into minibatches of {@code batchSize}, lazily. A tail of at most half a minibatch
     * joins the partition's last minibatch instead of being one of its own (with 32: a tail of 1 to 16 reviews makes
     * that minibatch 33 to 48 reviews; 17 to 31 stay a minibatch). A minibatch of one review would be a whole Adam
     * step on one review's gradient, whose variance is 32 times a full minibatch's. (Issue 11 suspected the
     * one-review minibatch that DL4J's export left before ec5f690 of making the gru's loss rise; the rise turned out
     * to be a cliff of the loss surface, met with and without that minibatch: submit-scripts/investigations/gru-oddity.)
     */
    static final class Batcher implements Iterator<DataSet> {
        private final Iterator<Row> rows;
        private final int batchSize;
        private final int joiningTail;
        private final Features features;
        private final boolean ids;
        private final ArrayDeque<Row> ahead = new ArrayDeque<>();

        Batcher(Iterator<Row> rows, int batchSize, Features features) {
            this(rows, batchSize, features, false);
        }

        Batcher(Iterator<Row> rows, int batchSize, Features features, boolean ids) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("minibatch size must be positive, got " + batchSize);
            }
            this.rows = rows;
            this.batchSize = batchSize;
            this.joiningTail = batchSize / 2;
            this.features = features;
            this.ids = ids;
        }

        @Override
        public boolean hasNext() {
            return !ahead.isEmpty() || rows.hasNext();
        }

        @Override
        public DataSet next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            List<Row> batch = new ArrayList<>(batchSize + joiningTail);
            while (batch.size() < batchSize && hasNext()) {
                batch.add(ahead.isEmpty() ? rows.next() : ahead.poll());
            }
            // look far enough ahead to know whether what is left is a tail of at most half a minibatch
            while (ahead.size() <= joiningTail && rows.hasNext()) {
                ahead.add(rows.next());
            }
            if (!rows.hasNext() && ahead.size() <= joiningTail) {
                batch.addAll(ahead);
                ahead.clear();
            }
            return minibatch(batch, features, ids);
        }
    }
}

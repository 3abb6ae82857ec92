package reviewnet.generate;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

import static org.apache.spark.sql.functions.col;

/**
 * Builds the generated reviews on the executors: every review number expands to its {@link ReviewPlanner.Pick picks}
 * (pool, index), the picks are joined with the {@link SentencePool} on (pool, index) (both sides hash-partitioned the
 * same way, so neither the pool nor the output passes through the driver), and each review's sentences are put back in
 * order and joined by a space.
 */
public final class ReviewAssembler {
    public static final String NUMBER = "r";
    static final String POSITION = "p";
    static final String LENGTH = "k";

    static final StructType PICKS = new StructType()
            .add(NUMBER, DataTypes.LongType, false)
            .add(POSITION, DataTypes.IntegerType, false)
            .add(LENGTH, DataTypes.IntegerType, false)
            .add(SourceReviews.POOL, DataTypes.IntegerType, false)
            .add(SentencePool.INDEX, DataTypes.LongType, false);
    /** The generated corpus: number, id ({@code split/label/number}), split, label (names), text. */
    public static final StructType CORPUS = new StructType()
            .add(NUMBER, DataTypes.LongType, false)
            .add("id", DataTypes.StringType, false)
            .add("split", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, false)
            .add("text", DataTypes.StringType, false);

    private ReviewAssembler() {
    }

    /** Reviews 0..reviews-1 in {@code partitions} partitions; split and label names in the order of the planner. */
    public static Dataset<Row> assemble(SparkSession spark, SentencePool pool, ReviewPlanner planner, long reviews,
                                        int partitions, List<String> splits, List<String> labels) {
        Dataset<Row> picks = spark.range(0, reviews, 1, partitions)
                .flatMap((FlatMapFunction<Long, Row>) r -> expand(planner, r), Encoders.row(PICKS))
                .repartition(partitions, col(SourceReviews.POOL), col(SentencePool.INDEX));
        Dataset<Row> sentences = pool.sentences()
                .repartition(partitions, col(SourceReviews.POOL), col(SentencePool.INDEX));
        List<String> splitNames = List.copyOf(splits);
        List<String> labelNames = List.copyOf(labels);
        return picks.join(sentences, JavaConverters.asScalaBuffer(List.of(SourceReviews.POOL, SentencePool.INDEX))
                        .toSeq())
                .select(col(NUMBER), col(POSITION), col(LENGTH), col(SentencePool.TEXT))
                .repartition(partitions, col(NUMBER))
                .sortWithinPartitions(NUMBER, POSITION)
                .mapPartitions((MapPartitionsFunction<Row, Row>) rows -> new Reviews(rows, splitNames, labelNames),
                        Encoders.row(CORPUS));
    }

    private static Iterator<Row> expand(ReviewPlanner planner, long r) {
        List<ReviewPlanner.Pick> picks = planner.picks(r);
        List<Row> rows = new ArrayList<>(picks.size());
        for (ReviewPlanner.Pick pick : picks) {
            rows.add(RowFactory.create(r, pick.position(), picks.size(), pick.pool(), pick.index()));
        }
        return rows.iterator();
    }

    /** Sentences sorted by (number, position) to one row per review; checks that every planned sentence arrived. */
    static final class Reviews implements Iterator<Row> {
        private final Iterator<Row> sentences;
        private final List<String> splits;
        private final List<String> labels;
        private Row pending;

        Reviews(Iterator<Row> sentences, List<String> splits, List<String> labels) {
            this.sentences = sentences;
            this.splits = splits;
            this.labels = labels;
            this.pending = sentences.hasNext() ? sentences.next() : null;
        }

        @Override
        public boolean hasNext() {
            return pending != null;
        }

        @Override
        public Row next() {
            if (pending == null) {
                throw new NoSuchElementException();
            }
            long r = pending.getLong(0);
            int k = pending.getInt(2);
            StringBuilder text = new StringBuilder();
            int seen = 0;
            while (pending != null && pending.getLong(0) == r) {
                if (pending.getInt(1) != seen) {
                    break;
                }
                if (seen > 0) {
                    text.append(' ');
                }
                text.append(pending.getString(3));
                seen++;
                pending = sentences.hasNext() ? sentences.next() : null;
            }
            if (seen != k || (pending != null && pending.getLong(0) == r)) {
                throw new IllegalStateException("generated review " + r + ": " + seen + " of its " + k
                        + " sentences arrived in order after the join with the sentence pool");
            }
            String split = splits.get(ReviewPlanner.split(r));
            String label = labels.get(ReviewPlanner.label(r));
            return RowFactory.create(r, split + "/" + label + "/" + r, split, label, text.toString());
        }
    }
}

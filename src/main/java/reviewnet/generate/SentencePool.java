package reviewnet.generate;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import reviewnet.corpus.CorpusException;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

/**
 * The sentences the generated reviews are drawn from, numbered densely within each {@link Pools pool}
 * ({@value #INDEX} 0..size-1, in the order of review id and position: the same source gives the same numbering,
 * whatever the partitioning), kept on the executors. Also what the planner needs on the driver: the pool sizes and,
 * per labelled pool, how many IMDB reviews have k sentences.
 *
 * <p>No leakage between the generated splits: a sentence of the test pools (IMDB test reviews, test filler) whose
 * lower-cased text also occurs in a training pool (IMDB training reviews, training filler) is dropped (counted in
 * {@link Stats#droppedAsInTraining}), so a generated test review shares no sentence with any generated training
 * review, nor with any IMDB training review.
 */
public final class SentencePool implements AutoCloseable {
    public static final String INDEX = "idx";
    public static final String TEXT = "text";
    static final String POSITION = "n";
    static final String SENTENCES = "sentences";
    static final String WORDLESS = "wordless";

    static final StructType SPLIT = new StructType()
            .add(SourceReviews.POOL, DataTypes.IntegerType, false)
            .add(SourceReviews.REVIEW, DataTypes.StringType, false)
            .add(SENTENCES, DataTypes.createArrayType(DataTypes.StringType, false), false)
            .add(WORDLESS, DataTypes.IntegerType, false);
    public static final StructType INDEXED = new StructType()
            .add(SourceReviews.POOL, DataTypes.IntegerType, false)
            .add(INDEX, DataTypes.LongType, false)
            .add(TEXT, DataTypes.StringType, false);

    /**
     * Per pool: usable source reviews, of them those without any sentence, sentences split, pieces left out for having
     * no word, test sentences dropped as also in the training split.
     */
    public record Stats(long[] reviews, long[] reviewsWithoutSentences, long[] sentences, long[] wordless,
                        long[] droppedAsInTraining) {
    }

    private final Dataset<Row> sentences;
    private final Dataset<Row> kept;
    private final long[] sizes;
    private final long[][] lengthCounts;
    private final Stats stats;

    private SentencePool(Dataset<Row> sentences, Dataset<Row> kept, long[] sizes, long[][] lengthCounts,
                         Stats stats) {
        this.sentences = sentences;
        this.kept = kept;
        this.sizes = sizes;
        this.lengthCounts = lengthCounts;
        this.stats = stats;
    }

    /**
     * @param reviews pool, review, text ({@link SourceReviews#usable})
     * @param names   pool names for messages, indexed by pool
     */
    public static SentencePool build(SparkSession spark, Dataset<Row> reviews, List<String> names,
                                     boolean fillerNeeded) {
        Dataset<Row> split = reviews.mapPartitions((MapPartitionsFunction<Row, Row>) SentencePool::splitAll,
                Encoders.row(SPLIT)).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            // one aggregation: reviews per pool and number of sentences
            long[] reviewCounts = new long[Pools.COUNT];
            long[] empty = new long[Pools.COUNT];
            long[] sentenceCounts = new long[Pools.COUNT];
            List<Row> bySize = split.groupBy(col(SourceReviews.POOL), size(col(SENTENCES)).as("k"))
                    .agg(count(lit(1)), sum(col(WORDLESS))).collectAsList();
            long[] wordless = new long[Pools.COUNT];
            for (Row r : bySize) {
                int pool = r.getInt(0);
                reviewCounts[pool] += r.getLong(2);
                sentenceCounts[pool] += r.getInt(1) * r.getLong(2);
                empty[pool] += r.getInt(1) == 0 ? r.getLong(2) : 0;
                wordless[pool] += r.getLong(3);
            }
            long[][] lengths = lengthCounts(bySize);

            Dataset<Row> all = split.select(col(SourceReviews.POOL), col(SourceReviews.REVIEW),
                    posexplode(col(SENTENCES)).as(new String[] {POSITION, TEXT}));
            Column training = col(SourceReviews.POOL).lt(3);
            Dataset<Row> trainingKeys = all.where(training).select(lower(col(TEXT)).as("key")).distinct();
            Dataset<Row> test = all.where(not(training));
            Dataset<Row> kept = all.where(training).unionByName(test.join(trainingKeys,
                            lower(test.col(TEXT)).equalTo(trainingKeys.col("key")), "left_anti"))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            long[] sizes = new long[Pools.COUNT];
            for (Row r : kept.groupBy(SourceReviews.POOL).count().collectAsList()) {
                sizes[r.getInt(0)] = r.getLong(1);
            }
            long[] dropped = new long[Pools.COUNT];
            for (int pool = 0; pool < Pools.COUNT; pool++) {
                dropped[pool] = sentenceCounts[pool] - sizes[pool];
                if (sizes[pool] == 0 && (fillerNeeded || !Pools.isFiller(pool))) {
                    kept.unpersist();
                    throw new CorpusException("the source has no usable sentence for " + names.get(pool)
                            + " (" + reviewCounts[pool] + " usable reviews, " + dropped[pool]
                            + " sentences dropped as also in the training split); nothing was written");
                }
            }
            return new SentencePool(index(spark, kept, sizes), kept, sizes, lengths,
                    new Stats(reviewCounts, empty, sentenceCounts, wordless, dropped));
        } finally {
            split.unpersist();
        }
    }

    /** Per labelled pool, {@code [k]} = reviews with k &ge; 1 sentences, from rows (pool, k, reviews). */
    private static long[][] lengthCounts(List<Row> bySize) {
        int[] max = new int[Pools.COUNT];
        for (Row r : bySize) {
            max[r.getInt(0)] = Math.max(max[r.getInt(0)], r.getInt(1));
        }
        long[][] counts = new long[Pools.COUNT][];
        for (int pool = 0; pool < Pools.COUNT; pool++) {
            counts[pool] = new long[max[pool] + 1];
        }
        for (Row r : bySize) {
            if (!Pools.isFiller(r.getInt(0)) && r.getInt(1) > 0) {
                counts[r.getInt(0)][r.getInt(1)] = r.getLong(2);
            }
        }
        return counts;
    }

    /** Dense indices per pool: a global sort by (pool, review, position), numbered, minus each pool's offset. */
    private static Dataset<Row> index(SparkSession spark, Dataset<Row> kept, long[] sizes) {
        long[] offsets = new long[Pools.COUNT];
        for (int pool = 1; pool < Pools.COUNT; pool++) {
            offsets[pool] = offsets[pool - 1] + sizes[pool - 1];
        }
        JavaRDD<Row> indexed = kept.orderBy(SourceReviews.POOL, SourceReviews.REVIEW, POSITION)
                .select(SourceReviews.POOL, TEXT).javaRDD().zipWithIndex()
                .map(t -> RowFactory.create(t._1().getInt(0), t._2() - offsets[t._1().getInt(0)], t._1().getString(1)));
        return spark.createDataFrame(indexed, INDEXED);
    }

    private static Iterator<Row> splitAll(Iterator<Row> reviews) {
        SentenceSplitter splitter = new SentenceSplitter();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return reviews.hasNext();
            }

            @Override
            public Row next() {
                Row r = reviews.next();
                String[] sentences = splitter.split(r.getString(2)).toArray(new String[0]);
                return RowFactory.create(r.getInt(0), r.getString(1), sentences, splitter.wordless());
            }
        };
    }

    /** pool (int), idx (long, 0..size-1 within the pool), text. */
    public Dataset<Row> sentences() {
        return sentences;
    }

    public long[] sizes() {
        return sizes.clone();
    }

    public Stats stats() {
        return stats;
    }

    public ReviewPlanner planner(long seed, double fillerShare) {
        return new ReviewPlanner(seed, fillerShare, sizes, lengthCounts);
    }

    @Override
    public void close() {
        kept.unpersist();
    }
}

package reviewnet.generate;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import reviewnet.config.CorpusGeneratorSettings;
import reviewnet.config.InputSettings;
import reviewnet.corpus.CorpusException;
import reviewnet.corpus.FolderCorpusReader;
import reviewnet.corpus.ReviewSchema;
import reviewnet.corpus.TextFolderReader;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;

/**
 * Reads the generator's raw material with the corpus readers: the labelled reviews of an aclImdb folder
 * ({@code SOURCE/<split>/<label>/*.txt}) and, when filler is wanted, the unlabelled ones
 * ({@code SOURCE/<training split>/unsup/*.txt}), each tagged with its {@link Pools pool}. Unlabelled reviews are
 * divided between the two splits' filler pools by a hash of their id (Spark SQL's Murmur3 {@code hash}), so that no
 * unlabelled review lends sentences to both. Inputs the readers skip are rows of
 * the result, with their reason ({@link ReviewSchema#skipped}).
 */
public final class SourceReviews {
    public static final String POOL = "pool";
    public static final String REVIEW = "review";

    private SourceReviews() {
    }

    /** Rows of {@link ReviewSchema#RAW} plus {@value #POOL} (int), usable or skipped. */
    public static Dataset<Row> read(SparkSession spark, CorpusGeneratorSettings settings) {
        InputSettings source = settings.source();
        Column labelledPool = when(col(ReviewSchema.SPLIT).equalTo(source.trainSplit()), lit(0)).otherwise(lit(3))
                .plus(col(ReviewSchema.LABEL));
        Dataset<Row> raw = new FolderCorpusReader(source).read(spark).withColumn(POOL, labelledPool);
        if (settings.fillerShare() > 0) {
            Column fillerPool = lit(Pools.FILLER).plus(lit(3).multiply(pmod(hash(col(ReviewSchema.ID)), lit(2))));
            raw = raw.unionByName(new TextFolderReader(unlabelledPath(spark, settings), source.maxBytes()).read(spark)
                    .withColumn(POOL, fillerPool));
        }
        return raw;
    }

    /** The usable reviews of {@link #read}: pool, review (the reader's id), text. */
    public static Dataset<Row> usable(Dataset<Row> raw) {
        return raw.where(col(ReviewSchema.SKIP_REASON).isNull()).select(col(POOL), col(ReviewSchema.ID).as(REVIEW),
                col(ReviewSchema.TEXT));
    }

    /** {@code SOURCE/<training split>/unsup}, checked to be a folder. */
    static String unlabelledPath(SparkSession spark, CorpusGeneratorSettings settings) {
        Path path = new Path(new Path(settings.source().path(), settings.source().trainSplit()), "unsup");
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.isDirectory(path)) {
                throw new CorpusException("no unlabelled reviews in " + fs.makeQualified(path) + ": the generator mixes "
                        + "sentences of IMDB's 50,000 unlabelled reviews into the new ones as filler. Extract them with "
                        + "'data/fetch-imdb.sh --with-unsup' (into data/aclImdb), point reviewnet.make-corpus.source "
                        + "(--source) at an aclImdb folder that has them, or set reviewnet.make-corpus.filler-share=0");
            }
        } catch (IOException e) {
            throw new CorpusException("cannot check " + path + ": " + e.getMessage(), e);
        }
        return path.toString();
    }
}

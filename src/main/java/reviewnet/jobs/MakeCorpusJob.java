package reviewnet.jobs;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.config.CorpusGeneratorSettings;
import reviewnet.corpus.CorpusException;
import reviewnet.corpus.ReviewSchema;
import reviewnet.generate.CorpusWriter;
import reviewnet.generate.Pools;
import reviewnet.generate.ReviewAssembler;
import reviewnet.generate.ReviewPlanner;
import reviewnet.generate.SentencePool;
import reviewnet.generate.SourceReviews;
import reviewnet.io.AtomicDirectory;

/**
 * make-corpus: generates a labelled corpus of {@code reviewnet.make-corpus.reviews} reviews from the sentences of the
 * IMDB reviews (half training, half test, labels balanced; see {@link ReviewPlanner} and {@link SentencePool}) and
 * writes it, as Parquet or in the aclImdb folder layout, with {@value CorpusSummary#FILE}, into
 * {@code reviewnet.make-corpus.output}, committed atomically. An existing non-empty output is replaced only with
 * {@code overwrite = true}.
 */
public final class MakeCorpusJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(MakeCorpusJob.class);

    private final CorpusGeneratorSettings settings;

    public MakeCorpusJob(CorpusGeneratorSettings settings) {
        this.settings = settings;
    }

    @Override
    public void execute(SparkSession spark) {
        run(spark);
    }

    public CorpusSummary run(SparkSession spark) {
        Instant started = Instant.now();
        checkOutput(spark);
        List<String> splits = settings.source().splits();
        List<String> labels = settings.source().labels();
        List<String> poolNames = Pools.names(splits, labels);
        Dataset<Row> raw = SourceReviews.read(spark, settings).persist(StorageLevel.MEMORY_AND_DISK());
        SentencePool pool;
        PrepareSummary.Skipped skipped;
        try {
            skipped = PrepareJob.skippedSummary(ReviewSchema.skipped(raw));
            if (skipped.total() > 0) {
                LOG.warn("{} source reviews skipped: {} (examples in {})", skipped.total(), skipped.byReason(),
                        CorpusSummary.FILE);
            }
            pool = SentencePool.build(spark, SourceReviews.usable(raw), poolNames, settings.fillerShare() > 0);
            LOG.info("sentence pools built from {} in {} s", settings.source().path(),
                    Duration.between(started, Instant.now()).toMillis() / 1000.0);
        } finally {
            raw.unpersist();
        }
        try (pool) {
            Map<String, CorpusSummary.Pool> pools = new LinkedHashMap<>();
            SentencePool.Stats stats = pool.stats();
            long[] sizes = pool.sizes();
            for (int p = 0; p < poolNames.size(); p++) {
                pools.put(poolNames.get(p), new CorpusSummary.Pool(stats.reviews()[p],
                        stats.reviewsWithoutSentences()[p], stats.sentences()[p], stats.wordless()[p],
                        stats.droppedAsInTraining()[p], sizes[p]));
            }
            LOG.info("sentence pools: {}", pools);
            int partitions = settings.effectivePartitions();
            Dataset<Row> corpus = ReviewAssembler.assemble(spark, pool,
                    pool.planner(settings.seed(), settings.fillerShare()), settings.reviews(), partitions, splits,
                    labels);
            try (AtomicDirectory out = AtomicDirectory.begin(settings.output(),
                    spark.sparkContext().hadoopConfiguration())) {
                Map<String, Long> rows = CorpusWriter.write(spark, corpus, settings.format(), out.staging(), splits,
                        labels);
                checkCounts(rows, splits, labels);
                CorpusSummary summary = new CorpusSummary("make-corpus", started.toString(), CodeVersion.current(),
                        settings.reviews(), settings.format().name().toLowerCase(java.util.Locale.ROOT),
                        settings.seed(), settings.fillerShare(), partitions, settings.source().path(), rows, pools,
                        skipped, Duration.between(started, Instant.now()).toMillis() / 1000.0);
                summary.write(out.fileSystem(), new Path(out.path(CorpusSummary.FILE)));
                out.commit();
                LOG.info("generated {} reviews into {} in {} s", settings.reviews(), out.target(), summary.seconds());
                System.out.println("reviewnet make-corpus: " + settings.reviews() + " reviews " + rows + " ("
                        + summary.format() + ", seed " + settings.seed() + ") -> " + out.target() + " in "
                        + summary.seconds() + " s");
                return summary;
            }
        }
    }

    /** The source corpus (must exist) and the output folder. */
    @Override
    public List<PathSetting> paths() {
        return List.of(PathSetting.input("reviewnet.make-corpus.source", settings.source().path()),
                PathSetting.other("reviewnet.make-corpus.output", settings.output()));
    }

    /** Refuses an existing output that is a file, or a non-empty folder without {@code overwrite}. */
    private void checkOutput(SparkSession spark) {
        Path path = new Path(settings.output());
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(path)) {
                return;
            }
            FileStatus status = fs.getFileStatus(path);
            if (!status.isDirectory()) {
                throw new CorpusException("output " + fs.makeQualified(path) + " is a file, not a folder");
            }
            if (!settings.overwrite() && fs.listStatus(path).length > 0) {
                throw new CorpusException("output " + fs.makeQualified(path) + " exists and is not empty: refusing to "
                        + "replace it (--overwrite, i.e. reviewnet.make-corpus.overwrite=true, replaces it)");
            }
        } catch (IOException e) {
            throw new CorpusException("cannot check the output " + path + ": " + e.getMessage(), e);
        }
    }

    private void checkCounts(Map<String, Long> rows, List<String> splits, List<String> labels) {
        long expected = settings.reviews() / 4;
        for (String split : splits) {
            for (String label : labels) {
                long n = rows.getOrDefault(split + "/" + label, 0L);
                if (n != expected) {
                    throw new IllegalStateException("wrote " + n + " reviews for " + split + "/" + label + ", expected "
                            + expected + " (" + rows + "); nothing was committed");
                }
            }
        }
    }
}

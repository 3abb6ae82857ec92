package reviewnet.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.config.PrepareSettings;
import reviewnet.corpus.CorpusReader;
import reviewnet.corpus.Fingerprint;
import reviewnet.corpus.ReviewSchema;
import reviewnet.corpus.SkipReason;
import reviewnet.io.AtomicDirectory;
import reviewnet.sequence.SequencePadder;
import reviewnet.train.Features;
import reviewnet.config.HoldOutSettings;
import reviewnet.train.HoldOut;
import reviewnet.vocab.BigramHasher;
import reviewnet.text.LuceneTokenizer;
import reviewnet.vocab.Vocabulary;
import reviewnet.vocab.VocabularyModel;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The prepare stage: read the corpus, analyze it with Lucene, mark the validation hold-out of the training split
 * ({@link HoldOut}), fit the vocabulary on the rest of the training split, encode and
 * pad both splits, hash their bigrams, and write {@code train/}, {@code test/} (Parquet: id, label, seq, bigrams),
 * {@code vocabulary/},
 * {@code skipped/} and {@code summary.json} under {@code reviewnet.prepared.path}, committed atomically.
 */
public final class PrepareJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(PrepareJob.class);
    public static final String TRAIN = "train";
    public static final String TEST = "test";
    public static final String VOCABULARY = "vocabulary";
    public static final String SKIPPED = "skipped";
    public static final String SUMMARY = "summary.json";
    static final int SKIP_EXAMPLES = 100;
    /**
     * Version of what prepare writes; part of the fingerprint. Raise it with every change of the prepared output that
     * settings do not express (2: skipped/ gained the detail column and reason codes; 3: the bigrams column; 4: the
     * validation hold-out column, vocabulary fitted without the hold-out; 5: tabular input without an id column gets
     * content-derived ids).
     */
    static final int OUTPUT_FORMAT = 5;

    private final PrepareSettings settings;
    private final String codeVersion;

    public PrepareJob(PrepareSettings settings) {
        this(settings, CodeVersion.current());
    }

    PrepareJob(PrepareSettings settings, String codeVersion) {
        this.settings = settings;
        this.codeVersion = codeVersion;
    }

    @Override
    public void execute(SparkSession spark) {
        run(spark);
    }

    @Override
    public List<PathSetting> paths() {
        return paths(settings);
    }

    /** The input (must exist) and the prepared data (written, or reused when up to date). */
    static List<PathSetting> paths(PrepareSettings settings) {
        return List.of(PathSetting.input("reviewnet.input.path", settings.input().path()),
                PathSetting.other("reviewnet.prepared.path", settings.paths().prepared()));
    }

    public PrepareSummary run(SparkSession spark) {
        return run(spark, list(spark));
    }

    /** The input, listed once: its reader (which then reads what it listed) and the resulting fingerprint. */
    public record Listed(CorpusReader reader, String fingerprint) {
    }

    /** Lists the input without reading it; the fingerprint the prepared data of this input and settings would have. */
    public Listed list(SparkSession spark) {
        CorpusReader reader = CorpusReader.of(settings.input());
        return new Listed(reader, Fingerprint.of(reader.list(spark), settingsDigest()));
    }

    /** Prepares the input as {@link #list} found it. */
    public PrepareSummary run(SparkSession spark, Listed listed) {
        Instant started = Instant.now();
        CorpusReader reader = listed.reader();
        String fingerprint = listed.fingerprint();
        Dataset<Row> raw = reader.read(spark);

        Dataset<Row> analyzed = new LuceneTokenizer(settings.text()).setInputCol(ReviewSchema.TEXT)
                .setOutputCol("tokens").transform(raw)
                .withColumn(ReviewSchema.SKIP_DETAIL, when(col(ReviewSchema.SKIP_REASON).isNull()
                        .and(size(col("tokens")).equalTo(0)), lit("the analyzer kept no token of the text"))
                        .otherwise(col(ReviewSchema.SKIP_DETAIL)))
                .withColumn(ReviewSchema.SKIP_REASON, when(col(ReviewSchema.SKIP_REASON).isNull()
                        .and(size(col("tokens")).equalTo(0)), lit(SkipReason.NO_TOKENS.code()))
                        .otherwise(col(ReviewSchema.SKIP_REASON)))
                .drop(ReviewSchema.TEXT)
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            String trainSplit = settings.input().trainSplit();
            HoldOutSettings holdOut = settings.holdOut();
            Column isTrain = col(ReviewSchema.SPLIT).equalTo(trainSplit);
            // the validation hold-out: marked here, so that nothing fitted on the data (the vocabulary) sees it
            Dataset<Row> usable = analyzed.where(col(ReviewSchema.SKIP_REASON).isNull())
                    .withColumn(HoldOut.COLUMN, holdOut.enabled()
                            ? isTrain.and(HoldOut.held(holdOut.fraction(), holdOut.seed())) : lit(false));
            VocabularyModel vocabulary = new Vocabulary(settings.vocab()).setInputCol("tokens")
                    .setOutputCol("indices").fit(usable.where(isTrain.and(col(HoldOut.COLUMN).unary_$bang())));
            LOG.info("vocabulary: {} words, indices [0, {})", vocabulary.words().size(), settings.vocab().size());

            Dataset<Row> encoded = new BigramHasher(settings.bigrams()).setInputCol("tokens")
                    .setOutputCol("bigram_ids").transformPadded(new SequencePadder(settings.sequence())
                            .setInputCol("indices").setOutputCol(Features.SEQ).transform(vocabulary.transform(usable)),
                            settings.sequence(), Features.BIGRAMS);
            Map<String, PrepareSummary.Split> stats = splitStats(encoded);
            // skipped inputs stay on the executors: counted by code, a few examples to the driver
            Dataset<Row> skippedRows = analyzed.where(col(ReviewSchema.SKIP_REASON).isNotNull())
                    .select(col(ReviewSchema.SOURCE), col(ReviewSchema.SPLIT), col(ReviewSchema.LABEL),
                            col(ReviewSchema.SKIP_REASON).as("reason"), col(ReviewSchema.SKIP_DETAIL).as("detail"));
            PrepareSummary.Skipped skipped = skippedSummary(skippedRows);
            Row flags = analyzed.agg(sum(when(col(ReviewSchema.BOM), 1).otherwise(0)),
                    sum(when(col(ReviewSchema.SKIP_REASON).isNull().and(col(ReviewSchema.RATING).isNull()), 1)
                            .otherwise(0))).first();
            checkEverySplitAndLabel(stats);

            long bomStripped = flags.isNullAt(0) ? 0 : flags.getLong(0);
            long withoutRating = flags.isNullAt(1) ? 0 : flags.getLong(1);
            PrepareSummary summary;
            try (AtomicDirectory out = AtomicDirectory.begin(settings.paths().prepared(),
                    spark.sparkContext().hadoopConfiguration())) {
                for (String split : settings.input().splits()) {
                    String name = split.equals(trainSplit) ? TRAIN : TEST;
                    Dataset<Row> rows = encoded.where(col(ReviewSchema.SPLIT).equalTo(split));
                    (name.equals(TRAIN)
                            ? rows.select(col(ReviewSchema.ID), col(ReviewSchema.LABEL), col(Features.SEQ),
                                    col(Features.BIGRAMS), col(HoldOut.COLUMN))
                            : rows.select(col(ReviewSchema.ID), col(ReviewSchema.LABEL), col(Features.SEQ),
                                    col(Features.BIGRAMS)))
                            .write().mode(SaveMode.ErrorIfExists).parquet(out.path(name));
                }
                try {
                    vocabulary.write().save(out.path(VOCABULARY));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot save the vocabulary", e);
                }
                skippedRows.coalesce(1).write().parquet(out.path(SKIPPED));
                summary = PrepareSummary.of(started, fingerprint, settings, stats, skipped, bomStripped,
                        withoutRating, reader.ignoredFiles(), vocabulary.words().size(),
                        Duration.between(started, Instant.now()).toMillis() / 1000.0);
                summary.write(out.fileSystem(), new org.apache.hadoop.fs.Path(out.path(SUMMARY)));
                out.commit();
            }
            LOG.info("prepared {} in {} s: {}", settings.paths().prepared(), summary.seconds(), summary.oneLine());
            return summary;
        } finally {
            analyzed.unpersist();
        }
    }

    /** Per split: rows per label, tokens, out-of-vocabulary tokens, truncated reviews. */
    /** Counts per reason code and the first {@link #SKIP_EXAMPLES} skipped inputs (by source). */
    static PrepareSummary.Skipped skippedSummary(Dataset<Row> skipped) {
        java.util.SortedMap<String, Long> byReason = new java.util.TreeMap<>();
        long total = 0;
        for (Row r : skipped.groupBy("reason").count().collectAsList()) {
            byReason.put(r.getString(0), r.getLong(1));
            total += r.getLong(1);
        }
        List<PrepareSummary.Skipped.Example> examples = new ArrayList<>();
        for (Row r : total == 0 ? List.<Row>of()
                : skipped.orderBy(ReviewSchema.SOURCE).limit(SKIP_EXAMPLES).collectAsList()) {
            examples.add(new PrepareSummary.Skipped.Example(r.getString(0), r.getString(3), r.getString(4)));
        }
        return new PrepareSummary.Skipped(total, byReason, examples);
    }

    private Map<String, PrepareSummary.Split> splitStats(Dataset<Row> encoded) {
        int oov = settings.vocab().oovChar();
        int length = settings.sequence().length();
        List<Row> rows = encoded.groupBy(ReviewSchema.SPLIT, ReviewSchema.LABEL)
                .agg(count(lit(1)).as("rows"),
                        sum(size(col("tokens"))).as("tokens"),
                        sum(expr("size(filter(indices, x -> x = " + oov + "))")).as("oov"),
                        sum(when(size(col("indices")).gt(length), 1).otherwise(0)).as("truncated"))
                .collectAsList();
        Map<String, PrepareSummary.Split> bySplit = new LinkedHashMap<>();
        for (String split : settings.input().splits()) {
            Map<String, Long> perLabel = new LinkedHashMap<>();
            for (String label : settings.input().labels()) {
                perLabel.put(label, 0L);
            }
            long total = 0;
            long tokens = 0;
            long oovTokens = 0;
            long truncated = 0;
            for (Row r : rows) {
                if (!split.equals(r.getString(0))) {
                    continue;
                }
                long n = r.getLong(2);
                perLabel.put(settings.input().labels().get(r.getInt(1)), n);
                total += n;
                tokens += r.getLong(3);
                oovTokens += r.getLong(4);
                truncated += r.getLong(5);
            }
            bySplit.put(split.equals(settings.input().trainSplit()) ? TRAIN : TEST,
                    new PrepareSummary.Split(total, perLabel, tokens, oovTokens, truncated));
        }
        return bySplit;
    }

    private void checkEverySplitAndLabel(Map<String, PrepareSummary.Split> stats) {
        List<String> empty = new ArrayList<>();
        stats.forEach((split, s) -> {
            s.rowsPerLabel().forEach((label, n) -> {
                if (n == 0) {
                    empty.add(split + "/" + label);
                }
            });
        });
        if (!empty.isEmpty()) {
            throw new reviewnet.corpus.CorpusException("no usable review for " + empty + " in "
                    + settings.input().path() + " (see the skipped inputs in the log); nothing was written");
        }
    }

    /**
     * What determines the prepared data besides the input listing, as part of the fingerprint: the settings of the
     * stages (not where the output goes), the code version, the output format and the Lucene version.
     */
    String settingsDigest() {
        Map<String, Object> digest = new TreeMap<>();
        digest.put("code", codeVersion);
        digest.put("format", OUTPUT_FORMAT);
        digest.put("lucene", org.apache.lucene.util.Version.LATEST.toString());
        digest.put("input", settings.input());
        digest.put("text", settings.text());
        digest.put("vocab", settings.vocab());
        digest.put("sequence", settings.sequence());
        digest.put("bigrams", settings.bigrams());
        digest.put("holdout", settings.holdOut());
        return digest.toString();
    }
}

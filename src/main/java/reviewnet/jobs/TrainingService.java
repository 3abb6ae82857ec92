package reviewnet.jobs;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.baseline.TfidfLogisticRegression;
import reviewnet.config.CompareSettings;
import reviewnet.config.TrainSettings;
import reviewnet.corpus.CorpusReader;
import reviewnet.corpus.ReviewIds;
import reviewnet.corpus.ReviewSchema;
import reviewnet.eval.DistributedEvaluator;
import reviewnet.eval.Evaluated;
import reviewnet.eval.Metrics;
import reviewnet.eval.ModelStore;
import reviewnet.ml.ReviewModels;
import reviewnet.vocab.VocabularyModel;
import reviewnet.eval.ResultRow;
import reviewnet.eval.ResultsTable;
import reviewnet.io.AtomicDirectory;
import reviewnet.config.ValidationSettings;
import reviewnet.nn.Architecture;
import reviewnet.nn.Architectures;
import reviewnet.nn.SequenceClassifier;
import reviewnet.text.LuceneTokenizer;
import reviewnet.train.BulkNDArraySerializer;
import reviewnet.train.DataSets;
import reviewnet.train.DistributedTrainer;
import reviewnet.train.ExecutorEnvironment;
import reviewnet.train.Features;
import reviewnet.train.HoldOut;
import reviewnet.train.TrainingData;

/**
 * Trains, saves and evaluates one architecture after another on data staged once per run: the one way through the
 * code from settings to a results row, used by {@link CompareJob} (which appends the rows) and {@link RetrainJob}
 * (which registers them as versions).
 */
public final class TrainingService {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingService.class);
    public static final String RESULTS = "results";
    public static final String MODELS = "models";

    private final CompareSettings settings;
    private final String jobName;

    public TrainingService(CompareSettings settings, String jobName) {
        this.settings = settings;
        this.jobName = jobName;
    }

    /** What training needs in the Spark configuration before the session starts. */
    public void configure(SparkConf conf) {
        ExecutorEnvironment.configure(settings.train().executor(), conf);
        // Every averaging round returns each worker's parameters and Adam state (about 30 MB for the default
        // networks): as direct task results (under Spark's RPC message limit) they skip a block-manager fetch through
        // the network stack; Spark's scheduling, block manager and netty held about a fifth of an epoch's CPU samples
        // (PROFILE=1 submit-scripts/bench.sh).
        if (!conf.contains("spark.task.maxDirectResultSize")) {
            conf.set("spark.task.maxDirectResultSize", "64m");
        }
        // ... and they are serialized with Kryo, ND4J arrays with a bulk copy of their buffer (BulkNDArraySerializer)
        if (!conf.contains("spark.serializer")) {
            conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
            conf.set("spark.kryo.registrator", BulkNDArraySerializer.Registrator.class.getName());
        }
        if (!conf.contains("spark.kryoserializer.buffer.max")) {
            conf.set("spark.kryoserializer.buffer.max", "1g");
        }
    }

    /** A new run id: UTC time and a random suffix. */
    public static String newRunId(Instant now) {
        return DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(now) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * What the architectures of one run share: per kind of input ({@link Features}), the training minibatches (staged
     * once, on first use), the validation hold-out's and the test split's minibatches (cached once); released by
     * {@link #close()}.
     */
    public static final class Run {
        private final JavaSparkContext jsc;
        private final PreparedData prepared;
        private final ResultsTable results;
        private final ResultRow.RunContext context;
        private final DistributedTrainer trainer;
        private final String tmp;
        private final Dataset<Row> fitRows;
        private final Dataset<Row> validationRows;
        private final long fitCount;
        private final Dataset<Row> testRows;
        private final CompareSettings settings;
        private final Map<List<Object>, TrainingData> trainings = new LinkedHashMap<>();
        private int stagings;
        private final Map<Features, Evaluation> evaluations = new LinkedHashMap<>();
        private VocabularyModel vocabulary;

        Run(JavaSparkContext jsc, PreparedData prepared, ResultsTable results, ResultRow.RunContext context,
            DistributedTrainer trainer, String tmp, Dataset<Row> fitRows, Dataset<Row> validationRows, long fitCount,
            Dataset<Row> testRows, CompareSettings settings) {
            this.jsc = jsc;
            this.prepared = prepared;
            this.results = results;
            this.context = context;
            this.trainer = trainer;
            this.tmp = tmp;
            this.fitRows = fitRows;
            this.validationRows = validationRows;
            this.fitCount = fitCount;
            this.testRows = testRows;
            this.settings = settings;
        }

        public JavaSparkContext jsc() {
            return jsc;
        }

        public PreparedData prepared() {
            return prepared;
        }

        public ResultsTable results() {
            return results;
        }

        /** The prepared data's vocabulary, read once per run: every network saved carries it in its pipeline. */
        VocabularyModel vocabulary(SparkSession spark) {
            if (vocabulary == null) {
                vocabulary = VocabularyModel.load(spark, prepared.vocabulary());
            }
            return vocabulary;
        }

        public ResultRow.RunContext context() {
            return context;
        }

        public DistributedTrainer trainer() {
            return trainer;
        }

        public String tmp() {
            return tmp;
        }

        /** Training reviews that are trained on (the training split less the validation hold-out). */
        public long fitCount() {
            return fitCount;
        }

        /**
         * The data of one kind of input: the training minibatches of {@code batchSize} in the order of
         * {@code train}'s seed (staged on first use, so that a repeat with seed s trains on exactly the minibatches a
         * run with seed s does; the stagings of other seeds are dropped), the validation and test minibatches (cached
         * on first use, shared by every batch size and seed).
         */
        Staged data(Features f, int batchSize, TrainSettings train) {
            List<Object> key = List.of(f, batchSize, train.seed());
            if (!trainings.containsKey(key)) {
                trainings.entrySet().removeIf(e -> {
                    boolean otherSeed = !e.getKey().get(2).equals(train.seed());
                    if (otherSeed) {
                        e.getValue().close();
                    }
                    return otherSeed;
                });
                trainings.put(key, TrainingData.stage(jsc, fitRows, f, batchSize, train, trainer.approach(jsc),
                        trainer.workers(jsc), new Path(tmp, "train-" + stagings++).toString()));
            }
            TrainingData staged = trainings.get(key);
            Evaluation eval = evaluations.computeIfAbsent(f, kind -> {
                int workers = trainer.workers(jsc);
                int evalBatch = settings.train().evalBatchSize();
                return new Evaluation(validationRows == null ? null
                        : DataSets.minibatches(validationRows, evalBatch, workers, f)
                        .persist(StorageLevel.MEMORY_AND_DISK()),
                        DataSets.minibatches(testRows, evalBatch, workers, f).persist(StorageLevel.MEMORY_AND_DISK()));
            });
            return new Staged(staged, eval.validation(), eval.test());
        }

        public void close() {
            evaluations.values().forEach(Evaluation::close);
            evaluations.clear();
            trainings.values().forEach(TrainingData::close);
            trainings.clear();
        }
    }

    /** One architecture's data: training minibatches, validation (null without hold-out) and test minibatches. */
    record Staged(TrainingData train, JavaRDD<DataSet> validation, JavaRDD<DataSet> test) {
    }

    /** Cached evaluation minibatches of one kind of input. */
    private record Evaluation(JavaRDD<DataSet> validation, JavaRDD<DataSet> test) {
        void close() {
            test.unpersist(false);
            if (validation != null) {
                validation.unpersist(false);
            }
        }
    }

    /** One trained, saved and evaluated architecture ({@code trained}: null for the tfidf-lr baseline). */
    public record Outcome(ResultRow row, Metrics metrics, String modelPath, DistributedTrainer.Trained trained) {
        public int epochsTrained() {
            return trained == null ? 1 : trained.epochs();
        }

        public int resumedFromEpoch() {
            return trained == null ? 0 : trained.resumedFromEpoch();
        }
    }

    /** Stages the run's data (training minibatches once, test minibatches cached); the caller closes the run. */
    public Run start(SparkSession spark, String runId) {
        return start(spark, runId, PreparedData.ensure(spark, settings.prepare()));
    }

    /** {@link #start(SparkSession, String)} on prepared data the caller has already ensured. */
    public Run start(SparkSession spark, String runId, PreparedData prepared) {
        // the precision of the results table's timestamp column
        Instant started = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ExecutorEnvironment.applyInProcess(ExecutorEnvironment.variables(settings.train().executor(),
                jsc.getConf()));
        String output = settings.paths().output();
        String tmp = new Path(output, ".tmp/" + runId).toString();
        DistributedTrainer trainer = new DistributedTrainer(settings.train());
        int workers = trainer.workers(jsc);
        Dataset<Row> train = spark.read().parquet(prepared.train());
        Dataset<Row> validation = null;
        long fitCount = prepared.trainRows();
        ValidationSettings v = settings.train().validation();
        if (v.enabled()) {
            // the hold-out prepare marked (and fitted the vocabulary without)
            HoldOut.Split split = HoldOut.marked(train);
            train = split.fit();
            validation = split.validation();
            fitCount = train.count();
            LOG.info("validation: {} of {} training reviews held out (fraction {}, seed {})",
                    prepared.trainRows() - fitCount, prepared.trainRows(), v.fraction(),
                    settings.prepare().holdOut().seed());
        }
        ResultsTable results = new ResultsTable(new Path(output, RESULTS).toString());
        ResultRow.RunContext context = new ResultRow.RunContext(runId, started, jobName, jsc.master(),
                prepared.fingerprint(), fitCount, prepared.testRows(), settings.resolvedConfig(),
                CodeVersion.current());
        LOG.info("run {}: {} on {} training / {} test reviews, {} workers", runId, settings.train().architectures(),
                fitCount, prepared.testRows(), workers);
        return new Run(jsc, prepared, results, context, trainer, tmp, train, validation, fitCount,
                spark.read().parquet(prepared.test()), settings);
    }

    /** Where one trained model goes: its model folder, its checkpoints (null: none) and its predictions folder. */
    public record Destination(String modelDir, String checkpointDir, String predictionsDir) {
    }

    /**
     * Trains one architecture with {@code seed} (initialisation, dropout, the order minibatches are visited), resuming
     * from {@code to.checkpointDir()} when it holds a checkpoint of the same data and settings, saves it to
     * {@code to.modelDir()}, evaluates it on the test split and writes its per-review test predictions to
     * {@code to.predictionsDir()}. The caller appends (or records) its results row ({@code repeat} in it).
     */
    public Outcome trainAndEvaluate(SparkSession spark, Run r, String name, int repeat, long seed, Destination to) {
        if (TfidfLogisticRegression.NAME.equals(name)) {
            return trainBaseline(spark, r, repeat, to);
        }
        JavaSparkContext jsc = r.jsc();
        ResultRow.RunContext run = r.context();
        TrainSettings train = settings.train().withSeed(seed);
        Architecture architecture = Architectures.get(name);
        MultiLayerConfiguration conf = SequenceClassifier.configuration(architecture, settings.model(),
                train.learningRate(name), seed, train.gradientClip(name));
        Staged data = r.data(Features.of(architecture, settings.model()), train.batchSize(name), train);
        DistributedTrainer.Trained trained = new DistributedTrainer(train).train(jsc, name, conf, data.train(),
                data.validation(), r.fitCount(), to.checkpointDir(), run.dataFingerprint());
        // Saved before the evaluation: the trained parameters must be on disk whatever happens next.
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("run_id", run.runId());
        info.put("architecture", name);
        info.put("repeat", repeat);
        info.put("seed", seed);
        info.put("data_fingerprint", run.dataFingerprint());
        info.put("config", run.config());
        info.put("epochs_trained", trained.epochs());
        info.put("resumed_from_epoch", trained.resumedFromEpoch());
        info.put("best_epoch", trained.bestEpoch());
        PipelineModel model = ReviewModels.network(spark, trained.network().getNetwork(),
                r.vocabulary(spark), settings.prepare().text(),
                settings.prepare().sequence(), settings.prepare().bigrams(), Features.of(architecture, settings.model()));
        String modelPath = ModelStore.save(model, to.modelDir(), info, jsc.hadoopConfiguration());
        jsc.setJobGroup("reviewnet-eval-" + name, "reviewnet: evaluating " + name + " on the test split", false);
        Metrics metrics;
        try (Evaluated evaluated = DistributedEvaluator.evaluated(trained.network().getNetwork(), data.test(),
                settings.train().evalBatchSize())) {
            metrics = evaluated.metrics();
            evaluated.writePredictions(spark, run.runId(), name, repeat, to.predictionsDir());
        } finally {
            jsc.clearJobGroup();
        }
        ResultRow row = ResultRow.of(run, name, repeat, settings.model(), train, trained.workers(), trained.approach(),
                trained.network().getNetwork().numParams(), trained.seconds(), trained.examplesPerSecond(), metrics,
                modelPath, validation(trained));
        LOG.info("{} (repeat {}, seed {}): accuracy {}, F1 {}, AUC {}, loss {}, {} s training ({} examples/s)",
                name, repeat, seed, fmt(metrics.accuracy()), fmt(metrics.f1()), fmt(metrics.auc()),
                fmt(metrics.loss()), Math.round(trained.seconds()), Math.round(trained.examplesPerSecond()));
        return new Outcome(row, metrics, modelPath, trained);
    }

    /**
     * The tfidf-lr baseline on the same reviews as the networks (the prepared splits' ids: fitted on the training rows
     * less the validation hold-out, scored on the hold-out for its validation accuracy), from the full text's Lucene
     * tokens; saved, validated and tested as a PipelineModel from the review text ({@link ReviewModels#baseline}),
     * with {@code model.json}; measured by the same
     * {@link Metrics#of}; its test predictions written like a network's. Columns of the results row that describe
     * networks only (batch size, learning rate, averaging frequency, embedding, hidden, dropout, filters, kernel, pool,
     * sequence length) are 0. It is deterministic: a comparison trains it once, whatever the repeats.
     */
    private Outcome trainBaseline(SparkSession spark, Run r, int repeat, Destination to) {
        // read once: the id check, the fit, the validation and the test all read the text
        Dataset<Row> reviews = ReviewSchema.usable(CorpusReader.of(settings.prepare().input()).read(spark))
                .select(ReviewSchema.ID, ReviewSchema.TEXT).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return trainBaseline(spark, r, repeat, to, reviews);
        } finally {
            reviews.unpersist();
        }
    }

    private Outcome trainBaseline(SparkSession spark, Run r, int repeat, Destination to, Dataset<Row> reviews) {
        String name = TfidfLogisticRegression.NAME;
        ResultRow.RunContext run = r.context();
        Dataset<Row> wanted = r.fitRows.select(ReviewSchema.ID).union(r.testRows.select(ReviewSchema.ID));
        if (r.validationRows != null) {
            wanted = wanted.union(r.validationRows.select(ReviewSchema.ID));
        }
        ReviewIds.requireAllPresent(wanted, reviews, "the tfidf-lr baseline's reviews joined by id with the input");
        Dataset<Row> tokens = new LuceneTokenizer(settings.prepare().text()).setInputCol(ReviewSchema.TEXT)
                .setOutputCol("tokens").transform(reviews).select(ReviewSchema.ID, "tokens");
        Dataset<Row> train = tokens.join(r.fitRows.select(ReviewSchema.ID, ReviewSchema.LABEL), ReviewSchema.ID);
        r.jsc().setJobGroup("reviewnet-train-" + name, "reviewnet: training " + name + " (Spark MLlib)", false);
        long started = System.nanoTime();
        PipelineModel onTokens;
        try {
            onTokens = TfidfLogisticRegression.fit(settings.baseline(), train);
        } finally {
            r.jsc().clearJobGroup();
        }
        // the saved model, validated and tested as any user would score it: from the review text
        PipelineModel model = ReviewModels.baseline(spark, settings.prepare().text(), onTokens);
        ResultRow.Validation validation = ResultRow.Validation.none(1);
        if (r.validationRows != null) {
            Metrics v;
            try (Evaluated evaluated = ReviewModels.evaluated(model, reviews.join(r.validationRows.select(
                    ReviewSchema.ID, ReviewSchema.LABEL), ReviewSchema.ID))) {
                v = evaluated.metrics();
            }
            validation = new ResultRow.Validation(1, 1, v.accuracy(), v.loss(), String.format(java.util.Locale.ROOT,
                    "[{\"epoch\":1,\"loss\":%s,\"accuracy\":%s}]", v.loss(), v.accuracy()));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        LOG.info("training {}: {} examples in {} s, {} features", name, r.fitCount(),
                String.format("%.1f", seconds), TfidfLogisticRegression.parameters(onTokens) - 1);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("run_id", run.runId());
        info.put("architecture", name);
        info.put("repeat", repeat);
        info.put("data_fingerprint", run.dataFingerprint());
        info.put("config", run.config());
        String modelPath = ModelStore.save(model, to.modelDir(), info, r.jsc().hadoopConfiguration());
        r.jsc().setJobGroup("reviewnet-eval-" + name, "reviewnet: evaluating " + name + " on the test split", false);
        Metrics m;
        try (Evaluated evaluated = ReviewModels.evaluated(model, reviews.join(r.testRows.select(ReviewSchema.ID,
                ReviewSchema.LABEL), ReviewSchema.ID))) {
            m = evaluated.metrics();
            evaluated.writePredictions(spark, run.runId(), name, repeat, to.predictionsDir());
        } finally {
            r.jsc().clearJobGroup();
        }
        ResultRow row = new ResultRow(run.runId(), run.started(), run.job(), name, 1, settings.train().seed(), 0, 0,
                0, r.jsc().defaultParallelism(), "mllib", 0, 0, 0, 0, 0, 0, settings.prepare().vocab().size(), 0,
                TfidfLogisticRegression.parameters(onTokens), run.sparkMaster(), run.dataFingerprint(),
                r.fitCount(), run.testExamples(), m.accuracy(), m.precision(), m.recall(), m.f1(), m.auc(),
                m.loss(), m.tp(), m.fp(), m.tn(), m.fn(), seconds, r.fitCount() / seconds, m.seconds(),
                modelPath, run.config(), run.codeVersion(), validation.epochsTrained(), validation.bestEpoch(),
                validation.accuracy(), validation.loss(), validation.history(), repeat);
        LOG.info("{}: accuracy {}, F1 {}, AUC {}, loss {}, {} s training", name, fmt(m.accuracy()), fmt(m.f1()),
                fmt(m.auc()), fmt(m.loss()), Math.round(seconds));
        return new Outcome(row, m, modelPath, null);
    }

    /** The validation columns of a trained network's row. */
    static ResultRow.Validation validation(DistributedTrainer.Trained trained) {
        DistributedTrainer.EpochScore best = trained.best();
        if (best == null) {
            return ResultRow.Validation.none(trained.epochs());
        }
        try {
            return new ResultRow.Validation(trained.epochs(), best.epoch(), best.accuracy(), best.loss(),
                    new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(trained.validation()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes a run's scratch folder; a failure is logged, not thrown. */
    public static void deleteQuietly(SparkSession spark, String dir) {
        try {
            Path path = new Path(dir);
            path.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(path, true);
        } catch (IOException e) {
            LOG.warn("cannot delete {}", dir, e);
        }
    }

    private static String fmt(double value) {
        return String.format("%.4f", value);
    }
}

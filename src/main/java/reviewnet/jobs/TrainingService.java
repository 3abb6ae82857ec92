package reviewnet.jobs;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.config.CompareSettings;
import reviewnet.eval.DistributedEvaluator;
import reviewnet.eval.Metrics;
import reviewnet.eval.ModelStore;
import reviewnet.eval.ResultRow;
import reviewnet.eval.ResultsTable;
import reviewnet.nn.Architectures;
import reviewnet.nn.SequenceClassifier;
import reviewnet.train.BulkNDArraySerializer;
import reviewnet.train.DataSets;
import reviewnet.train.DistributedTrainer;
import reviewnet.train.ExecutorEnvironment;
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
     * What the architectures of one run share: the training minibatches (staged once) and the test minibatches
     * (cached once), released by {@link #close()}.
     */
    public record Run(JavaSparkContext jsc, PreparedData prepared, TrainingData train, JavaRDD<DataSet> test,
               ResultsTable results, ResultRow.RunContext context, DistributedTrainer trainer, String tmp) {
        public void close() {
            test.unpersist(false);
            train.close();
        }
    }

    /** One trained, saved and evaluated architecture. */
    public record Outcome(ResultRow row, Metrics metrics, String modelPath, DistributedTrainer.Trained trained) {
    }

    /** Stages the run's data (training minibatches once, test minibatches cached); the caller closes the run. */
    public Run start(SparkSession spark, String runId) {
        Instant started = Instant.now();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ExecutorEnvironment.applyInProcess(ExecutorEnvironment.variables(settings.train().executor(),
                jsc.getConf()));
        PreparedData prepared = PreparedData.ensure(spark, settings.prepare());
        String output = settings.paths().output();
        String tmp = new Path(output, ".tmp/" + runId).toString();
        DistributedTrainer trainer = new DistributedTrainer(settings.train());
        int workers = trainer.workers(jsc);
        TrainingData train = TrainingData.stage(jsc, spark.read().parquet(prepared.train()), settings.train(),
                trainer.approach(jsc), workers, new Path(tmp, "train").toString());
        JavaRDD<DataSet> test = DataSets.minibatches(spark.read().parquet(prepared.test()),
                settings.train().evalBatchSize(), workers).persist(StorageLevel.MEMORY_AND_DISK());
        ResultsTable results = new ResultsTable(new Path(output, RESULTS).toString());
        ResultRow.RunContext context = new ResultRow.RunContext(runId, started, jobName, jsc.master(),
                prepared.fingerprint(), prepared.trainRows(), prepared.testRows(), settings.resolvedConfig(),
                CodeVersion.current());
        LOG.info("run {}: {} on {} training / {} test reviews, {} workers", runId, settings.train().architectures(),
                prepared.trainRows(), prepared.testRows(), workers);
        return new Run(jsc, prepared, train, test, results, context, trainer, tmp);
    }

    /**
     * Trains one architecture (resuming from {@code checkpointDir} when it holds a checkpoint of the same data and
     * settings; null = none), saves it to {@code modelDir} and evaluates it. The caller appends (or records) its
     * results row.
     */
    public Outcome trainAndEvaluate(SparkSession spark, Run r, String name, String modelDir, String checkpointDir) {
        JavaSparkContext jsc = r.jsc();
        ResultRow.RunContext run = r.context();
        MultiLayerConfiguration conf = SequenceClassifier.configuration(Architectures.get(name), settings.model(),
                settings.train().learningRate(), settings.train().seed());
        DistributedTrainer.Trained trained = r.trainer().train(jsc, name, conf, r.train(), r.prepared().trainRows(),
                checkpointDir, run.dataFingerprint());
        // Saved before the evaluation: the trained parameters must be on disk whatever happens next.
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("run_id", run.runId());
        info.put("architecture", name);
        info.put("data_fingerprint", run.dataFingerprint());
        info.put("config", run.config());
        info.put("epochs_trained", trained.epochs());
        info.put("resumed_from_epoch", trained.resumedFromEpoch());
        String modelPath = ModelStore.save(trained.network().getNetwork(), r.prepared().vocabulary(), modelDir, info,
                jsc.hadoopConfiguration());
        jsc.setJobGroup("reviewnet-eval-" + name, "reviewnet: evaluating " + name + " on the test split", false);
        Metrics metrics;
        try {
            metrics = DistributedEvaluator.evaluate(trained.network().getNetwork(), r.test(), settings.train().evalBatchSize());
        } finally {
            jsc.clearJobGroup();
        }
        ResultRow row = ResultRow.of(run, name, settings.model(), settings.train(), trained.workers(), trained.approach(),
                trained.network().getNetwork().numParams(), trained.seconds(), trained.examplesPerSecond(), metrics,
                modelPath);
        LOG.info("{}: accuracy {}, F1 {}, AUC {}, loss {}, {} s training ({} examples/s)",
                name, fmt(metrics.accuracy()), fmt(metrics.f1()), fmt(metrics.auc()), fmt(metrics.loss()),
                Math.round(trained.seconds()), Math.round(trained.examplesPerSecond()));
        return new Outcome(row, metrics, modelPath, trained);
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

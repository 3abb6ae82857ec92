package reviewnet.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
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
import reviewnet.report.AccuracyChart;
import reviewnet.report.ComparisonTable;
import reviewnet.train.DataSets;
import reviewnet.train.DistributedTrainer;
import reviewnet.train.ExecutorEnvironment;

/**
 * compare: prepare (or reuse) the dataset, then for each configured architecture train it across the executors,
 * evaluate it on the test split, save the model next to its vocabulary and append its results row; finally print
 * the comparison table and write the accuracy-vs-time chart.
 */
public final class CompareJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(CompareJob.class);
    public static final String RESULTS = "results";
    public static final String MODELS = "models";
    public static final String CHARTS = "charts";

    private final CompareSettings settings;
    private final String jobName;

    public CompareJob(CompareSettings settings, String jobName) {
        this.settings = settings;
        this.jobName = jobName;
    }

    @Override
    public void configure(SparkConf conf) {
        ExecutorEnvironment.apply(ExecutorEnvironment.variables(settings.train(), conf), conf);
    }

    @Override
    public void execute(SparkSession spark) {
        run(spark);
    }

    /** Runs the comparison; returns the rows appended to the results table, in architecture order. */
    public List<Row> run(SparkSession spark) {
        Instant started = Instant.now();
        String runId = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ExecutorEnvironment.applyInProcess(ExecutorEnvironment.variables(settings.train(), jsc.getConf()));

        PreparedData prepared = PreparedData.ensure(spark, settings.prepare());
        JavaRDD<DataSet> train = DataSets.examples(spark.read().parquet(prepared.train()));
        JavaRDD<DataSet> test = DataSets.examples(spark.read().parquet(prepared.test()));
        String output = settings.paths().output();
        ResultsTable results = new ResultsTable(new Path(output, RESULTS).toString());
        ResultRow.RunContext run = new ResultRow.RunContext(runId, started, jobName, jsc.master(),
                prepared.fingerprint(), prepared.trainRows(), prepared.testRows(), settings.resolvedConfig(),
                codeVersion());
        DistributedTrainer trainer = new DistributedTrainer(settings.train());
        String tmp = new Path(output, ".tmp/" + runId).toString();
        LOG.info("run {}: {} on {} training / {} test reviews, {} workers", runId, settings.train().architectures(),
                prepared.trainRows(), prepared.testRows(), trainer.workers(jsc));

        List<Row> rows = new ArrayList<>();
        try {
            for (String name : settings.train().architectures()) {
                rows.add(trainAndEvaluate(spark, jsc, name, prepared, train, test, trainer, run, results, tmp));
            }
        } finally {
            deleteQuietly(spark, tmp);
        }
        System.out.println("\nreviewnet compare, run " + runId + " (" + jsc.master() + ", "
                + settings.train().epochs() + " epoch(s)):\n" + ComparisonTable.format(rows) + "\n"
                + ComparisonTable.machineReadable(rows));
        writeChart(spark, runId, rows);
        return rows;
    }

    private Row trainAndEvaluate(SparkSession spark, JavaSparkContext jsc, String name, PreparedData prepared,
                                 JavaRDD<DataSet> train, JavaRDD<DataSet> test, DistributedTrainer trainer,
                                 ResultRow.RunContext run, ResultsTable results, String tmp) {
        MultiLayerConfiguration conf = SequenceClassifier.configuration(Architectures.get(name), settings.model(),
                settings.train().learningRate(), settings.train().seed());
        DistributedTrainer.Trained trained = trainer.train(jsc, name, conf, train, prepared.trainRows(),
                new Path(tmp, name).toString());
        // Saved before the evaluation: in local mode DL4J's evaluation shares the driver network's buffers with its
        // workers, and the trained parameters must be on disk whatever happens next.
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("run_id", run.runId());
        info.put("architecture", name);
        info.put("data_fingerprint", run.dataFingerprint());
        info.put("config", run.config());
        String modelPath = ModelStore.save(trained.network().getNetwork(), prepared.vocabulary(),
                new Path(settings.paths().output(), MODELS + "/" + run.runId() + "/" + name).toString(), info,
                jsc.hadoopConfiguration());
        jsc.setJobGroup("reviewnet-eval-" + name, "reviewnet: evaluating " + name + " on the test split", false);
        Metrics metrics;
        try {
            metrics = DistributedEvaluator.evaluate(trained.network(), test, settings.train().evalBatchSize());
        } finally {
            jsc.clearJobGroup();
        }
        Row row = ResultRow.of(run, name, settings.model(), settings.train(), trained.workers(), trained.approach(),
                trained.network().getNetwork().numParams(), trained.seconds(), trained.examplesPerSecond(), metrics,
                modelPath);
        results.append(spark, List.of(row));
        LOG.info("{}: accuracy {}, F1 {}, AUC {}, loss {}, {} s training ({} examples/s); results appended to {}",
                name, fmt(metrics.accuracy()), fmt(metrics.f1()), fmt(metrics.auc()), fmt(metrics.loss()),
                Math.round(trained.seconds()), Math.round(trained.examplesPerSecond()), results.path());
        return row;
    }

    private void writeChart(SparkSession spark, String runId, List<Row> rows) {
        Path chart = new Path(settings.paths().output(), CHARTS + "/" + runId + "-accuracy-vs-time.png");
        System.setProperty("java.awt.headless", "true");
        try {
            FileSystem fs = chart.getFileSystem(spark.sparkContext().hadoopConfiguration());
            fs.mkdirs(chart.getParent());
            AccuracyChart.write(AccuracyChart.chart("reviewnet " + runId + ": test accuracy vs training time", rows),
                    fs, chart);
            LOG.info("chart written to {}", fs.makeQualified(chart));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chart " + chart, e);
        }
    }

    private static void deleteQuietly(SparkSession spark, String dir) {
        try {
            Path path = new Path(dir);
            path.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(path, true);
        } catch (IOException e) {
            LOG.warn("cannot delete {}", dir, e);
        }
    }

    static String codeVersion() {
        String version = CompareJob.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    private static String fmt(double value) {
        return String.format("%.4f", value);
    }
}

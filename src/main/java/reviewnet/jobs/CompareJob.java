package reviewnet.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.baseline.TfidfLogisticRegression;
import reviewnet.config.CompareSettings;
import reviewnet.config.ComparisonSettings;
import reviewnet.eval.Predictions;
import reviewnet.eval.ResultRow;
import reviewnet.eval.ResultsTable;
import reviewnet.eval.SummaryTable;
import reviewnet.eval.Uncertainty;
import reviewnet.config.ValidationSettings;
import reviewnet.io.HadoopFiles;
import reviewnet.report.AccuracyChart;
import reviewnet.report.LearningCurveChart;
import reviewnet.report.ComparisonTable;

import static org.apache.spark.sql.functions.col;

/**
 * compare: prepare (or reuse) the dataset, then for each configured architecture and each repeat (its own seed) train
 * it across the executors, save the model next to its vocabulary, evaluate it on the test split, write its per-review
 * predictions and append its results row (all through {@link TrainingService}); finally summarize the run (spread
 * over repeats, intervals, paired tests against the best: {@link Uncertainty}) into {@code summary/}, print the tables
 * and write the accuracy-vs-time chart with error bars. A killed run resumes per repeat with
 * {@code reviewnet.compare.run-id}.
 */
public final class CompareJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(CompareJob.class);
    public static final String CHARTS = "charts";

    private final CompareSettings settings;
    private final TrainingService training;

    public CompareJob(CompareSettings settings, String jobName) {
        this.settings = settings;
        this.training = new TrainingService(settings, jobName);
    }

    @Override
    public void configure(SparkConf conf) {
        training.configure(conf);
    }

    @Override
    public List<PathSetting> paths() {
        return paths(settings);
    }

    /** Prepare's paths and the output folder. */
    static List<PathSetting> paths(CompareSettings settings) {
        List<PathSetting> paths = new ArrayList<>(PrepareJob.paths(settings.prepare()));
        paths.add(PathSetting.other("reviewnet.output.path", settings.paths().output()));
        return paths;
    }

    @Override
    public void execute(SparkSession spark) {
        run(spark);
    }

    /**
     * Runs the comparison; returns its results rows (those appended now and, for a resumed run id, those an earlier
     * attempt appended), in architecture and repeat order.
     */
    public List<ResultRow> run(SparkSession spark) {
        ComparisonSettings comparison = settings.comparison();
        String runId = comparison.runId().isEmpty() ? TrainingService.newRunId(Instant.now()) : comparison.runId();
        TrainingService.Run run = training.start(spark, runId);
        String output = settings.paths().output();
        Map<String, ResultRow> earlier = earlierRows(spark, run.results(), runId);
        for (ResultRow r : earlier.values()) {
            if (!r.config().equals(settings.resolvedConfig()) || !r.dataFingerprint().equals(run.context().dataFingerprint())) {
                run.close();
                throw new IllegalStateException("run " + runId + " was started with other settings or data ("
                        + r.architecture() + " repeat " + r.repeat() + " is in the results table): refusing to mix "
                        + "them. Resume it with its original input and settings, or use a new run id");
            }
        }
        List<ResultRow> rows = new ArrayList<>();
        try {
            for (String name : settings.train().architectures()) {
                int repeats = TfidfLogisticRegression.NAME.equals(name) ? 1 : comparison.repeats();
                for (int repeat = 1; repeat <= repeats; repeat++) {
                    ResultRow done = earlier.get(name + "/" + repeat);
                    if (done != null) {
                        LOG.info("{} repeat {}: done by an earlier attempt of run {}: reused", name, repeat, runId);
                        rows.add(done);
                        continue;
                    }
                    long seed = ComparisonSettings.seed(settings.train().seed(), repeat);
                    String modelDir = new Path(output, TrainingService.MODELS + "/" + runId + "/"
                            + (repeat == 1 ? name : name + "-r" + repeat)).toString();
                    ResultRow row = training.trainAndEvaluate(spark, run, name, repeat, seed,
                            new TrainingService.Destination(modelDir, null, predictions(runId, name, repeat))).row();
                    run.results().append(spark, List.of(row));
                    LOG.info("{} repeat {}/{}: results appended to {}", name, repeat, repeats, run.results().path());
                    rows.add(row);
                }
            }
        } finally {
            run.close();
            TrainingService.deleteQuietly(spark, run.tmp());
        }
        List<Uncertainty.Summary> summaries = summarize(spark, runId, rows);
        ValidationSettings validation = settings.train().validation();
        String epochs = validation.enabled() ? "up to " + validation.maxEpochs() + " epochs, early stopping on "
                + "validation " + validation.metric().name().toLowerCase(java.util.Locale.ROOT) + " (patience "
                + validation.patience() + ")" : settings.train().epochs() + " epoch(s)";
        System.out.println("\nreviewnet compare, run " + runId + " (" + run.jsc().master() + ", "
                + epochs + ", " + comparison.repeats() + " repeat(s)):\n" + ComparisonTable.format(rows) + "\n"
                + SummaryTable.format(summaries, comparison.alpha()) + "\n"
                + ComparisonTable.machineReadable(rows));
        writeChart(spark, runId, rows, summaries);
        return rows;
    }

    private String predictions(String runId, String architecture, int repeat) {
        return Predictions.path(new Path(settings.paths().output(), Predictions.DIR).toString(), runId, architecture,
                repeat);
    }

    /** The rows an earlier attempt of this run id appended (architecture/repeat to row); none for a new run. */
    private static Map<String, ResultRow> earlierRows(SparkSession spark, ResultsTable results, String runId) {
        Map<String, ResultRow> rows = new LinkedHashMap<>();
        if (!HadoopFiles.exists(spark, results.path(), "the results table")) {
            return rows;
        }
        for (Row r : results.read(spark).where(col("run_id").equalTo(runId)).collectAsList()) {
            ResultRow row = ResultRow.fromRow(r);
            rows.put(row.architecture() + "/" + row.repeat(), row);
        }
        return rows;
    }

    /**
     * The run's summary from every model's per-review test predictions ({@link Uncertainty}), written to
     * {@code summary/<run id>/}.
     */
    private List<Uncertainty.Summary> summarize(SparkSession spark, String runId, List<ResultRow> rows) {
        ComparisonSettings comparison = settings.comparison();
        List<Uncertainty.Model> models = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (ResultRow r : rows) {
            models.add(Predictions.model(spark, predictions(runId, r.architecture(), r.repeat()), r.architecture(),
                    r.repeat(), r.seed(), r.validationAccuracy(), ids));
        }
        long started = System.nanoTime();
        List<Uncertainty.Summary> summaries = Uncertainty.summarize(models, comparison.bootstrapReplicates(),
                settings.train().seed());
        LOG.info("summary of run {}: {} models on {} test reviews, {} bootstrap replicates in {} s", runId,
                models.size(), ids.size(), comparison.bootstrapReplicates(),
                String.format("%.1f", (System.nanoTime() - started) / 1e9));
        String dir = new Path(settings.paths().output(), SummaryTable.DIR + "/" + runId).toString();
        SummaryTable.write(spark, dir, SummaryTable.rows(runId, summaries, rows, comparison.bootstrapReplicates(),
                comparison.alpha()));
        LOG.info("summary written to {}", dir);
        return summaries;
    }

    private void writeChart(SparkSession spark, String runId, List<ResultRow> rows,
                            List<Uncertainty.Summary> summaries) {
        System.setProperty("java.awt.headless", "true");
        write(spark, new Path(settings.paths().output(), CHARTS + "/" + runId + "-accuracy-vs-time.png"),
                AccuracyChart.chart("reviewnet " + runId + ": test accuracy (95% interval) vs training time",
                        summaries, rows));
        if (LearningCurveChart.hasCurves(rows)) {
            String metric = settings.train().validation().metric().name().toLowerCase(java.util.Locale.ROOT);
            write(spark, new Path(settings.paths().output(), CHARTS + "/" + runId + "-learning-curves.png"),
                    LearningCurveChart.chart("reviewnet " + runId + ": validation " + metric + " per epoch", rows,
                            metric));
        }
    }

    private static void write(SparkSession spark, Path chart, org.jfree.chart.JFreeChart content) {
        try {
            FileSystem fs = chart.getFileSystem(spark.sparkContext().hadoopConfiguration());
            fs.mkdirs(chart.getParent());
            AccuracyChart.write(content, fs, chart);
            LOG.info("chart written to {}", fs.makeQualified(chart));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chart " + chart, e);
        }
    }
}

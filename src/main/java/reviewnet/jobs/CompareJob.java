package reviewnet.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.config.CompareSettings;
import reviewnet.eval.ResultRow;
import reviewnet.config.ValidationSettings;
import reviewnet.report.AccuracyChart;
import reviewnet.report.LearningCurveChart;
import reviewnet.report.ComparisonTable;

/**
 * compare: prepare (or reuse) the dataset, then for each configured architecture train it across the executors,
 * evaluate it on the test split, save the model next to its vocabulary and append its results row (all through
 * {@link TrainingService}); finally print the comparison table and write the accuracy-vs-time chart.
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

    /** Runs the comparison; returns the rows appended to the results table, in architecture order. */
    public List<ResultRow> run(SparkSession spark) {
        TrainingService.Run run = training.start(spark, TrainingService.newRunId(Instant.now()));
        List<ResultRow> rows = new ArrayList<>();
        try {
            for (String name : settings.train().architectures()) {
                String modelDir = new Path(settings.paths().output(),
                        TrainingService.MODELS + "/" + run.context().runId() + "/" + name).toString();
                ResultRow row = training.trainAndEvaluate(spark, run, name, modelDir, null).row();
                run.results().append(spark, List.of(row));
                LOG.info("{}: results appended to {}", name, run.results().path());
                rows.add(row);
            }
        } finally {
            run.close();
            TrainingService.deleteQuietly(spark, run.tmp());
        }
        ValidationSettings validation = settings.train().validation();
        String epochs = validation.enabled() ? "up to " + validation.maxEpochs() + " epochs, early stopping on "
                + "validation " + validation.metric().name().toLowerCase(java.util.Locale.ROOT) + " (patience "
                + validation.patience() + ")" : settings.train().epochs() + " epoch(s)";
        System.out.println("\nreviewnet compare, run " + run.context().runId() + " (" + run.jsc().master() + ", "
                + epochs + "):\n" + ComparisonTable.format(rows) + "\n"
                + ComparisonTable.machineReadable(rows));
        writeChart(spark, run.context().runId(), rows);
        return rows;
    }

    private void writeChart(SparkSession spark, String runId, List<ResultRow> rows) {
        System.setProperty("java.awt.headless", "true");
        write(spark, new Path(settings.paths().output(), CHARTS + "/" + runId + "-accuracy-vs-time.png"),
                AccuracyChart.chart("reviewnet " + runId + ": test accuracy vs training time", rows));
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

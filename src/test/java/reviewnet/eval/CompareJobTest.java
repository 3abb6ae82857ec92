package reviewnet.eval;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import example.ScoreReviews;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reviewnet.config.CompareSettings;
import reviewnet.config.JobConfig;
import reviewnet.corpus.CorpusReader;
import reviewnet.corpus.ReviewSchema;
import reviewnet.jobs.CompareJob;
import reviewnet.ml.NetworkClassificationModel;
import reviewnet.sequence.SequencePadder;
import reviewnet.text.LuceneTokenizer;
import reviewnet.testing.ImdbData;
import reviewnet.testing.SparkTest;
import reviewnet.vocab.VocabularyModel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compare job end to end on a real slice: results rows, saved models, chart, the no-partial-row rule; repeats (rows,
 * per-review predictions and the summary agree with one another, a run id resumes per repeat) and reproducibility
 * (the same seed gives the same figures).
 */
class CompareJobTest extends SparkTest {
    @TempDir
    static Path tmp;
    static Path imdb;

    @BeforeAll
    static void data() {
        imdb = ImdbData.slice(250);
    }

    static CompareSettings settings(Path output, String... more) {
        List<String> overrides = new java.util.ArrayList<>(List.of("reviewnet.input.path=" + imdb,
                "reviewnet.prepared.path=" + output.resolve("prepared"), "reviewnet.output.path=" + output,
                "reviewnet.train.architectures=[bigram-bag, gru]", "reviewnet.train.workers=2"));
        overrides.addAll(List.of(more));
        return CompareSettings.from(JobConfig.resolve(JobConfig.parseOverrides(overrides)));
    }

    /** One compare run of gru and bigram-bag (the two kinds of network input), shared by the tests that read it. */
    private static List<ResultRow> trained;

    private static synchronized List<ResultRow> trained() {
        if (trained == null) {
            trained = new CompareJob(settings(tmp.resolve("ok")), "compare").run(spark);
        }
        return trained;
    }

    @Test
    void appendsOneCompleteRowPerArchitectureAndSavesModels() throws Exception {
        Path out = tmp.resolve("ok");
        List<ResultRow> rows = trained();
        assertEquals(2, rows.size());

        Dataset<Row> table = spark.read().parquet(out.resolve("results").toString());
        assertEquals(ResultsTable.SCHEMA.fieldNames().length, table.columns().length);
        for (String column : List.of("run_id", "architecture", "accuracy", "f1", "auc", "test_loss",
                "train_seconds", "examples_per_second", "data_fingerprint", "config", "model_path")) {
            assertTrue(List.of(table.columns()).contains(column), column);
        }
        assertEquals(DataTypes.DoubleType, table.schema().apply("accuracy").dataType());
        List<Row> stored = table.orderBy("architecture").collectAsList();
        // the typed rows the job returned are the rows the table holds
        assertEquals(rows.stream().sorted(java.util.Comparator.comparing(ResultRow::architecture)).toList(),
                stored.stream().map(ResultRow::fromRow).toList());
        assertEquals(List.of("bigram-bag", "gru"), stored.stream().map(r -> r.getString(r.fieldIndex("architecture"))).toList());
        for (Row r : stored) {
            double accuracy = r.getDouble(r.fieldIndex("accuracy"));
            long tp = r.getLong(r.fieldIndex("tp"));
            long fp = r.getLong(r.fieldIndex("fp"));
            long tn = r.getLong(r.fieldIndex("tn"));
            long fn = r.getLong(r.fieldIndex("fn"));
            assertEquals(500, tp + fp + tn + fn);
            assertEquals((tp + tn) / 500.0, accuracy, 1e-9);
            assertTrue(r.getDouble(r.fieldIndex("auc")) >= 0 && r.getDouble(r.fieldIndex("auc")) <= 1);
            assertTrue(r.getDouble(r.fieldIndex("test_loss")) > 0);
            assertTrue(r.getDouble(r.fieldIndex("train_seconds")) > 0);
            assertEquals(500L, r.getLong(r.fieldIndex("train_examples")));
            assertEquals(2, r.getInt(r.fieldIndex("workers")));
            assertTrue(r.getString(r.fieldIndex("config")).contains("\"architectures\":[\"bigram-bag\",\"gru\"]"));

            Path model = Path.of(new java.net.URI(r.getString(r.fieldIndex("model_path"))));
            assertTrue(Files.exists(model.resolve(ModelStore.INFO)));
            assertTrue(Files.isDirectory(model.resolve("stages")), "the model directory is a PipelineModel's");
        }
        try (var charts = Files.list(out.resolve("charts"))) {
            assertTrue(charts.anyMatch(p -> p.toString().endsWith("-accuracy-vs-time.png")));
        }
        assertFalse(Files.exists(out.resolve(".tmp").resolve(stored.get(0).getString(0))),
                "the run's temporary files are removed");
    }

    /**
     * The models compare saved, as a separate Spark job of a user's would use them: a fresh session,
     * {@code PipelineModel.load} of the model directory and nothing of reviewnet's API (the README's example,
     * {@link ScoreReviews}); Spark's evaluators on the test reviews' text give the results rows' accuracy and AUC.
     */
    @Test
    void aSavedModelLoadsInAFreshSessionAsAPipelineModelThatSparksEvaluatorsAgreeWith() throws Exception {
        Path out = tmp.resolve("hand-over");
        List<ResultRow> rows = trained();
        CompareSettings settings = settings(tmp.resolve("ok"));
        restartSpark();
        Dataset<Row> test = ReviewSchema.usable(CorpusReader.of(settings.prepare().input()).read(spark))
                .where(col(ReviewSchema.SPLIT).equalTo("test")).select(ReviewSchema.TEXT, ReviewSchema.LABEL);
        assertEquals(500, test.count());
        for (ResultRow row : rows) {
            PipelineModel model = PipelineModel.load(row.modelPath());
            assertEquals(List.of(LuceneTokenizer.class, VocabularyModel.class, SequencePadder.class),
                    Arrays.stream(model.stages()).limit(3).map(Object::getClass).toList(), row.architecture());
            assertTrue(model.stages()[model.stages().length - 1] instanceof NetworkClassificationModel);
            Dataset<Row> scored = model.transform(test);
            assertEquals(DataTypes.DoubleType, scored.schema().apply("prediction").dataType());
            assertEquals(SQLDataTypes.VectorType(), scored.schema().apply("probability").dataType());
            assertEquals(row.accuracy(), ScoreReviews.accuracy(scored), 1e-12, row.architecture());
            assertEquals(row.auc(), ScoreReviews.auc(scored), 1e-6, row.architecture());
        }

        // the example job as a user runs it (its main, which stops the session it gets): every review scored
        String reviews = out.resolve("test-reviews").toString();
        test.write().parquet(reviews);
        String scores = out.resolve("scores").toString();
        ScoreReviews.main(new String[] {rows.get(0).modelPath(), reviews, scores});
        restartSpark();
        Dataset<Row> written = spark.read().parquet(scores);
        assertEquals(List.of("label", "probability", "prediction"), List.of(written.columns()));
        assertEquals(500, written.count());
    }

    @Test
    void aFailingArchitectureAppendsNoRow() throws Exception {
        Path out = tmp.resolve("failing");
        Files.createDirectories(out);
        // the model store cannot be created: the first architecture fails after training and evaluation
        File models = out.resolve("models").toFile();
        assertTrue(models.createNewFile());
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> new CompareJob(settings(out, "reviewnet.train.architectures=[conv]"), "compare").run(spark));
        assertTrue(e.getMessage().contains("models"), e.getMessage());
        assertFalse(Files.exists(out.resolve("results")) && spark.read().parquet(out.resolve("results").toString())
                .count() > 0, "no results row was appended");
    }

    /**
     * The repeats' tests: conv and simple-rnn (both with dropout), two workers averaging, one epoch, a smaller
     * bootstrap; {@code more} last.
     */
    static String[] withRepeats(String... more) {
        List<String> all = new java.util.ArrayList<>(List.of("reviewnet.train.architectures=[conv, simple-rnn]",
                "reviewnet.prepared.path=" + tmp.resolve("prepared-shared"), "reviewnet.compare.bootstrap-replicates=500"));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    @Test
    void threeRepeatsWriteConsistentRowsPredictionsAndSummary() {
        Path out = tmp.resolve("three");
        // with the validation hold-out: the summary's validation accuracy and recommendation
        String[] validated = {"reviewnet.compare.repeats=3", "reviewnet.compare.run-id=r3",
                "reviewnet.train.validation-fraction=0.2", "reviewnet.train.max-epochs=1",
                "reviewnet.prepared.path=" + tmp.resolve("prepared-validated")};
        CompareSettings settings = settings(out, withRepeats(validated));
        List<ResultRow> rows = new CompareJob(settings, "compare").run(spark);
        assertEquals(6, rows.size());
        Map<String, List<ResultRow>> byArchitecture = rows.stream()
                .collect(Collectors.groupingBy(ResultRow::architecture));
        for (List<ResultRow> reps : byArchitecture.values()) {
            assertEquals(List.of(1, 2, 3), reps.stream().map(ResultRow::repeat).toList());
            assertEquals(List.of(42L, 43L, 44L), reps.stream().map(ResultRow::seed).toList());
        }
        // the table holds the rows the job returned
        assertEquals(6, new ResultsTable(out.resolve("results").toString()).rows(spark).size());

        // predictions: every model scored every test review once, by id; its accuracy is its row's
        Dataset<Row> predictions = Predictions.read(spark, out.resolve("predictions").toString());
        assertEquals(List.of(Predictions.SCHEMA.fieldNames()), List.of(predictions.columns()));
        List<Row> testIds = spark.read().parquet(tmp.resolve("prepared-validated/test").toString()).select("id", "label")
                .orderBy("id").collectAsList();
        assertEquals(500, testIds.size());
        for (ResultRow r : rows) {
            List<Row> mine = predictions.where(col("architecture").equalTo(r.architecture())
                    .and(col("repeat").equalTo(r.repeat())).and(col("run_id").equalTo("r3")))
                    .orderBy("id").select("id", "label", "probability").collectAsList();
            assertEquals(testIds.stream().map(t -> t.getString(0)).toList(),
                    mine.stream().map(m -> m.getString(0)).toList());
            assertEquals(testIds.stream().map(t -> t.getInt(1)).toList(), mine.stream().map(m -> m.getInt(1)).toList());
            long right = mine.stream().filter(m -> (m.getDouble(2) >= 0.5) == (m.getInt(1) == 1)).count();
            assertEquals(r.accuracy(), right / 500.0, 1e-9, r.architecture() + " repeat " + r.repeat());
        }

        // the summary: one row per architecture, its statistics those of the rows
        List<Row> summary = spark.read().parquet(out.resolve("summary/r3").toString()).orderBy("architecture")
                .collectAsList();
        assertEquals(List.of(SummaryTable.SCHEMA.fieldNames()), Arrays.asList(summary.get(0).schema().fieldNames()));
        assertEquals(2, summary.size());
        String best = summary.get(0).getAs("best");
        for (Row s : summary) {
            List<ResultRow> reps = byArchitecture.get(s.<String>getAs("architecture"));
            double[] acc = reps.stream().mapToDouble(ResultRow::accuracy).toArray();
            double mean = Arrays.stream(acc).average().orElseThrow();
            double sd = Math.sqrt(Arrays.stream(acc).map(a -> (a - mean) * (a - mean)).sum() / 2);
            assertEquals(3, s.<Integer>getAs("repeats"));
            assertEquals("42,43,44", s.getAs("seeds"));
            assertEquals(mean, s.<Double>getAs("accuracy_mean"), 1e-12);
            assertEquals(sd, s.<Double>getAs("accuracy_sd"), 1e-12);
            assertEquals(Arrays.stream(acc).min().orElseThrow(), s.<Double>getAs("accuracy_min"), 1e-12);
            assertEquals(Arrays.stream(acc).max().orElseThrow(), s.<Double>getAs("accuracy_max"), 1e-12);
            assertEquals(reps.stream().mapToDouble(ResultRow::auc).average().orElseThrow(),
                    s.<Double>getAs("auc_mean"), 1e-6);
            assertTrue(s.<Double>getAs("accuracy_ci_low") <= mean && mean <= s.<Double>getAs("accuracy_ci_high"));
            assertEquals(best, s.getAs("best"));
            double p = s.getAs("p_vs_best");
            assertTrue(p > 0 && p <= 1);
            assertEquals(Uncertainty.BOOTSTRAP_SEEDS_AND_REVIEWS, s.getAs("interval_method"));
            assertEquals(reps.stream().mapToDouble(ResultRow::validationAccuracy).average().orElseThrow(),
                    s.<Double>getAs("validation_accuracy_mean"), 1e-12);
        }
        assertEquals(1, summary.stream().filter(s -> s.<Boolean>getAs("recommended")).count());

        // the same run id again: every repeat is done, nothing is trained or appended again
        List<ResultRow> again = new CompareJob(settings, "compare").run(spark);
        assertEquals(rows, again);
        assertEquals(6, new ResultsTable(out.resolve("results").toString()).rows(spark).size());
        // ... but not with other settings
        List<String> changed = new java.util.ArrayList<>(List.of(validated));
        changed.add("reviewnet.train.learning-rate=0.01");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new CompareJob(settings(out,
                withRepeats(changed.toArray(new String[0]))), "compare").run(spark));
        assertTrue(e.getMessage().contains("refusing to mix"), e.getMessage());
    }

    /**
     * A recorded seed reproduces its run: repeat 2 of a run with seed 42 (recorded seed 43) and a separate run with seed
     * 43 give the same figures and the same probability for every review (networks with dropout, two workers
     * averaging); another seed (repeat 1, seed 42) trains another network.
     */
    @Test
    void theSameSeedGivesTheSameResults() {
        List<ResultRow> twice = new CompareJob(settings(tmp.resolve("seed-a"), withRepeats("reviewnet.compare.repeats=2")),
                "compare").run(spark);
        List<ResultRow> seed43 = new CompareJob(settings(tmp.resolve("seed-b"), withRepeats("reviewnet.train.seed=43")),
                "compare").run(spark);
        for (int i = 0; i < seed43.size(); i++) {
            ResultRow first = twice.get(2 * i);
            ResultRow second = twice.get(2 * i + 1);
            assertEquals(43L, second.seed());
            assertSameRun(tmp.resolve("seed-b"), seed43.get(i), tmp.resolve("seed-a"), second);
            assertNotEquals(probabilities(tmp.resolve("seed-a"), first), probabilities(tmp.resolve("seed-a"), second),
                    first.architecture() + ": another seed trains another network");
        }
    }

    static void assertSameRun(Path outA, ResultRow a, Path outB, ResultRow b) {
        String what = a.architecture() + " seed " + a.seed() + " (repeat " + b.repeat() + ")";
        assertEquals(a.architecture(), b.architecture());
        assertEquals(a.seed(), b.seed(), what);
        assertEquals(a.accuracy(), b.accuracy(), 0.0, what);
        assertEquals(a.auc(), b.auc(), 0.0, what);
        assertEquals(a.testLoss(), b.testLoss(), 0.0, what);
        assertEquals(a.validationHistory(), b.validationHistory(), what);
        assertEquals(probabilities(outA, a), probabilities(outB, b), what);
    }

    static List<Double> probabilities(Path out, ResultRow r) {
        return Predictions.read(spark, Predictions.path(out.resolve("predictions").toString(), r.runId(),
                r.architecture(), r.repeat())).orderBy("id").select("probability").collectAsList().stream()
                .map(x -> x.getDouble(0)).toList();
    }
}

package reviewnet.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reviewnet.config.CompareSettings;
import reviewnet.config.JobConfig;
import reviewnet.config.RetrainSettings;
import reviewnet.eval.ResultRow;
import reviewnet.jobs.CompareJob;
import reviewnet.testing.ImdbData;
import reviewnet.testing.SparkTest;
import reviewnet.ml.ReviewModels;

/**
 * tfidf-lr through the compare job on a real IMDB slice: it learns, its row is in the results table like the
 * networks', and its saved PipelineModel scores as the trained one did.
 */
class TfidfLogisticRegressionTest extends SparkTest {
    @TempDir
    static Path tmp;

    static List<String> overrides(String... more) {
        List<String> all = new java.util.ArrayList<>(List.of("reviewnet.input.path=" + ImdbData.slice(250),
                "reviewnet.prepared.path=" + tmp.resolve("prepared"), "reviewnet.output.path=" + tmp.resolve("out"),
                "reviewnet.train.architectures=[tfidf-lr]",
                // 1,000 reviews converge well before the default 100 iterations (each one a Spark job)
                "reviewnet.baseline.max-iter=30"));
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void trainsThroughTheCompareJobAndRoundTrips() {
        var config = JobConfig.resolve(JobConfig.parseOverrides(overrides()));
        List<ResultRow> rows = new CompareJob(CompareSettings.from(config), "compare").run(spark);
        assertEquals(1, rows.size());
        ResultRow row = rows.get(0);
        assertEquals("tfidf-lr", row.architecture());
        assertEquals(500, row.tp() + row.fp() + row.tn() + row.fn());
        assertEquals((row.tp() + row.tn()) / 500.0, row.accuracy(), 1e-12);
        // 500 training reviews: well above chance, as a linear bag of words is on IMDB
        assertTrue(row.accuracy() > 0.7 && row.auc() > 0.8, row.toString());
        assertTrue(row.parameters() > 1000, "unigrams and bigrams seen twice or more");
        assertEquals(List.of(row), new reviewnet.eval.ResultsTable(tmp.resolve("out/results").toString())
                .rows(spark));

        // the saved model, loaded as any Spark job would, scores raw text (its Lucene analysis is its first stage)
        PipelineModel saved = PipelineModel.load(row.modelPath());
        Dataset<Row> test = spark.createDataFrame(List.of(
                        org.apache.spark.sql.RowFactory.create("A wonderful, moving film. Loved it.", 1),
                        org.apache.spark.sql.RowFactory.create("Awful, boring, a waste of time.", 0)),
                new org.apache.spark.sql.types.StructType().add("text", "string").add("label", "int"));
        double[] p = saved.transform(test).select(ReviewModels.positiveProbability()).collectAsList().stream()
                .mapToDouble(r -> r.getDouble(0)).toArray();
        assertEquals(List.of(1.0, 0.0), saved.transform(test).select("prediction").collectAsList().stream()
                .map(r -> r.getDouble(0)).toList(), "Spark's classifier prediction column");
        assertTrue(p[0] > 0.5 && p[1] < 0.5, java.util.Arrays.toString(p));
    }

    @Test
    void retrainRegistersItAndPredictScoresWithIt() throws Exception {
        Path registry = tmp.resolve("registry");
        var record = new reviewnet.jobs.RetrainJob(RetrainSettings.from(JobConfig.resolve(JobConfig.parseOverrides(
                overrides("reviewnet.retrain.registry=" + registry, "reviewnet.retrain.run-id=b1",
                        "reviewnet.output.path=" + tmp.resolve("retrain-out"))))), "retrain").run(spark);
        assertTrue(record.path("promoted").asBoolean(), record.toString());
        assertEquals("b1-tfidf-lr", record.path("champion").path("version").asText());

        // predict with the champion: the same scores as the evaluation of the test split gave
        Path folder = java.nio.file.Files.createDirectories(tmp.resolve("new-reviews"));
        java.nio.file.Files.writeString(folder.resolve("good.txt"), "A wonderful, moving film. Loved it.");
        java.nio.file.Files.writeString(folder.resolve("bad.txt"), "Awful, boring, a waste of time.");
        Path out = tmp.resolve("predictions");
        var summary = new reviewnet.jobs.PredictJob(reviewnet.config.PredictSettings.from(JobConfig.resolve(
                JobConfig.parseOverrides(List.of("reviewnet.retrain.registry=" + registry,
                        "reviewnet.predict.input.path=" + folder, "reviewnet.predict.output.path=" + out)))))
                .run(spark);
        assertEquals(2, summary.path("scored").asLong());
        List<Row> rows = spark.read().parquet(out.resolve("predictions").toString()).orderBy("id").collectAsList();
        assertEquals(List.of("bad", "good"), rows.stream().map(r -> r.getString(r.fieldIndex("id"))).toList());
        assertEquals(List.of(0, 1), rows.stream().map(r -> r.getInt(r.fieldIndex("prediction"))).toList());
        assertEquals(List.of("b1-tfidf-lr", "b1-tfidf-lr"),
                rows.stream().map(r -> r.getString(r.fieldIndex("model_version"))).toList());
    }
}

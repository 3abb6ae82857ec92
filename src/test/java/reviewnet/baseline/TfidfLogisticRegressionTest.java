package reviewnet.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import reviewnet.config.TextSettings;
import reviewnet.eval.ResultRow;
import reviewnet.jobs.CompareJob;
import reviewnet.testing.ImdbData;
import reviewnet.testing.SparkTest;
import reviewnet.text.LuceneTokenizer;

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
                "reviewnet.train.architectures=[tfidf-lr]"));
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

        PipelineModel saved = PipelineModel.load(Path.of(java.net.URI.create(row.modelPath())).resolve("pipeline")
                .toString());
        Dataset<Row> test = new LuceneTokenizer(TextSettings.from(config)).setInputCol("text")
                .setOutputCol("tokens").transform(spark.createDataFrame(List.of(
                        org.apache.spark.sql.RowFactory.create("A wonderful, moving film. Loved it.", 1),
                        org.apache.spark.sql.RowFactory.create("Awful, boring, a waste of time.", 0)),
                        new org.apache.spark.sql.types.StructType().add("text", "string").add("label", "int")));
        double[] p = TfidfLogisticRegression.probabilities(saved, test).collectAsList().stream()
                .mapToDouble(r -> r.getDouble(0)).toArray();
        assertTrue(p[0] > 0.5 && p[1] < 0.5, java.util.Arrays.toString(p));
    }

    @Test
    void retrainRefusesItUntilPredictCanScoreIt() {
        var e = assertThrows(com.typesafe.config.ConfigException.class,
                () -> RetrainSettings.from(JobConfig.resolve(JobConfig.parseOverrides(overrides()))));
        assertTrue(e.getMessage().contains("networks only for retrain"), e.getMessage());
    }
}

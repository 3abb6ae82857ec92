package reviewnet.eval;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reviewnet.config.CompareSettings;
import reviewnet.config.JobConfig;
import reviewnet.jobs.CompareJob;
import reviewnet.testing.ImdbData;
import reviewnet.testing.SparkTest;
import reviewnet.vocab.VocabularyModel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compare job end to end on a real slice: results rows, saved models, chart, and the no-partial-row rule. */
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
                "reviewnet.train.architectures=[conv, gru]", "reviewnet.train.workers=2"));
        overrides.addAll(List.of(more));
        return CompareSettings.from(JobConfig.resolve(JobConfig.parseOverrides(overrides)));
    }

    @Test
    void appendsOneCompleteRowPerArchitectureAndSavesModels() throws Exception {
        Path out = tmp.resolve("ok");
        List<ResultRow> rows = new CompareJob(settings(out), "compare").run(spark);
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
        assertEquals(List.of("conv", "gru"), stored.stream().map(r -> r.getString(r.fieldIndex("architecture"))).toList());
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
            assertTrue(r.getString(r.fieldIndex("config")).contains("\"architectures\":[\"conv\",\"gru\"]"));

            Path model = Path.of(new java.net.URI(r.getString(r.fieldIndex("model_path"))));
            MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(
                    model.resolve(ModelStore.MODEL).toFile(), true);
            assertEquals(r.getLong(r.fieldIndex("parameters")), network.numParams());
            VocabularyModel vocabulary = VocabularyModel.load(spark, model.resolve(ModelStore.VOCABULARY).toString());
            assertEquals(20000, vocabulary.settings().size());
            assertTrue(Files.exists(model.resolve(ModelStore.INFO)));
        }
        try (var charts = Files.list(out.resolve("charts"))) {
            assertTrue(charts.anyMatch(p -> p.toString().endsWith("-accuracy-vs-time.png")));
        }
        assertFalse(Files.exists(out.resolve(".tmp").resolve(stored.get(0).getString(0))),
                "the run's temporary files are removed");
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
}

package reviewnet.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reviewnet.config.BigramSettings;
import reviewnet.config.SequenceSettings;
import reviewnet.config.TextSettings;
import reviewnet.config.VocabSettings;
import reviewnet.sequence.SequencePadder;
import reviewnet.testing.SparkTest;
import reviewnet.text.LuceneTokenizer;
import reviewnet.vocab.BigramHasher;
import reviewnet.vocab.Vocabulary;

/**
 * Each of reviewnet's text stages inside a saved {@link PipelineModel}: loaded by Spark's {@code PipelineModel.load}
 * alone, it carries its settings (params) and transforms as before saving; and a missing input column is refused
 * with the column's name before any work. One body per property, run for every stage (non-default settings, so a
 * param that did not travel shows).
 */
class StagesTest extends SparkTest {
    @TempDir
    static Path tmp;

    static final StructType TEXTS = new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType);

    static Dataset<Row> texts() {
        return spark.createDataFrame(List.of(RowFactory.create("a", "<b>Great</b> acting, WONDERFUL films!"),
                RowFactory.create("b", "Boring plot; the films were dull and the acting worse."),
                RowFactory.create("c", null)), TEXTS);
    }

    /** (name, stages from a {@code text} column) */
    static Stream<Arguments> stages() {
        TextSettings porter = new TextSettings(false, true, TextSettings.StopWords.ENGLISH,
                TextSettings.Stemming.PORTER, 4);
        LuceneTokenizer tokenizer = new LuceneTokenizer(porter);
        SequenceSettings post = new SequenceSettings(5, SequenceSettings.Side.POST, SequenceSettings.Side.POST);
        return Stream.of(
                Arguments.of("LuceneTokenizer", List.of(tokenizer)),
                Arguments.of("VocabularyModel and SequencePadder", List.of(tokenizer,
                        new Vocabulary(new VocabSettings(9, 1, 2, 3)).fit(tokenizer.transform(texts())),
                        new SequencePadder(post))),
                Arguments.of("BigramHasher", List.of(tokenizer, new BigramHasher(new BigramSettings(7)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stages")
    void aSavedPipelineLoadsWithItsSettingsAndTransformsTheSame(String name, List<Transformer> stages)
            throws Exception {
        PipelineModel model = new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(texts());
        String path = tmp.resolve(name.replace(' ', '-')).toString();
        model.write().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        for (int i = 0; i < stages.size(); i++) {
            Transformer before = model.stages()[i];
            Transformer after = loaded.stages()[i];
            assertEquals(before.getClass(), after.getClass());
            assertEquals(before.uid(), after.uid());
            assertEquals(before.extractParamMap().toString(), after.extractParamMap().toString(), "params of " + name);
        }
        assertEquals(model.transform(texts()).orderBy("id").collectAsList().toString(),
                loaded.transform(texts()).orderBy("id").collectAsList().toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stages")
    void aMissingInputColumnIsRefusedByName(String name, List<Transformer> stages) {
        Dataset<Row> noText = texts().withColumnRenamed("text", "body");
        Transformer first = stages.get(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> first.transform(noText));
        assertTrue(e.getMessage().contains("'text' does not exist"), e.getMessage());
    }
}

package reviewnet.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.factory.Nd4j;
import reviewnet.baseline.TfidfLogisticRegression;
import reviewnet.config.BaselineSettings;
import reviewnet.config.BigramSettings;
import reviewnet.config.JobConfig;
import reviewnet.config.ModelSettings;
import reviewnet.config.SequenceSettings;
import reviewnet.config.TextSettings;
import reviewnet.config.VocabSettings;
import reviewnet.eval.ModelStore;
import reviewnet.nn.Architecture;
import reviewnet.nn.Architectures;
import reviewnet.nn.SequenceClassifier;
import reviewnet.sequence.SequencePadder;
import reviewnet.testing.SparkTest;
import reviewnet.text.LuceneTokenizer;
import reviewnet.train.Features;
import reviewnet.vocab.BigramHasher;
import reviewnet.vocab.Vocabulary;
import reviewnet.vocab.VocabularyModel;

/**
 * A trained network as a saved model: in the layout compare and retrain write now (a PipelineModel, loaded with
 * Spark's {@code PipelineModel.load}) and in the layout earlier versions wrote ({@code model.zip}, {@code vocabulary/}
 * with {@code metadata.json}, {@code model.json}: registries hold such champions, {@link ReviewModels#load} assembles
 * the same pipeline from them), it scores review text exactly as the network scores the sequences prepare makes.
 */
class ReviewModelsTest extends SparkTest {
    @TempDir
    static Path tmp;

    /** The run's settings as model.json records them: small, so the network is quick to build. */
    static final String SETTINGS = "{\"vocab\":{\"size\":60},\"sequence\":{\"length\":12},"
            + "\"model\":{\"embedding\":8,\"hidden\":4,\"filters\":4,\"bigram-bag\":{\"embedding\":6}},"
            + "\"bigrams\":{\"buckets\":30}}";

    static final StructType TEXTS = new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType);

    static Dataset<Row> texts() {
        return spark.createDataFrame(List.of(
                RowFactory.create("a", "A wonderful film, the acting was wonderful and the story moving."),
                RowFactory.create("b", "Boring. The plot was dull, the film too long, the acting worse."),
                RowFactory.create("c", "Film"),
                RowFactory.create("d", "")), TEXTS);
    }

    @ParameterizedTest(name = "{0}, {1} layout")
    @CsvSource({"gru, current", "gru, earlier", "bigram-bag, earlier"})
    void aSavedNetworkScoresTextAsTheNetworkScoresItsSequences(String architecture, String layout) throws Exception {
        Config config = JobConfig.resolve(ConfigFactory.parseString(SETTINGS).atKey(JobConfig.ROOT));
        ModelSettings settings = ModelSettings.from(config);
        Architecture arch = Architectures.get(architecture);
        Features features = Features.of(arch, settings);
        MultiLayerNetwork net = new MultiLayerNetwork(SequenceClassifier.configuration(arch, settings, 0.001, 7));
        net.init();
        TextSettings text = TextSettings.from(config);
        SequenceSettings sequence = SequenceSettings.from(config);
        BigramSettings bigrams = BigramSettings.from(config);
        Dataset<Row> tokens = new LuceneTokenizer(text).transform(texts());
        VocabularyModel vocabulary = new Vocabulary(VocabSettings.from(config)).fit(tokens);

        Path dir = tmp.resolve(architecture + "-" + layout);
        if (layout.equals("current")) {
            ModelStore.save(ReviewModels.network(spark, net, vocabulary, text, sequence, bigrams, features),
                    dir.toString(), Map.of("architecture", architecture), new Configuration());
        } else {
            writeEarlierLayout(dir, net, vocabulary, architecture);
        }
        PipelineModel model = layout.equals("current") ? PipelineModel.load(dir.toString())
                : ReviewModels.load(spark, dir.toString());
        List<Row> scored = model.transform(texts()).orderBy("id").select("id", "probability", "prediction")
                .collectAsList();

        // what the network gives for the sequences prepare makes of the same texts
        Dataset<Row> padded = new SequencePadder(sequence).setInputCol("indices").setOutputCol(Features.SEQ)
                .transform(vocabulary.transform(tokens));
        if (features.columns().contains(Features.BIGRAMS)) {
            padded = new BigramHasher(bigrams).transformPadded(padded, sequence, Features.BIGRAMS);
        }
        List<Row> rows = padded.orderBy("id").collectAsList();
        int width = features.width(sequence.length());
        float[] x = new float[rows.size() * width];
        for (int i = 0; i < rows.size(); i++) {
            int[] at = features.columns().stream().mapToInt(rows.get(i)::fieldIndex).toArray();
            features.fill(rows.get(i), at, x, i * width);
        }
        float[] expected = net.output(Nd4j.create(x, new long[]{rows.size(), width}), false).toFloatVector();
        assertEquals(expected.length, scored.size());
        for (int i = 0; i < expected.length; i++) {
            double p = ((org.apache.spark.ml.linalg.Vector) scored.get(i).get(1)).apply(1);
            assertEquals(expected[i], p, 1e-6, "review " + scored.get(i).getString(0));
            assertEquals(p >= 0.5 ? 1.0 : 0.0, scored.get(i).getDouble(2));
        }
    }

    /** The baseline as earlier versions saved it: its stages fitted on tokens, in pipeline/, beside model.json. */
    @Test
    void theBaselineInTheEarlierLayoutScoresTextAsItsStagesScoreTheTokens() throws Exception {
        Config config = JobConfig.resolve(ConfigFactory.parseString(SETTINGS).atKey(JobConfig.ROOT));
        Dataset<Row> tokens = new LuceneTokenizer(TextSettings.from(config)).transform(texts())
                .withColumn("label", org.apache.spark.sql.functions.expr("cast(id in ('a', 'c') as int)"));
        PipelineModel onTokens = TfidfLogisticRegression.fit(new BaselineSettings(1, 1000, 0.01, 5), tokens);
        Path dir = tmp.resolve("tfidf-lr-earlier");
        onTokens.write().save(dir.resolve("pipeline").toString());
        Files.writeString(dir.resolve("model.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(Map.of("architecture", "tfidf-lr", "config", SETTINGS)));
        PipelineModel model = ReviewModels.load(spark, dir.toString());
        assertTrue(model.stages()[0] instanceof LuceneTokenizer);
        assertEquals(onTokens.transform(tokens).orderBy("id").select("probability").collectAsList(),
                model.transform(texts()).orderBy("id").select("probability").collectAsList());
    }

    @Test
    void aModelDirectoryOfNeitherLayoutIsRefusedClearly() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        RuntimeException e = assertThrows(RuntimeException.class, () -> ReviewModels.load(spark, dir.toString()));
        assertTrue(e.getMessage().contains("neither a PipelineModel nor"), e.getMessage());
    }

    /** model.zip (with the updater, as it was saved), vocabulary/ as metadata.json + words, model.json. */
    private static void writeEarlierLayout(Path dir, MultiLayerNetwork net, VocabularyModel vocabulary,
                                           String architecture) throws Exception {
        Files.createDirectories(dir);
        try (OutputStream out = Files.newOutputStream(dir.resolve("model.zip"))) {
            ModelSerializer.writeModel(net, out, true);
        }
        Path words = Files.createDirectories(dir.resolve("vocabulary"));
        VocabSettings v = vocabulary.settings();
        Files.writeString(words.resolve("metadata.json"), "{\"class\": \"reviewnet.vocab.VocabularyModel\", "
                + "\"uid\": \"" + vocabulary.uid() + "\", \"inputCol\": \"tokens\", \"outputCol\": \"indices\", "
                + "\"size\": " + v.size() + ", \"startChar\": " + v.startChar() + ", \"oovChar\": " + v.oovChar()
                + ", \"indexFrom\": " + v.indexFrom() + "}");
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < vocabulary.words().size(); i++) {
            rows.add(RowFactory.create(v.indexFrom() + i, vocabulary.words().get(i), vocabulary.count(i)));
        }
        spark.createDataFrame(rows, new StructType().add("index", DataTypes.IntegerType, false)
                        .add("word", DataTypes.StringType, false).add("count", DataTypes.LongType, false))
                .coalesce(1).write().parquet(words.resolve("words").toString());
        Files.writeString(dir.resolve("model.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(Map.of("architecture", architecture, "config", SETTINGS)));
    }
}

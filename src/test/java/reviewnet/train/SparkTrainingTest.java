package reviewnet.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.dataset.DataSet;
import org.junit.jupiter.api.io.TempDir;
import reviewnet.config.CompareSettings;
import reviewnet.config.JobConfig;
import reviewnet.jobs.PreparedData;
import reviewnet.nn.Architectures;
import reviewnet.nn.SequenceClassifier;
import reviewnet.testing.ImdbData;
import reviewnet.testing.SparkTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every architecture trains through SparkDl4jMultiLayer with parameter averaging on local[2] on real reviews. */
class SparkTrainingTest extends SparkTest {
    @TempDir
    static Path tmp;
    static CompareSettings settings;
    static JavaRDD<DataSet> train;
    static long trainRows;

    @BeforeAll
    static void prepare() {
        Path imdb = ImdbData.slice(1000, 500);
        settings = CompareSettings.from(JobConfig.resolve(JobConfig.parseOverrides(List.of(
                "reviewnet.input.path=" + imdb, "reviewnet.prepared.path=" + tmp.resolve("prepared"),
                "reviewnet.output.path=" + tmp, "reviewnet.train.epochs=2", "reviewnet.train.workers=2",
                "reviewnet.train.averaging-frequency=2"))));
        PreparedData prepared = PreparedData.ensure(spark, settings.prepare());
        train = DataSets.examples(spark.read().parquet(prepared.train())).cache();
        trainRows = prepared.trainRows();
        assertEquals(2000, train.count());
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple-rnn", "lstm", "gru", "conv-gru", "conv"})
    void trainsAcrossTwoWorkersWithFallingLoss(String name) {
        MultiLayerConfiguration conf = SequenceClassifier.configuration(Architectures.get(name), settings.model(),
                settings.train().learningRate(), settings.train().seed());
        MultiLayerNetwork initial = new MultiLayerNetwork(conf.clone());
        initial.init();
        List<DataSet> all = new ArrayList<>(train.collect());
        double before = initial.score(DataSet.merge(all), false);

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String exportDir = tmp.resolve("export-" + name).toString();
        DistributedTrainer.Trained trained = new DistributedTrainer(settings.train()).train(jsc, name, conf, train,
                trainRows, exportDir);
        double after = trained.network().calculateScore(train, true);

        assertEquals(2, trained.workers());
        assertEquals(2 * trainRows, trained.examples());
        assertTrue(after < before - 0.01, name + ": training loss " + before + " -> " + after);
        assertTrue(!java.nio.file.Files.exists(Path.of(exportDir)), "the training master's export is removed");
    }
}

package reviewnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import reviewnet.config.CompareSettings;
import reviewnet.config.JobConfig;
import reviewnet.config.TrainSettings;
import reviewnet.eval.DistributedEvaluator;
import reviewnet.eval.Metrics;
import reviewnet.jobs.PreparedData;
import reviewnet.nn.Architectures;
import reviewnet.nn.SequenceClassifier;
import reviewnet.testing.ImdbData;
import reviewnet.testing.SparkTest;

/**
 * Validation and early stopping on a real slice of IMDB: the hold-out is a deterministic, disjoint, stratified share
 * of the training split; with a deliberately high learning rate the validation loss rises, training stops
 * {@code patience} epochs after the best one, and the network that comes back is the best epoch's.
 */
class EarlyStoppingTest extends SparkTest {
    @TempDir
    static Path tmp;
    static CompareSettings settings;
    static Dataset<Row> train;

    @BeforeAll
    static void prepare() {
        Path imdb = ImdbData.slice(300, 50);
        settings = CompareSettings.from(JobConfig.resolve(JobConfig.parseOverrides(List.of(
                "reviewnet.input.path=" + imdb, "reviewnet.prepared.path=" + tmp.resolve("prepared"),
                "reviewnet.output.path=" + tmp, "reviewnet.train.workers=2", "reviewnet.train.averaging-frequency=2",
                "reviewnet.train.learning-rate=0.03", "reviewnet.train.validation-fraction=0.3",
                "reviewnet.train.max-epochs=8", "reviewnet.train.early-stopping.patience=2"))));
        PreparedData prepared = PreparedData.ensure(spark, settings.prepare());
        train = spark.read().parquet(prepared.train());
    }

    @Test
    void prepareMarksASeededDisjointStratifiedHoldOut() {
        HoldOut.Split split = HoldOut.marked(train);
        List<String> held = ids(split.validation());
        assertEquals(ids(train.where(HoldOut.held(0.3, 42))), held,
                "the marked reviews are those the validation seed's hash holds out");
        assertEquals(0, split.fit().join(split.validation(), "id").count(), "no review both trained on and held out");
        assertEquals(600, split.fit().count() + held.size());
        for (int label = 0; label <= 1; label++) {
            long n = split.validation().where("label = " + label).count();
            // 300 reviews per label, Bernoulli(0.3): mean 90, standard deviation 7.9
            assertTrue(n > 60 && n < 120, "label " + label + ": " + n + " of 300 held out");
        }
        long other = train.where(HoldOut.held(0.3, 43)).join(split.validation(), "id").count();
        assertTrue(other < held.size(), "another seed holds out other reviews");
    }

    private static List<String> ids(Dataset<Row> rows) {
        return rows.select("id").orderBy("id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    }

    @Test
    void stopsAfterPatienceAndRestoresTheBestEpoch() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        HoldOut.Split split = HoldOut.marked(train);
        JavaRDD<DataSet> validation = DataSets.minibatches(split.validation(), 64, 2).cache();
        MultiLayerConfiguration conf = SequenceClassifier.configuration(Architectures.get("conv"), settings.model(),
                settings.train().learningRate(), settings.train().seed());
        DistributedTrainer.Trained trained;
        try (TrainingData data = TrainingData.stage(jsc, split.fit(), Features.WORDS, settings.train(),
                TrainSettings.Approach.DIRECT, 2, tmp.resolve("staged").toUri().toString())) {
            trained = new DistributedTrainer(settings.train()).train(jsc, "conv", conf, data, validation,
                    split.fit().count(), null, null);
        }
        List<DistributedTrainer.EpochScore> history = trained.validation();
        DistributedTrainer.EpochScore best = trained.best();
        DistributedTrainer.EpochScore last = history.get(history.size() - 1);
        assertEquals(trained.epochs(), history.size(), "one validation per epoch: " + history);
        assertTrue(trained.epochs() < 8, "stopped early: " + history);
        assertEquals(best.epoch() + 2, trained.epochs(), "stopped patience epochs after the best: " + history);
        for (DistributedTrainer.EpochScore e : history) {
            assertTrue(e.loss() >= best.loss(), "the best epoch has the lowest validation loss: " + history);
        }
        double worstAfterBest = history.stream().filter(e -> e.epoch() > best.epoch())
                .mapToDouble(DistributedTrainer.EpochScore::loss).max().orElseThrow();
        assertTrue(worstAfterBest > best.loss() + 0.01, "the validation loss rose after the best epoch: " + history);
        // the last epoch's network differs from the best one's, so returning it instead would fail the check below
        assertTrue(last.loss() > best.loss() + 1e-4, "the last epoch is not the best: " + history);

        Metrics restored = DistributedEvaluator.evaluate(trained.network().getNetwork(), validation, 64);
        assertEquals(best.loss(), restored.loss(), 1e-5, "the restored network is the best epoch's: " + history);
        assertEquals(best.accuracy(), restored.accuracy(), 1e-9);
    }
}

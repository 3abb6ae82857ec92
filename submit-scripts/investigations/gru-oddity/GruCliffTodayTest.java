package reviewnet.train;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import reviewnet.config.CompareSettings;
import reviewnet.config.JobConfig;
import reviewnet.config.TrainSettings;
import reviewnet.jobs.PreparedData;
import reviewnet.nn.Architectures;
import reviewnet.nn.SequenceClassifier;
import reviewnet.testing.ImdbData;
import reviewnet.testing.SparkTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Investigation only (not in the build; copy into src/test/java/reviewnet/train to run): the issue-11 conditions on
 * today's pipeline (500 reviews, 2 workers, averaging every 2, export, save-updater=true) for up to
 * {@code -Dcliff.epochs} (8) epochs, scoring the averaged model on the 500 training reviews after every epoch
 * (passed as the "validation" minibatches, patience 100 so that nothing stops early). {@code -Dcliff.seed} sets the
 * training seed. Prints one CLIFF line with the loss per epoch.
 */
class GruCliffTodayTest extends SparkTest {
    @TempDir
    static Path tmp;

    @Test
    void gruLossFallsWithExportAndSavedUpdater() {
        Path imdb = ImdbData.slice(250, 50);
        CompareSettings settings = CompareSettings.from(JobConfig.resolve(JobConfig.parseOverrides(List.of(
                "reviewnet.input.path=" + imdb, "reviewnet.prepared.path=" + tmp.resolve("prepared"),
                "reviewnet.output.path=" + tmp, "reviewnet.train.epochs=4", "reviewnet.train.max-epochs=" + Integer.getInteger("cliff.epochs", 8),
                "reviewnet.train.early-stopping.patience=100", "reviewnet.train.seed=" + Integer.getInteger("cliff.seed", 1), "reviewnet.train.workers=2",
                "reviewnet.train.averaging-frequency=2", "reviewnet.train.approach=export",
                "reviewnet.train.save-updater=true",
                // the default for gru is its own (10), which would average once per epoch of these 500 reviews
                "reviewnet.train.averaging-frequency-by-architecture.gru=2"))));
        assertEquals(2, settings.train().averagingFrequency("gru"), "the issue's conditions: averaging every 2");
        PreparedData prepared = PreparedData.ensure(spark, settings.prepare());
        Dataset<Row> rows = spark.read().parquet(prepared.train());
        DataSet all = DataSet.merge(DataSets.minibatches(rows, 100, 2).collect());
        MultiLayerConfiguration conf = SequenceClassifier.configuration(Architectures.get("gru"), settings.model(),
                settings.train().learningRate(), settings.train().seed());
        MultiLayerNetwork initial = new MultiLayerNetwork(conf.clone());
        initial.init();
        double before = initial.score(all, false);

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        DistributedTrainer trainer = new DistributedTrainer(settings.train());
        DistributedTrainer.Trained trained;
        try (TrainingData data = TrainingData.stage(jsc, rows, Features.WORDS, settings.train(),
                TrainSettings.Approach.EXPORT,
                trainer.workers(jsc), tmp.resolve("staged").toUri().toString())) {
            trained = trainer.train(jsc, "gru", conf, data, DataSets.minibatches(rows, 100, 2), prepared.trainRows(), null, null);
        }
        System.out.println("CLIFF seed " + Integer.getInteger("cliff.seed", 1) + " before " + before + " per epoch " + trained.validation());
        double after = trained.network().getNetwork().score(all, false);
        System.out.printf("gru, export, save-updater, 2 workers, averaging every 2: training loss %.4f -> %.4f%n",
                before, after);

    }
}

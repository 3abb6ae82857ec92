package reviewnet.eval;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import reviewnet.config.CompareSettings;
import reviewnet.config.JobConfig;
import reviewnet.jobs.PreparedData;
import reviewnet.nn.Architectures;
import reviewnet.nn.SequenceClassifier;
import reviewnet.testing.ImdbData;
import reviewnet.testing.SparkTest;
import reviewnet.train.DataSets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The distributed metrics equal the same metrics computed by hand from the network's local outputs. */
class DistributedEvaluatorTest extends SparkTest {
    @TempDir
    static Path tmp;

    @Test
    void matchesALocalComputation() {
        CompareSettings settings = CompareSettings.from(JobConfig.resolve(JobConfig.parseOverrides(List.of(
                "reviewnet.input.path=" + ImdbData.slice(250), "reviewnet.prepared.path=" + tmp.resolve("prepared"),
                "reviewnet.vocab.size=2000"))));
        PreparedData prepared = PreparedData.ensure(spark, settings.prepare());
        // minibatches of 64 in 2 partitions: the last minibatch of each partition is a partial one
        JavaRDD<DataSet> test = DataSets.minibatches(spark.read().parquet(prepared.test()), 64, 2);
        MultiLayerNetwork network = new MultiLayerNetwork(SequenceClassifier.configuration(Architectures.get("conv"),
                settings.model(), 1e-3, 5));
        network.init();
        DataSet all = DataSet.merge(test.collect());
        for (int i = 0; i < 5; i++) {
            network.fit(all);
        }
        INDArray p = network.output(all.getFeatures(), false);
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        double auc = 0;
        for (int i = 0; i < p.size(0); i++) {
            boolean positive = all.getLabels().getDouble(i, 0) > 0.5;
            boolean predicted = p.getDouble(i, 0) > 0.5;
            if (positive && predicted) {
                tp++;
            } else if (!positive && predicted) {
                fp++;
            } else if (!positive) {
                tn++;
            } else {
                fn++;
            }
        }
        // AUC as the probability that a random positive scores above a random negative (ties count half)
        long pairs = 0;
        for (int i = 0; i < p.size(0); i++) {
            for (int j = 0; j < p.size(0); j++) {
                if (all.getLabels().getDouble(i, 0) > 0.5 && all.getLabels().getDouble(j, 0) < 0.5) {
                    double a = p.getDouble(i, 0);
                    double b = p.getDouble(j, 0);
                    auc += a > b ? 1 : a == b ? 0.5 : 0;
                    pairs++;
                }
            }
        }
        auc /= pairs;

        // forward passes of at most 48: each minibatch of 64 is split, partial minibatches too
        Metrics m = DistributedEvaluator.evaluate(network, test, 48);
        assertEquals(500, m.examples());
        assertEquals(List.of(tp, fp, tn, fn), List.of(m.tp(), m.fp(), m.tn(), m.fn()));
        assertEquals((tp + tn) / 500.0, m.accuracy(), 1e-9);
        assertEquals(tp / (double) (tp + fp), m.precision(), 1e-9);
        assertEquals(tp / (double) (tp + fn), m.recall(), 1e-9);
        assertEquals(auc, m.auc(), 1e-6);
        assertEquals(network.score(all, false), m.loss(), 1e-5);
    }
}

package reviewnet.eval;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.evaluation.IEvaluation;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.evaluation.classification.ROC;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Evaluates a trained network on the executors in one pass: accuracy, precision, recall, F1, confusion counts
 * (threshold 0.5 on the sigmoid output), exact ROC AUC and the mean binary cross-entropy.
 */
public final class DistributedEvaluator {
    private DistributedEvaluator() {
    }

    public static Metrics evaluate(SparkDl4jMultiLayer network, JavaRDD<DataSet> test, int batchSize) {
        long started = System.nanoTime();
        IEvaluation[] results = network.doEvaluation(test, batchSize, new Evaluation(), new ROC(0),
                new BinaryCrossEntropy());
        Evaluation eval = (Evaluation) results[0];
        ROC roc = (ROC) results[1];
        double loss = ((BinaryCrossEntropy) results[2]).mean();
        long tp = eval.truePositives().get(1);
        long fp = eval.falsePositives().get(1);
        long tn = eval.trueNegatives().get(1);
        long fn = eval.falseNegatives().get(1);
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Metrics(tp + fp + tn + fn, loss, eval.accuracy(), eval.precision(1), eval.recall(1), eval.f1(1),
                roc.calculateAUC(), tp, fp, tn, fn, seconds);
    }
}

package reviewnet.eval;

/** Test-split metrics of one binary classifier (positive class = label 1). */
public record Metrics(long examples, double loss, double accuracy, double precision, double recall, double f1,
                      double auc, long tp, long fp, long tn, long fn, double seconds) {

    /**
     * The metrics of probabilities of the positive class against 0/1 labels: accuracy, precision, recall, F1 and
     * confusion counts at threshold 0.5, exact ROC AUC and the mean binary cross-entropy (DL4J's {@code Evaluation},
     * {@code ROC} and {@link BinaryCrossEntropy}); every model of the product is measured by this one method.
     */
    public static Metrics of(float[] probabilities, float[] labels, double seconds) {
        if (probabilities.length != labels.length || probabilities.length == 0) {
            throw new IllegalArgumentException("expected as many probabilities as labels, at least one; got "
                    + probabilities.length + " and " + labels.length);
        }
        int n = probabilities.length;
        org.nd4j.linalg.api.ndarray.INDArray p = org.nd4j.linalg.factory.Nd4j.createFromArray(probabilities)
                .reshape(n, 1);
        org.nd4j.linalg.api.ndarray.INDArray y = org.nd4j.linalg.factory.Nd4j.createFromArray(labels).reshape(n, 1);
        org.nd4j.evaluation.classification.Evaluation eval = new org.nd4j.evaluation.classification.Evaluation();
        eval.eval(y, p);
        org.nd4j.evaluation.classification.ROC roc = new org.nd4j.evaluation.classification.ROC(0);
        roc.eval(y, p);
        BinaryCrossEntropy loss = new BinaryCrossEntropy();
        loss.eval(y, p);
        long tp = eval.truePositives().get(1);
        long fp = eval.falsePositives().get(1);
        long tn = eval.trueNegatives().get(1);
        long fn = eval.falseNegatives().get(1);
        return new Metrics(tp + fp + tn + fn, loss.mean(), eval.accuracy(), eval.precision(1), eval.recall(1),
                eval.f1(1), roc.calculateAUC(), tp, fp, tn, fn, seconds);
    }
}

package reviewnet.eval;

/** Test-split metrics of one binary classifier (positive class = label 1). */
public record Metrics(long examples, double loss, double accuracy, double precision, double recall, double f1,
                      double auc, long tp, long fp, long tn, long fn, double seconds) {

    /**
     * The metrics of probabilities of the positive class against 0/1 labels: accuracy, precision, recall, F1 and
     * confusion counts at threshold 0.5 (DL4J's {@code Evaluation}), the mean binary cross-entropy
     * ({@link BinaryCrossEntropy}) and the exact ROC AUC ({@link #rankAuc}); every model of the product is measured by
     * this method, or by {@link SplitMetrics}' executor way, which gives the same numbers.
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
        BinaryCrossEntropy loss = new BinaryCrossEntropy();
        loss.eval(y, p);
        long tp = eval.truePositives().get(1);
        long fp = eval.falsePositives().get(1);
        long tn = eval.trueNegatives().get(1);
        long fn = eval.falseNegatives().get(1);
        return new Metrics(tp + fp + tn + fn, loss.mean(), eval.accuracy(), eval.precision(1), eval.recall(1),
                eval.f1(1), rankAuc(probabilities, labels), tp, fp, tn, fn, seconds);
    }

    /**
     * The exact ROC AUC as the Mann–Whitney statistic: the share of (positive, negative) pairs in which the positive
     * has the higher probability, ties counting one half (scikit-learn's {@code roc_auc_score}; DL4J's exact
     * {@code ROC(0)} breaks ties by sort order instead, and differed by 1e-4 on a split with many ties). NaN when one
     * class is missing.
     */
    public static double rankAuc(float[] probabilities, float[] labels) {
        int n = probabilities.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(probabilities[a], probabilities[b]));
        long positives = 0;
        long negatives = 0;
        long twice = 0;     // 2·pos·(negatives below) + pos·(negatives equal): integral with ties
        for (int from = 0; from < n; ) {
            int to = from;
            long pos = 0;
            long neg = 0;
            while (to < n && Float.compare(probabilities[order[to]], probabilities[order[from]]) == 0) {
                if (labels[order[to]] > 0.5f) {
                    pos++;
                } else {
                    neg++;
                }
                to++;
            }
            twice += pos * (2 * negatives + neg);
            positives += pos;
            negatives += neg;
            from = to;
        }
        return positives == 0 || negatives == 0 ? Double.NaN : twice / (2.0 * positives * negatives);
    }
}

package reviewnet.eval;

/** Test-split metrics of one binary classifier (positive class = label 1). */
public record Metrics(long examples, double loss, double accuracy, double precision, double recall, double f1,
                      double auc, long tp, long fp, long tn, long fn, double seconds) {
}

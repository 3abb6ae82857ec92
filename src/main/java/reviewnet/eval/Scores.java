package reviewnet.eval;

import java.io.Serializable;

/**
 * One block of an evaluated split: probabilities of the positive class and the 0/1 labels, in the same order (one
 * block per partition). A class, not a record: Spark's Kryo 4 cannot write records.
 */
public final class Scores implements Serializable {
    private static final long serialVersionUID = 1L;
    final float[] probabilities;
    final float[] labels;

    public Scores(float[] probabilities, float[] labels) {
        if (probabilities.length != labels.length) {
            throw new IllegalArgumentException("expected as many probabilities as labels, got "
                    + probabilities.length + " and " + labels.length);
        }
        this.probabilities = probabilities;
        this.labels = labels;
    }

    public int size() {
        return probabilities.length;
    }
}

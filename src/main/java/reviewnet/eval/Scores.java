package reviewnet.eval;

import java.io.Serializable;

/**
 * One block of an evaluated split: probabilities of the positive class and the 0/1 labels, in the same order, and the
 * reviews' ids when the evaluated minibatches carried them (null otherwise); one block per partition. A class, not a
 * record: Spark's Kryo 4 cannot write records.
 */
public final class Scores implements Serializable {
    private static final long serialVersionUID = 2L;
    final float[] probabilities;
    final float[] labels;
    final String[] ids;

    public Scores(float[] probabilities, float[] labels) {
        this(probabilities, labels, null);
    }

    public Scores(float[] probabilities, float[] labels, String[] ids) {
        if (probabilities.length != labels.length || (ids != null && ids.length != labels.length)) {
            throw new IllegalArgumentException("expected as many probabilities as labels (and ids), got "
                    + probabilities.length + ", " + labels.length + (ids == null ? "" : " and " + ids.length));
        }
        this.probabilities = probabilities;
        this.labels = labels;
        this.ids = ids;
    }

    public int size() {
        return probabilities.length;
    }

    public boolean hasIds() {
        return ids != null;
    }
}

package reviewnet.nn.embedding;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The word indices of an embedding layer's input, example-major ({@code i·T + t}), and its shape. */
public final class EmbeddingIndices {
    public final int[] idx;
    public final int mb, tLen;

    private EmbeddingIndices(int[] idx, int mb, int tLen) {
        this.idx = idx;
        this.mb = mb;
        this.tLen = tLen;
    }

    /**
     * Reads and checks the indices: [mb, T] or [mb, 1, T], values in [0, nIn). Fractions are truncated to the word
     * index, as DL4J's layer does (so float noise such as 26.000002 is word 26). {@code layer} names the layer in
     * error messages.
     */
    public static EmbeddingIndices read(INDArray in, long nIn, String layer) {
        boolean valid = in.rank() == 2 || (in.rank() == 3 && in.size(1) == 1);
        if (!valid) {
            throw new IllegalArgumentException(layer + ": input of shape [minibatch, T] or [minibatch, 1, T] "
                    + "expected, got " + Arrays.toString(in.shape()));
        }
        long mb = in.size(0);
        long tLen = in.size(in.rank() - 1);
        if (mb * tLen > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(layer + ": too many indices: " + mb * tLen);
        }
        double[] v = in.reshape('c', new long[]{mb * tLen}).toDoubleVector();
        int[] idx = new int[v.length];
        for (int r = 0; r < v.length; r++) {
            double d = v[r];
            int k = (int) d;
            if (!(d >= 0) || k >= nIn) {
                throw new IllegalArgumentException(layer + ": invalid word index " + d + " at example " + r / tLen
                        + ", step " + r % tLen + ": indices must be in [0, " + (nIn - 1) + "]");
            }
            idx[r] = k;
        }
        return new EmbeddingIndices(idx, (int) mb, (int) tLen);
    }
}

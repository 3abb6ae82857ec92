package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedSimpleRnn;

import java.util.function.DoubleUnaryOperator;

/**
 * Plain-Java reference of Keras {@code SimpleRNN} with the masking conventions of {@link FusedSimpleRnn}: masked steps
 * output 0; the state is carried ({@code carry=true}) or reset to 0. Independent of ND4J: loops over double arrays
 * only. Inputs and helpers for INDArray conversion are shared with {@link GruReference}.
 */
final class SimpleRnnReference {

    private SimpleRnnReference() {
    }

    /** tanh activation. */
    static double[][][] forward(double[][][] x, double[][] w, double[][] rw, double[] b, double[][] mask,
                                boolean carry, double[][] h0) {
        return forward(x, w, rw, b, mask, carry, h0, Math::tanh);
    }

    /**
     * @param x    [mb][T][nIn]
     * @param w    [nIn][n]
     * @param rw   [n][n]
     * @param b    [n]
     * @param mask [mb][T] or null
     * @param h0   [mb][n] or null (zeros)
     * @return [mb][T][n] outputs
     */
    static double[][][] forward(double[][][] x, double[][] w, double[][] rw, double[] b, double[][] mask,
                                boolean carry, double[][] h0, DoubleUnaryOperator act) {
        int mb = x.length;
        int tLen = x[0].length;
        int nIn = x[0][0].length;
        int n = rw.length;
        double[][][] out = new double[mb][tLen][n];
        for (int i = 0; i < mb; i++) {
            double[] h = new double[n];
            if (h0 != null) {
                System.arraycopy(h0[i], 0, h, 0, n);
            }
            for (int t = 0; t < tLen; t++) {
                double[] hNew = new double[n];
                for (int j = 0; j < n; j++) {
                    double s = b[j];
                    for (int k = 0; k < nIn; k++) {
                        s += x[i][t][k] * w[k][j];
                    }
                    for (int k = 0; k < n; k++) {
                        s += h[k] * rw[k][j];
                    }
                    hNew[j] = act.applyAsDouble(s);
                }
                boolean masked = mask != null && mask[i][t] == 0.0;
                if (masked) {
                    // out stays 0
                    if (!carry) {
                        h = new double[n];
                    }
                } else {
                    out[i][t] = hNew;
                    h = hNew;
                }
            }
        }
        return out;
    }

    /** Output of the last unmasked step per example, [mb][n] (what LastTimeStep picks; 0 if all steps are masked). */
    static double[][] lastUnmasked(double[][][] out, double[][] mask) {
        int mb = out.length, tLen = out[0].length;
        double[][] last = new double[mb][];
        for (int i = 0; i < mb; i++) {
            int t = tLen - 1;
            while (mask != null && t > 0 && mask[i][t] == 0.0) {
                t--;
            }
            last[i] = out[i][t].clone();
        }
        return last;
    }
}

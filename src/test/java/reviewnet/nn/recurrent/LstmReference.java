package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedLstm;

/**
 * Plain-Java reference of Keras {@code LSTM} (tanh / sigmoid, gates i | f | c | o, no peepholes) with the masking
 * conventions of {@link FusedLstm}: masked steps output 0; h and c are carried ({@code carry=true}) or reset to 0.
 * Independent of ND4J: loops over double arrays only. Helpers for random data and comparisons are in
 * {@link GruReference}.
 */
final class LstmReference {

    private LstmReference() {
    }

    /**
     * @param x    [mb][T][nIn]
     * @param w    [nIn][4n] (blocks i | f | c | o)
     * @param rw   [n][4n]
     * @param b    [4n]
     * @param mask [mb][T] or null
     * @return [mb][T][n] outputs
     */
    static double[][][] forward(double[][][] x, double[][] w, double[][] rw, double[] b, double[][] mask, boolean carry) {
        int mb = x.length;
        int tLen = x[0].length;
        int nIn = x[0][0].length;
        int n = rw.length;
        double[][][] out = new double[mb][tLen][n];
        for (int ex = 0; ex < mb; ex++) {
            double[] h = new double[n];
            double[] c = new double[n];
            for (int t = 0; t < tLen; t++) {
                double[] z = new double[4 * n];
                for (int j = 0; j < 4 * n; j++) {
                    double s = b[j];
                    for (int k = 0; k < nIn; k++) {
                        s += x[ex][t][k] * w[k][j];
                    }
                    for (int k = 0; k < n; k++) {
                        s += h[k] * rw[k][j];
                    }
                    z[j] = s;
                }
                double[] hNew = new double[n];
                double[] cNew = new double[n];
                for (int j = 0; j < n; j++) {
                    double i = GruReference.sigmoid(z[j]);
                    double f = GruReference.sigmoid(z[n + j]);
                    double g = Math.tanh(z[2 * n + j]);
                    double o = GruReference.sigmoid(z[3 * n + j]);
                    cNew[j] = f * c[j] + i * g;
                    hNew[j] = o * Math.tanh(cNew[j]);
                }
                boolean masked = mask != null && mask[ex][t] == 0.0;
                if (masked) {
                    if (!carry) {
                        h = new double[n];
                        c = new double[n];
                    }
                } else {
                    out[ex][t] = hNew;
                    h = hNew;
                    c = cNew;
                }
            }
        }
        return out;
    }

    /** Output of each example's last unmasked step (what DL4J's LastTimeStep picks): [mb][n]. */
    static double[][] lastUnmasked(double[][][] out, double[][] mask) {
        double[][] last = new double[out.length][];
        for (int ex = 0; ex < out.length; ex++) {
            int t = out[ex].length - 1;
            while (mask != null && t > 0 && mask[ex][t] == 0.0) {
                t--;
            }
            last[ex] = out[ex][t];
        }
        return last;
    }
}

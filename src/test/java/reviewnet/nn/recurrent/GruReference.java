package reviewnet.nn.recurrent;

import reviewnet.nn.layers.GRU;

import java.util.Random;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain-Java reference of Keras {@code GRU(reset_after=True)} (tanh / sigmoid) with the masking conventions of
 * {@link GRU}: masked steps output 0; the state is carried ({@code carry=true}) or reset to 0.
 * Independent of ND4J: loops over double arrays only.
 */
final class GruReference {

    private GruReference() {
    }

    /**
     * @param x    [mb][T][nIn]
     * @param w    [nIn][3n] (blocks z | r | h)
     * @param rw   [n][3n]
     * @param b    [3n]
     * @param rb   [3n]
     * @param mask [mb][T] or null
     * @param h0   [mb][n] or null (zeros)
     * @return [mb][T][n] outputs
     */
    static double[][][] forward(double[][][] x, double[][] w, double[][] rw, double[] b, double[] rb,
                                double[][] mask, boolean carry, double[][] h0) {
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
                double[] xp = new double[3 * n];
                double[] hp = new double[3 * n];
                for (int j = 0; j < 3 * n; j++) {
                    double s = b[j];
                    for (int k = 0; k < nIn; k++) {
                        s += x[i][t][k] * w[k][j];
                    }
                    xp[j] = s;
                    double s2 = rb[j];
                    for (int k = 0; k < n; k++) {
                        s2 += h[k] * rw[k][j];
                    }
                    hp[j] = s2;
                }
                double[] hNew = new double[n];
                for (int j = 0; j < n; j++) {
                    double z = sigmoid(xp[j] + hp[j]);
                    double r = sigmoid(xp[n + j] + hp[n + j]);
                    double hh = Math.tanh(xp[2 * n + j] + r * hp[2 * n + j]);
                    hNew[j] = z * h[j] + (1 - z) * hh;
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

    static double sigmoid(double v) {
        return 1.0 / (1.0 + Math.exp(-v));
    }

    static double[][] randn(Random rng, int rows, int cols, double scale) {
        double[][] a = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                a[i][j] = rng.nextGaussian() * scale;
            }
        }
        return a;
    }

    static double[][][] randn(Random rng, int d0, int d1, int d2, double scale) {
        double[][][] a = new double[d0][][];
        for (int i = 0; i < d0; i++) {
            a[i] = randn(rng, d1, d2, scale);
        }
        return a;
    }

    /** [mb][T][nIn] -> NCW INDArray [mb, nIn, T]. */
    static INDArray toNcw(double[][][] x) {
        int mb = x.length, tLen = x[0].length, nIn = x[0][0].length;
        INDArray a = Nd4j.create(DataType.DOUBLE, mb, nIn, tLen);
        for (int i = 0; i < mb; i++) {
            for (int t = 0; t < tLen; t++) {
                for (int k = 0; k < nIn; k++) {
                    a.putScalar(new long[]{i, k, t}, x[i][t][k]);
                }
            }
        }
        return a;
    }

    /** [mb][T][nIn] -> NWC INDArray [mb, T, nIn]. */
    static INDArray toNwc(double[][][] x) {
        return Nd4j.create(x);
    }

    static double maxAbsDiffNcw(double[][][] ref, INDArray ncw) {
        double max = 0;
        for (int i = 0; i < ref.length; i++) {
            for (int t = 0; t < ref[0].length; t++) {
                for (int k = 0; k < ref[0][0].length; k++) {
                    max = Math.max(max, Math.abs(ref[i][t][k] - ncw.getDouble(i, k, t)));
                }
            }
        }
        return max;
    }

    static double maxAbs(double[][][] a) {
        double max = 0;
        for (double[][] m : a) {
            for (double[] r : m) {
                for (double v : r) {
                    max = Math.max(max, Math.abs(v));
                }
            }
        }
        return max;
    }
}

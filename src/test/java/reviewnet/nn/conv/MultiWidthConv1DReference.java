package reviewnet.nn.conv;

import reviewnet.nn.layers.MultiWidthConv1D;

import java.util.List;

/**
 * Plain-Java reference of {@link MultiWidthConv1D}: x [mb][nIn][T] (NCW), kernels W_j [w][nIn][filters], biases
 * b_j [filters]; out[i][j·filters + f] = max_t relu(b_j[f] + Σ_k Σ_c W_j[k][c][f] · x[i][c][t + k]).
 */
final class MultiWidthConv1DReference {
    private MultiWidthConv1DReference() {
    }

    static double[][] forward(double[][][] x, List<Integer> widths, List<double[][][]> kernels, List<double[]> biases) {
        int mb = x.length, nIn = x[0].length, tLen = x[0][0].length;
        int filters = biases.get(0).length;
        double[][] out = new double[mb][widths.size() * filters];
        for (int j = 0; j < widths.size(); j++) {
            int w = widths.get(j);
            double[][][] k = kernels.get(j);
            for (int i = 0; i < mb; i++) {
                for (int f = 0; f < filters; f++) {
                    double best = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t + w <= tLen; t++) {
                        double z = biases.get(j)[f];
                        for (int s = 0; s < w; s++) {
                            for (int c = 0; c < nIn; c++) {
                                z += k[s][c][f] * x[i][c][t + s];
                            }
                        }
                        best = Math.max(best, Math.max(0.0, z));
                    }
                    out[i][j * filters + f] = best;
                }
            }
        }
        return out;
    }
}

package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FixedKeysParamInitializer;
import reviewnet.nn.layers.FusedRecurrent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameters shared by our fused recurrent layers with {@code gates} gate blocks of nOut columns each, laid out in the
 * flattened parameter vector in this order:
 * <ul>
 *   <li>{@code W}  input weights     [nIn, gates·nOut] ('f' order view, Keras {@code kernel})</li>
 *   <li>{@code RW} recurrent weights [nOut, gates·nOut] ('f' order view, Keras {@code recurrent_kernel})</li>
 *   <li>one or more biases           [1, gates·nOut] each, in the order of {@code biasKeys}</li>
 * </ul>
 * Each cell's configuration holds its instance: the simple RNN 1 gate and {@code b}; the LSTM 4 gates (i | f | c | o)
 * and {@code b}; the GRU 3 gates (z | r | h) and {@code b}, {@code rb} (Keras' reset_after biases).
 * Initialization: W with the layer's weightInit (fanIn=nIn, fanOut=gates·nOut, like Keras); RW with
 * weightInitRecurrent if set, else orthogonal like Keras (see {@link #orthogonal}; per gate block where the cell asks
 * for it, {@link FusedRecurrent#orthogonalPerGate()}); every bias with biasInit (0 unless configured), then the cell's
 * own bias blocks ({@link FusedRecurrent#initBiases}, e.g. the LSTM forget gate).
 */
public class FusedRecurrentParamInitializer extends FixedKeysParamInitializer {

    public static final String WEIGHT_KEY = "W";
    public static final String RECURRENT_WEIGHT_KEY = "RW";
    public static final String BIAS_KEY = "b";
    public static final String RECURRENT_BIAS_KEY = "rb";

    private final String kind;
    private final int gates;
    private final List<String> biasKeys;

    /**
     * @param kind     layer name for messages
     * @param gates    number of nOut-wide gate blocks in W, RW and each bias
     * @param biasKeys the bias parameters, in their order in the parameter vector
     */
    public FusedRecurrentParamInitializer(String kind, int gates, String... biasKeys) {
        super(Stream.concat(Stream.of(WEIGHT_KEY, RECURRENT_WEIGHT_KEY), Stream.of(biasKeys)).toList(),
                List.of(WEIGHT_KEY, RECURRENT_WEIGHT_KEY), List.of(biasKeys));
        this.kind = kind;
        this.gates = gates;
        this.biasKeys = List.of(biasKeys);
    }

    @Override
    public long numParams(Layer layer) {
        BaseRecurrentLayer c = (BaseRecurrentLayer) layer;
        long nOut = c.getNOut();
        return gates * nOut * (c.getNIn() + nOut + biasKeys.size());
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        BaseRecurrentLayer c = (BaseRecurrentLayer) conf.getLayer();
        long nIn = c.getNIn();
        long nOut = c.getNOut();
        long cols = gates * nOut;
        Map<String, INDArray> m = subsets(checkLength(paramsView, c), nIn, nOut);
        if (initializeParams) {
            c.getWeightInitFn().init(nIn, cols, new long[]{nIn, cols}, 'f', m.get(WEIGHT_KEY));
            IWeightInit rwInit = c.getWeightInitFnRecurrent();
            if (rwInit != null) {
                rwInit.init(nOut, cols, new long[]{nOut, cols}, 'f', m.get(RECURRENT_WEIGHT_KEY));
            } else {
                m.get(RECURRENT_WEIGHT_KEY).assign(orthogonal((int) nOut, gates, ((FusedRecurrent) c).orthogonalPerGate(),
                        paramsView.dataType()));
            }
            double biasInit = Double.isNaN(c.getBiasInit()) ? 0.0 : c.getBiasInit();
            for (String k : biasKeys) {
                m.get(k).assign(biasInit);
            }
            ((FusedRecurrent) c).initBiases(m);
        }
        for (String k : paramKeys(c)) {
            conf.addVariable(k);
        }
        return m;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        BaseRecurrentLayer c = (BaseRecurrentLayer) conf.getLayer();
        return subsets(checkLength(gradientView, c), c.getNIn(), c.getNOut());
    }

    private INDArray checkLength(INDArray view, BaseRecurrentLayer c) {
        long expected = numParams(c);
        if (view.length() != expected) {
            throw new IllegalStateException(kind + ": expected parameter/gradient view of length " + expected
                    + ", got " + view.length());
        }
        return view;
    }

    private Map<String, INDArray> subsets(INDArray flat, long nIn, long nOut) {
        INDArray row = flat.reshape(1, flat.length());
        long cols = gates * nOut;
        long nW = nIn * cols;
        long nRW = nOut * cols;
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(WEIGHT_KEY, slice(row, 0, nW).reshape('f', nIn, cols));
        m.put(RECURRENT_WEIGHT_KEY, slice(row, nW, nRW).reshape('f', nOut, cols));
        long offset = nW + nRW;
        for (String k : biasKeys) {
            m.put(k, slice(row, offset, cols));
            offset += cols;
        }
        return m;
    }

    private static INDArray slice(INDArray row, long from, long length) {
        return row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(from, from + length));
    }

    /**
     * Orthogonal [n, blocks·n] matrix from {@link Nd4j#getRandom()} Gaussian samples, like Keras' {@code Orthogonal}
     * initializer (gain 1): for {@code perBlock=false} the whole matrix has orthonormal rows (M·Mᵀ = I), computed as
     * the transpose of Q from the QR decomposition (sign-fixed so diag(R) &gt; 0) of a [blocks·n, n] Gaussian matrix;
     * for {@code perBlock=true} each [n, n] block is an independent orthogonal matrix (Bᵀ·B = B·Bᵀ = I).
     */
    public static INDArray orthogonal(int n, int blocks, boolean perBlock, DataType dataType) {
        double[][] out = new double[n][blocks * n];
        if (perBlock) {
            for (int k = 0; k < blocks; k++) {
                double[][] q = orthonormalColumns(gaussian(n, n), n, n); // [n, n]
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        out[i][k * n + j] = q[j][i];
                    }
                }
            }
        } else {
            int m = blocks * n;
            double[][] q = orthonormalColumns(gaussian(m, n), m, n); // [m, n], orthonormal columns
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    out[i][j] = q[j][i];
                }
            }
        }
        return Nd4j.create(out).castTo(dataType);
    }

    private static double[][] gaussian(int rows, int cols) {
        INDArray g = Nd4j.randn(DataType.DOUBLE, rows, cols);
        return g.toDoubleMatrix();
    }

    /** Q of a thin QR of a [rows, cols] (rows &gt;= cols) matrix with diag(R) &gt; 0: Gram-Schmidt, applied twice. */
    private static double[][] orthonormalColumns(double[][] a, int rows, int cols) {
        double[][] q = new double[rows][cols];
        double[] v = new double[rows];
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                v[i] = a[i][j];
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < j; k++) {
                    double dot = 0;
                    for (int i = 0; i < rows; i++) {
                        dot += q[i][k] * v[i];
                    }
                    for (int i = 0; i < rows; i++) {
                        v[i] -= dot * q[i][k];
                    }
                }
            }
            double norm = 0;
            for (int i = 0; i < rows; i++) {
                norm += v[i] * v[i];
            }
            norm = Math.sqrt(norm);
            if (norm < 1e-12) {
                throw new IllegalStateException("Orthogonal init: degenerate random matrix");
            }
            for (int i = 0; i < rows; i++) {
                q[i][j] = v[i] / norm;
            }
        }
        return q;
    }
}

package reviewnet.nn.layers;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameters of {@link GRU}, laid out in the flattened parameter vector in this order:
 * <ul>
 *   <li>{@code W}  input weights     [nIn, 3·nOut] ('f' order view), gate blocks z | r | h</li>
 *   <li>{@code RW} recurrent weights [nOut, 3·nOut] ('f' order view), gate blocks z | r | h</li>
 *   <li>{@code b}  input bias        [1, 3·nOut]  (Keras {@code bias[0]})</li>
 *   <li>{@code rb} recurrent bias    [1, 3·nOut]  (Keras {@code bias[1]}, reset_after=True)</li>
 * </ul>
 * Initialization: W with the layer's weightInit (builder default Xavier uniform, fanIn=nIn, fanOut=3·nOut);
 * RW with weightInitRecurrent if set, else orthogonal like Keras (see {@link #orthogonal}); biases with biasInit
 * (0 by default).
 */
public class GRUParamInitializer implements ParamInitializer {

    public static final String WEIGHT_KEY = "W";
    public static final String RECURRENT_WEIGHT_KEY = "RW";
    public static final String BIAS_KEY = "b";
    public static final String RECURRENT_BIAS_KEY = "rb";

    private static final GRUParamInitializer INSTANCE = new GRUParamInitializer();
    private static final List<String> WEIGHT_KEYS = Collections.unmodifiableList(Arrays.asList(WEIGHT_KEY, RECURRENT_WEIGHT_KEY));
    private static final List<String> BIAS_KEYS = Collections.unmodifiableList(Arrays.asList(BIAS_KEY, RECURRENT_BIAS_KEY));
    private static final List<String> ALL_KEYS = Collections.unmodifiableList(
            Arrays.asList(WEIGHT_KEY, RECURRENT_WEIGHT_KEY, BIAS_KEY, RECURRENT_BIAS_KEY));

    public static GRUParamInitializer getInstance() {
        return INSTANCE;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        GRU c = (GRU) layer;
        long nIn = c.getNIn();
        long nOut = c.getNOut();
        return nIn * 3 * nOut + nOut * 3 * nOut + 2 * 3 * nOut;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return ALL_KEYS;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return WEIGHT_KEYS;
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return BIAS_KEYS;
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return WEIGHT_KEY.equals(key) || RECURRENT_WEIGHT_KEY.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return BIAS_KEY.equals(key) || RECURRENT_BIAS_KEY.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        GRU c = (GRU) conf.getLayer();
        long nIn = c.getNIn();
        long nOut = c.getNOut();
        checkLength(paramsView, numParams(c));
        Map<String, INDArray> m = subsets(paramsView, nIn, nOut);
        if (initializeParams) {
            c.getWeightInitFn().init(nIn, 3 * nOut, new long[]{nIn, 3 * nOut}, 'f', m.get(WEIGHT_KEY));
            IWeightInit rwInit = c.getWeightInitFnRecurrent();
            if (rwInit != null) {
                rwInit.init(nOut, 3 * nOut, new long[]{nOut, 3 * nOut}, 'f', m.get(RECURRENT_WEIGHT_KEY));
            } else {
                m.get(RECURRENT_WEIGHT_KEY).assign(orthogonal((int) nOut, 3, c.isOrthogonalPerGate(), paramsView.dataType()));
            }
            double biasInit = Double.isNaN(c.getBiasInit()) ? 0.0 : c.getBiasInit();
            m.get(BIAS_KEY).assign(biasInit);
            m.get(RECURRENT_BIAS_KEY).assign(biasInit);
        }
        for (String k : ALL_KEYS) {
            conf.addVariable(k);
        }
        return m;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        GRU c = (GRU) conf.getLayer();
        checkLength(gradientView, numParams(c));
        return subsets(gradientView, c.getNIn(), c.getNOut());
    }

    private static void checkLength(INDArray view, long expected) {
        if (view.length() != expected) {
            throw new IllegalStateException("GRU: expected parameter/gradient view of length " + expected + ", got " + view.length());
        }
    }

    private static Map<String, INDArray> subsets(INDArray flat, long nIn, long nOut) {
        INDArray row = flat.reshape(1, flat.length());
        long nW = nIn * 3 * nOut;
        long nRW = nOut * 3 * nOut;
        long nB = 3 * nOut;
        INDArray w = row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(0, nW));
        INDArray rw = row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(nW, nW + nRW));
        INDArray b = row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(nW + nRW, nW + nRW + nB));
        INDArray rb = row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(nW + nRW + nB, nW + nRW + 2 * nB));
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(WEIGHT_KEY, w.reshape('f', nIn, 3 * nOut));
        m.put(RECURRENT_WEIGHT_KEY, rw.reshape('f', nOut, 3 * nOut));
        m.put(BIAS_KEY, b);
        m.put(RECURRENT_BIAS_KEY, rb);
        return m;
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

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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameters of {@link FusedLstm}, laid out in the flattened parameter vector in this order:
 * <ul>
 *   <li>{@code W}  input weights     [nIn, 4·nOut] ('f' order view), gate blocks i | f | c | o (Keras kernel)</li>
 *   <li>{@code RW} recurrent weights [nOut, 4·nOut] ('f' order view), gate blocks i | f | c | o</li>
 *   <li>{@code b}  bias              [1, 4·nOut] (Keras bias)</li>
 * </ul>
 * 4·(nIn·nOut + nOut·nOut + nOut) parameters, as Keras and DL4J's LSTM without peepholes count them.
 * Initialization: W with the layer's weightInit (builder default Glorot uniform, fanIn=nIn, fanOut=4·nOut);
 * RW with weightInitRecurrent if set, else orthogonal on the whole matrix like Keras
 * ({@link GRUParamInitializer#orthogonal}); b with biasInit (0 by default) except the forget block, which gets
 * forgetGateBiasInit (1 by default).
 */
public class FusedLstmParamInitializer implements ParamInitializer {

    public static final String WEIGHT_KEY = "W";
    public static final String RECURRENT_WEIGHT_KEY = "RW";
    public static final String BIAS_KEY = "b";

    private static final FusedLstmParamInitializer INSTANCE = new FusedLstmParamInitializer();
    private static final List<String> WEIGHT_KEYS = Collections.unmodifiableList(Arrays.asList(WEIGHT_KEY, RECURRENT_WEIGHT_KEY));
    private static final List<String> BIAS_KEYS = Collections.singletonList(BIAS_KEY);
    private static final List<String> ALL_KEYS = Collections.unmodifiableList(
            Arrays.asList(WEIGHT_KEY, RECURRENT_WEIGHT_KEY, BIAS_KEY));

    public static FusedLstmParamInitializer getInstance() {
        return INSTANCE;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        FusedLstm c = (FusedLstm) layer;
        long nIn = c.getNIn();
        long nOut = c.getNOut();
        return 4 * (nIn * nOut + nOut * nOut + nOut);
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
        return BIAS_KEY.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        FusedLstm c = (FusedLstm) conf.getLayer();
        long nIn = c.getNIn();
        long nOut = c.getNOut();
        checkLength(paramsView, numParams(c));
        Map<String, INDArray> m = subsets(paramsView, nIn, nOut);
        if (initializeParams) {
            c.getWeightInitFn().init(nIn, 4 * nOut, new long[]{nIn, 4 * nOut}, 'f', m.get(WEIGHT_KEY));
            IWeightInit rwInit = c.getWeightInitFnRecurrent();
            if (rwInit != null) {
                rwInit.init(nOut, 4 * nOut, new long[]{nOut, 4 * nOut}, 'f', m.get(RECURRENT_WEIGHT_KEY));
            } else {
                m.get(RECURRENT_WEIGHT_KEY).assign(GRUParamInitializer.orthogonal((int) nOut, 4, false, paramsView.dataType()));
            }
            INDArray b = m.get(BIAS_KEY);
            b.assign(Double.isNaN(c.getBiasInit()) ? 0.0 : c.getBiasInit());
            b.get(NDArrayIndex.point(0), NDArrayIndex.interval(nOut, 2 * nOut)).assign(c.getForgetGateBiasInit());
        }
        for (String k : ALL_KEYS) {
            conf.addVariable(k);
        }
        return m;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        FusedLstm c = (FusedLstm) conf.getLayer();
        checkLength(gradientView, numParams(c));
        return subsets(gradientView, c.getNIn(), c.getNOut());
    }

    private static void checkLength(INDArray view, long expected) {
        if (view.length() != expected) {
            throw new IllegalStateException("FusedLstm: expected parameter/gradient view of length " + expected
                    + ", got " + view.length());
        }
    }

    private static Map<String, INDArray> subsets(INDArray flat, long nIn, long nOut) {
        INDArray row = flat.reshape(1, flat.length());
        long nW = nIn * 4 * nOut;
        long nRW = nOut * 4 * nOut;
        long nB = 4 * nOut;
        INDArray w = row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(0, nW));
        INDArray rw = row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(nW, nW + nRW));
        INDArray b = row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(nW + nRW, nW + nRW + nB));
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(WEIGHT_KEY, w.reshape('f', nIn, 4 * nOut));
        m.put(RECURRENT_WEIGHT_KEY, rw.reshape('f', nOut, 4 * nOut));
        m.put(BIAS_KEY, b);
        return m;
    }
}

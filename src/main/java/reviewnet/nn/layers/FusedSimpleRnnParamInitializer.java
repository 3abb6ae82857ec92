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
 * Parameters of {@link FusedSimpleRnn}, laid out in the flattened parameter vector in this order:
 * <ul>
 *   <li>{@code W}  input weights     [nIn, nOut] ('f' order view, Keras {@code kernel})</li>
 *   <li>{@code RW} recurrent weights [nOut, nOut] ('f' order view, Keras {@code recurrent_kernel})</li>
 *   <li>{@code b}  bias              [1, nOut] (Keras {@code bias})</li>
 * </ul>
 * Initialization: W with the layer's weightInit (builder default Xavier uniform, fanIn=nIn, fanOut=nOut); RW with
 * weightInitRecurrent if set, else an orthogonal matrix like Keras (see {@link GRUParamInitializer#orthogonal});
 * b with biasInit (0 by default).
 */
public class FusedSimpleRnnParamInitializer implements ParamInitializer {

    public static final String WEIGHT_KEY = "W";
    public static final String RECURRENT_WEIGHT_KEY = "RW";
    public static final String BIAS_KEY = "b";

    private static final FusedSimpleRnnParamInitializer INSTANCE = new FusedSimpleRnnParamInitializer();
    private static final List<String> WEIGHT_KEYS = Collections.unmodifiableList(Arrays.asList(WEIGHT_KEY, RECURRENT_WEIGHT_KEY));
    private static final List<String> BIAS_KEYS = Collections.singletonList(BIAS_KEY);
    private static final List<String> ALL_KEYS = Collections.unmodifiableList(
            Arrays.asList(WEIGHT_KEY, RECURRENT_WEIGHT_KEY, BIAS_KEY));

    public static FusedSimpleRnnParamInitializer getInstance() {
        return INSTANCE;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        FusedSimpleRnn c = (FusedSimpleRnn) layer;
        long nIn = c.getNIn();
        long nOut = c.getNOut();
        return nIn * nOut + nOut * nOut + nOut;
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
        FusedSimpleRnn c = (FusedSimpleRnn) conf.getLayer();
        long nIn = c.getNIn();
        long nOut = c.getNOut();
        checkLength(paramsView, numParams(c));
        Map<String, INDArray> m = subsets(paramsView, nIn, nOut);
        if (initializeParams) {
            c.getWeightInitFn().init(nIn, nOut, new long[]{nIn, nOut}, 'f', m.get(WEIGHT_KEY));
            IWeightInit rwInit = c.getWeightInitFnRecurrent();
            if (rwInit != null) {
                rwInit.init(nOut, nOut, new long[]{nOut, nOut}, 'f', m.get(RECURRENT_WEIGHT_KEY));
            } else {
                m.get(RECURRENT_WEIGHT_KEY).assign(
                        GRUParamInitializer.orthogonal((int) nOut, 1, false, paramsView.dataType()));
            }
            m.get(BIAS_KEY).assign(Double.isNaN(c.getBiasInit()) ? 0.0 : c.getBiasInit());
        }
        for (String k : ALL_KEYS) {
            conf.addVariable(k);
        }
        return m;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        FusedSimpleRnn c = (FusedSimpleRnn) conf.getLayer();
        checkLength(gradientView, numParams(c));
        return subsets(gradientView, c.getNIn(), c.getNOut());
    }

    private static void checkLength(INDArray view, long expected) {
        if (view.length() != expected) {
            throw new IllegalStateException("FusedSimpleRnn: expected parameter/gradient view of length " + expected
                    + ", got " + view.length());
        }
    }

    private static Map<String, INDArray> subsets(INDArray flat, long nIn, long nOut) {
        INDArray row = flat.reshape(1, flat.length());
        long nW = nIn * nOut;
        long nRW = nOut * nOut;
        INDArray w = row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(0, nW));
        INDArray rw = row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(nW, nW + nRW));
        INDArray b = row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(nW + nRW, nW + nRW + nOut));
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(WEIGHT_KEY, w.reshape('f', nIn, nOut));
        m.put(RECURRENT_WEIGHT_KEY, rw.reshape('f', nOut, nOut));
        m.put(BIAS_KEY, b);
        return m;
    }
}

package reviewnet.nn.recurrent;

import reviewnet.nn.layers.BidirectionalGRU;
import reviewnet.nn.layers.GRU;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameters of {@link BidirectionalGRU}: two complete {@link GRUParamInitializer GRU parameter sets}, the forward
 * direction's first, then the backward direction's, each laid out like a GRU's with its keys prefixed:
 * {@code fW, fRW, fb, frb, bW, bRW, bb, brb} (the prefixes of DL4J's {@code Bidirectional}). Each half is initialized
 * exactly like our GRU's parameters ({@link GRUParamInitializer} on {@link BidirectionalGRU#direction()}), the forward
 * half first.
 */
public class BidirectionalGRUParamInitializer implements ParamInitializer {

    public static final String FORWARD_PREFIX = "f";
    public static final String BACKWARD_PREFIX = "b";

    private static final GRUParamInitializer GRU_PARAMS = GRUParamInitializer.getInstance();

    // after GRU_PARAMS, which the constructor uses
    private static final BidirectionalGRUParamInitializer INSTANCE = new BidirectionalGRUParamInitializer();

    private final List<String> paramKeys;
    private final List<String> weightKeys;
    private final List<String> biasKeys;

    public static BidirectionalGRUParamInitializer getInstance() {
        return INSTANCE;
    }

    public BidirectionalGRUParamInitializer() {
        // the GRU's key lists do not depend on the layer
        paramKeys = prefixed(GRU_PARAMS.paramKeys(null));
        weightKeys = prefixed(GRU_PARAMS.weightKeys(null));
        biasKeys = prefixed(GRU_PARAMS.biasKeys(null));
    }

    private static List<String> prefixed(List<String> keys) {
        List<String> out = new ArrayList<>();
        for (String prefix : new String[]{FORWARD_PREFIX, BACKWARD_PREFIX}) {
            for (String k : keys) {
                out.add(prefix + k);
            }
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return 2 * GRU_PARAMS.numParams(layer);   // the GRU's count only reads nIn and nOut
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return paramKeys;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return weightKeys;
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return biasKeys;
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return weightKeys.contains(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return biasKeys.contains(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        INDArray[] halves = halves(paramsView, conf.getLayer());
        NeuralNetConfiguration direction = directionConfiguration(conf);
        Map<String, INDArray> m = new LinkedHashMap<>();
        putPrefixed(m, FORWARD_PREFIX, GRU_PARAMS.init(direction, halves[0], initializeParams));
        putPrefixed(m, BACKWARD_PREFIX, GRU_PARAMS.init(direction, halves[1], initializeParams));
        for (String k : paramKeys) {
            conf.addVariable(k);
        }
        return m;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        INDArray[] halves = halves(gradientView, conf.getLayer());
        NeuralNetConfiguration direction = directionConfiguration(conf);
        Map<String, INDArray> m = new LinkedHashMap<>();
        putPrefixed(m, FORWARD_PREFIX, GRU_PARAMS.getGradientsFromFlattened(direction, halves[0]));
        putPrefixed(m, BACKWARD_PREFIX, GRU_PARAMS.getGradientsFromFlattened(direction, halves[1]));
        return m;
    }

    private static void putPrefixed(Map<String, INDArray> out, String prefix, Map<String, INDArray> in) {
        for (Map.Entry<String, INDArray> e : in.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
        }
    }

    /**
     * A copy of {@code conf} (a {@link BidirectionalGRU}'s) whose layer is the configuration of one direction, with
     * the GRU's parameter keys as its variables.
     */
    static NeuralNetConfiguration directionConfiguration(NeuralNetConfiguration conf) {
        GRU direction = ((BidirectionalGRU) conf.getLayer()).direction();
        NeuralNetConfiguration c = conf.clone();
        c.setLayer(direction);
        c.clearVariables();
        for (String k : GRU_PARAMS.paramKeys(direction)) {
            c.addVariable(k);
        }
        return c;
    }

    /** The forward and the backward direction's halves of a flattened parameter or gradient vector (views). */
    static INDArray[] halves(INDArray flat, Layer layer) {
        long expected = INSTANCE.numParams(layer);
        if (flat.length() != expected) {
            throw new IllegalStateException("BidirectionalGRU: expected parameter/gradient view of length " + expected
                    + ", got " + flat.length());
        }
        INDArray row = flat.reshape(1, flat.length());
        long half = expected / 2;
        return new INDArray[]{
                row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(0, half)),
                row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(half, expected))};
    }
}

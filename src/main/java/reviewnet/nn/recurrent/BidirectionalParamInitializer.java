package reviewnet.nn.recurrent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import reviewnet.nn.layers.FixedKeysParamInitializer;
import reviewnet.nn.layers.FusedRecurrent;

/**
 * Parameters of a bidirectional layer ({@link BidirectionalLayer}) over any of our recurrent cells: two complete
 * parameter sets of the direction's kind, the forward direction's first, then the backward direction's, each laid out
 * like the direction's with its keys prefixed, e.g. {@code fW, fRW, fb, frb, bW, bRW, bb, brb} for GRU directions (the
 * prefixes of DL4J's {@code Bidirectional}). Each half is initialized exactly like the direction's parameters (its
 * own initializer on the direction's configuration), the forward half first.
 */
public class BidirectionalParamInitializer extends FixedKeysParamInitializer {

    public static final String FORWARD_PREFIX = "f";
    public static final String BACKWARD_PREFIX = "b";

    private final ParamInitializer directionParams;
    private final Function<Layer, FusedRecurrent> direction;

    /**
     * @param directionParams the parameters of one direction, whose key lists must not depend on the layer (true of
     *                        {@link FusedRecurrentParamInitializer})
     * @param direction       the configuration of one direction, from the bidirectional layer's configuration
     */
    public BidirectionalParamInitializer(ParamInitializer directionParams, Function<Layer, FusedRecurrent> direction) {
        super(prefixed(directionParams.paramKeys(null)), prefixed(directionParams.weightKeys(null)),
                prefixed(directionParams.biasKeys(null)));
        this.directionParams = directionParams;
        this.direction = direction;
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
    public long numParams(Layer layer) {
        return 2 * directionParams.numParams(layer);   // the direction's count only reads nIn and nOut
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        INDArray[] halves = halves(paramsView, conf.getLayer());
        NeuralNetConfiguration direction = directionConfiguration(conf);
        Map<String, INDArray> m = new LinkedHashMap<>();
        putPrefixed(m, FORWARD_PREFIX, directionParams.init(direction, halves[0], initializeParams));
        putPrefixed(m, BACKWARD_PREFIX, directionParams.init(direction, halves[1], initializeParams));
        for (String k : paramKeys(conf.getLayer())) {
            conf.addVariable(k);
        }
        return m;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        INDArray[] halves = halves(gradientView, conf.getLayer());
        NeuralNetConfiguration direction = directionConfiguration(conf);
        Map<String, INDArray> m = new LinkedHashMap<>();
        putPrefixed(m, FORWARD_PREFIX, directionParams.getGradientsFromFlattened(direction, halves[0]));
        putPrefixed(m, BACKWARD_PREFIX, directionParams.getGradientsFromFlattened(direction, halves[1]));
        return m;
    }

    private static void putPrefixed(Map<String, INDArray> out, String prefix, Map<String, INDArray> in) {
        for (Map.Entry<String, INDArray> e : in.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
        }
    }

    /**
     * A copy of {@code conf} (a bidirectional layer's) whose layer is the configuration of one direction, with the
     * direction's parameter keys as its variables.
     */
    NeuralNetConfiguration directionConfiguration(NeuralNetConfiguration conf) {
        FusedRecurrent direction = this.direction.apply(conf.getLayer());
        NeuralNetConfiguration c = conf.clone();
        c.setLayer(direction);
        c.clearVariables();
        for (String k : directionParams.paramKeys(direction)) {
            c.addVariable(k);
        }
        return c;
    }

    /** The forward and the backward direction's halves of a flattened parameter or gradient vector (views). */
    INDArray[] halves(INDArray flat, Layer layer) {
        long expected = numParams(layer);
        if (flat.length() != expected) {
            throw new IllegalStateException(direction.apply(layer).kind() + " (bidirectional): expected parameter/gradient view of length " + expected
                    + ", got " + flat.length());
        }
        INDArray row = flat.reshape(1, flat.length());
        long half = expected / 2;
        return new INDArray[]{
                row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(0, half)),
                row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(half, expected))};
    }
}

package reviewnet.nn.conv;

import reviewnet.nn.layers.MultiWidthConv1D;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameters of {@link MultiWidthConv1D}, per width j (w = widths[j]) in the order of the widths, laid out in the
 * flattened parameter vector as
 * <ul>
 *   <li>{@code W<j>} kernel [w, nIn, filters], 'c' order: Keras' Conv1D kernel layout, {@code W[k, c, f]} multiplies
 *       input feature c at step t + k for filter f; each [nIn, filters] slice k is a contiguous matrix</li>
 *   <li>{@code b<j>} bias [1, filters]</li>
 * </ul>
 * i.e. W0, b0, W1, b1, ... (keys by position, so a width may occur more than once). Initialization: each kernel with
 * the layer's weight init with Keras Conv1D's fans, fanIn = nIn·w and fanOut = filters·w (Glorot uniform by default:
 * U(±√(6 / ((nIn + filters)·w)))), each bias with biasInit (0 unless configured).
 */
public class MultiWidthConv1DParamInitializer implements ParamInitializer {

    public static final String WEIGHT_KEY_PREFIX = "W";
    public static final String BIAS_KEY_PREFIX = "b";

    private static final MultiWidthConv1DParamInitializer INSTANCE = new MultiWidthConv1DParamInitializer();

    public static MultiWidthConv1DParamInitializer getInstance() {
        return INSTANCE;
    }

    /** Key of the kernel of the j-th width. */
    public static String weightKey(int j) {
        return WEIGHT_KEY_PREFIX + j;
    }

    /** Key of the bias of the j-th width. */
    public static String biasKey(int j) {
        return BIAS_KEY_PREFIX + j;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        MultiWidthConv1D c = (MultiWidthConv1D) layer;
        long n = 0;
        for (int w : c.getWidths()) {
            n += (long) w * c.getNIn() * c.getFilters() + c.getFilters();
        }
        return n;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return keys(layer, j -> Stream.of(weightKey(j), biasKey(j)));
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return keys(layer, j -> Stream.of(weightKey(j)));
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return keys(layer, j -> Stream.of(biasKey(j)));
    }

    /** The keys of each width j, in the order of the widths (unmodifiable). */
    private static List<String> keys(Layer layer, IntFunction<Stream<String>> perWidth) {
        return IntStream.range(0, ((MultiWidthConv1D) layer).getWidths().size()).boxed()
                .flatMap(perWidth::apply).toList();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return weightKeys(layer).contains(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return biasKeys(layer).contains(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        MultiWidthConv1D c = (MultiWidthConv1D) conf.getLayer();
        Map<String, INDArray> m = subsets(c, paramsView);
        if (initializeParams) {
            long nIn = c.getNIn();
            long filters = c.getFilters();
            double biasInit = Double.isNaN(c.getBiasInit()) ? 0.0 : c.getBiasInit();
            for (int j = 0; j < c.getWidths().size(); j++) {
                long w = c.getWidths().get(j);
                c.getWeightInitFn().init(nIn * w, filters * w, new long[]{w, nIn, filters}, 'c', m.get(weightKey(j)));
                m.get(biasKey(j)).assign(biasInit);
            }
        }
        for (String k : m.keySet()) {
            conf.addVariable(k);
        }
        return m;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return subsets((MultiWidthConv1D) conf.getLayer(), gradientView);
    }

    /** The per-width views W<j> [w, nIn, filters] ('c') and b<j> [1, filters] of a parameter or gradient vector. */
    private Map<String, INDArray> subsets(MultiWidthConv1D c, INDArray flat) {
        long expected = numParams(c);
        if (flat.length() != expected) {
            throw new IllegalStateException("MultiWidthConv1D: expected a parameter/gradient view of length "
                    + expected + " (widths " + c.getWidths() + ", nIn " + c.getNIn() + ", filters " + c.getFilters()
                    + "), got " + flat.length());
        }
        INDArray row = flat.reshape(1, flat.length());
        long nIn = c.getNIn();
        long filters = c.getFilters();
        Map<String, INDArray> m = new LinkedHashMap<>();   // mutable, in parameter order
        long offset = 0;
        for (int j = 0; j < c.getWidths().size(); j++) {
            long w = c.getWidths().get(j);
            long nW = w * nIn * filters;
            m.put(weightKey(j), slice(row, offset, nW).reshape('c', w, nIn, filters));
            offset += nW;
            m.put(biasKey(j), slice(row, offset, filters));
            offset += filters;
        }
        return m;
    }

    private static INDArray slice(INDArray row, long from, long length) {
        return row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(from, from + length));
    }
}

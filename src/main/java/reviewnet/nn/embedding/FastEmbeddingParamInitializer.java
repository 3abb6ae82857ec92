package reviewnet.nn.embedding;

import reviewnet.nn.layers.BagEmbedding;
import reviewnet.nn.layers.FastEmbedding;
import reviewnet.nn.layers.FixedKeysParamInitializer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one parameter of {@link FastEmbedding} (and {@link BagEmbedding}): {@code W} [nIn, nOut], an 'f' ordered view
 * of the whole parameter vector, which is DL4J's layout for {@code EmbeddingSequenceLayer} without bias (key "W", 'f' order, so row v of W,
 * the vector of word v, is strided by nIn in the flattened vector). Initialization as in DL4J's
 * {@code EmbeddingLayerParamInitializer}: the layer's weight init with fanIn = 1 and fanOut = nOut (an embedding's
 * init must not depend on the vocabulary size), drawing the same random numbers in the same order.
 */
public class FastEmbeddingParamInitializer extends FixedKeysParamInitializer {

    public static final String WEIGHT_KEY = "W";

    private static final FastEmbeddingParamInitializer INSTANCE = new FastEmbeddingParamInitializer('f');
    private static final FastEmbeddingParamInitializer ROWS = new FastEmbeddingParamInitializer('c');

    private final char order;

    private FastEmbeddingParamInitializer(char order) {
        super(List.of(WEIGHT_KEY), List.of(WEIGHT_KEY), List.of());
        this.order = order;
    }

    /**
     * The same parameter with W 'c' ordered (each row's nOut values contiguous): for {@link BagEmbedding}, whose
     * indices (hashed bigrams) are spread uniformly over hundreds of thousands of rows, so that reading or updating a
     * row touches a few cache lines instead of nOut (W has no DL4J layout to match there).
     */
    public static FastEmbeddingParamInitializer rowMajor() {
        return ROWS;
    }

    public static FastEmbeddingParamInitializer getInstance() {
        return INSTANCE;
    }

    @Override
    public long numParams(Layer layer) {
        FeedForwardLayer c = (FeedForwardLayer) layer;
        return c.getNIn() * c.getNOut();
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        FeedForwardLayer c = (FeedForwardLayer) conf.getLayer();
        long nIn = c.getNIn();
        long nOut = c.getNOut();
        INDArray w = weights(paramsView, nIn, nOut);
        if (initializeParams) {
            c.getWeightInitFn().init(1, nOut, new long[]{nIn, nOut}, order, w);
        }
        conf.addVariable(WEIGHT_KEY);
        Map<String, INDArray> m = new LinkedHashMap<>();   // mutable, as DL4J's own initializers return
        m.put(WEIGHT_KEY, w);
        return m;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        FeedForwardLayer c = (FeedForwardLayer) conf.getLayer();
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(WEIGHT_KEY, weights(gradientView, c.getNIn(), c.getNOut()));
        return m;
    }

    private INDArray weights(INDArray flat, long nIn, long nOut) {
        if (flat.length() != nIn * nOut) {
            throw new IllegalStateException("embedding: expected a parameter/gradient view of length " + nIn * nOut
                    + " (nIn " + nIn + " × nOut " + nOut + "), got " + flat.length());
        }
        return flat.reshape(order, nIn, nOut);
    }
}

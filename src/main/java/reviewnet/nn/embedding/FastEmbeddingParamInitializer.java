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
 * The one parameter of {@link FastEmbedding} (and {@link BagEmbedding}): {@code W} [nIn, nOut], a view of the whole
 * parameter vector, 'f' ordered as DL4J's {@code EmbeddingSequenceLayer} without bias has it (row v, the vector of
 * word v, strided by nIn). Initialized as DL4J's {@code EmbeddingLayerParamInitializer} does: the layer's weight init
 * with fanIn = 1 and fanOut = nOut, drawing the same random numbers in the same order.
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

    /** The same parameter with W 'c' ordered (each row contiguous), for {@link BagEmbedding}'s scattered rows. */
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
        return new LinkedHashMap<>(Map.of(WEIGHT_KEY, w));   // mutable, as DL4J's own initializers return
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        FeedForwardLayer c = (FeedForwardLayer) conf.getLayer();
        return new LinkedHashMap<>(Map.of(WEIGHT_KEY, weights(gradientView, c.getNIn(), c.getNOut())));
    }

    private INDArray weights(INDArray flat, long nIn, long nOut) {
        if (flat.length() != nIn * nOut) {
            throw new IllegalStateException("embedding: expected a parameter/gradient view of length " + nIn * nOut
                    + " (nIn " + nIn + " × nOut " + nOut + "), got " + flat.length());
        }
        return flat.reshape(order, nIn, nOut);
    }
}

package reviewnet.nn.embedding;

import java.util.Arrays;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the embedding layers share: word indices as input, the one parameter W [nIn, nOut] of
 * {@link FastEmbeddingParamInitializer}, no bias, and a backward pass that scatter-adds into W's gradient and
 * returns no input gradient.
 */
abstract class AbstractEmbeddingLayer<L extends FeedForwardLayer> extends BaseLayer<L> {

    AbstractEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasBias() {
        return false;
    }

    /** The layer in error messages, e.g. "FastEmbedding (layer 0)". */
    String where() {
        return layerConf().getClass().getSimpleName() + " (" + layerId() + ")";
    }

    EmbeddingIndices indices() {
        return EmbeddingIndices.read(input, layerConf().getNIn(), where());
    }

    void checkEpsilon(INDArray epsilon, long... expected) {
        if (!Arrays.equals(epsilon.shape(), expected)) {
            throw new IllegalStateException(where() + ": epsilon of shape " + Arrays.toString(expected)
                    + " expected, got " + Arrays.toString(epsilon.shape()));
        }
    }

    /**
     * The gradient: W's view zeroed (the updater reads and overwrites all of it), then
     * {@link EmbeddingRows#scatterAdd} of {@code eps}; no gradient for the indices.
     */
    Pair<Gradient, INDArray> scatterGradient(EmbeddingRows.Steps eps, EmbeddingIndices ix, double[] scale,
                                             boolean skipPadding) {
        INDArray g = gradientViews.get(FastEmbeddingParamInitializer.WEIGHT_KEY);
        EmbeddingRows.zero(g);
        EmbeddingRows.scatterAdd(eps, ix, scale, skipPadding, EmbeddingRows.Table.of(g), (int) layerConf().getNOut());
        Gradient ret = new DefaultGradient(gradientsFlattened);
        ret.gradientForVariable().put(FastEmbeddingParamInitializer.WEIGHT_KEY, g);
        weightNoiseParams.clear();
        return new Pair<>(ret, null);
    }
}

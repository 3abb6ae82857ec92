package reviewnet.nn.layers;

import reviewnet.nn.embedding.BagEmbeddingLayer;
import reviewnet.nn.embedding.FastEmbeddingParamInitializer;

import java.util.Collection;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a bag of embeddings (fastText): the mean of the embedding rows of a review's indices, index 0
 * (padding) excluded, so padding does not bias the average:
 *
 * <pre>
 *   out[i, :] = (1 / n_i) Σ_{t : idx[i, t] ≠ 0} W[idx[i, t], :]      n_i = |{t : idx[i, t] ≠ 0}|, out = 0 when n_i = 0
 * </pre>
 *
 * or, with {@link Pooling#SQRT_COUNT}, the sum scaled by 1/√n_i (as an L2-normalized bag of binary features is).
 *
 * Input: indices [minibatch, T] (or [minibatch, 1, T]), each in [0, nIn); for bigram-bag the word indices followed by
 * the hashed bigram indices, which are offset past the vocabulary. Output: feed-forward [minibatch, nOut]. Parameters
 * and initialization are {@link FastEmbedding}'s (one weight matrix W [nIn, nOut], no bias), but W is 'c' ordered
 * ({@link FastEmbeddingParamInitializer#rowMajor()}). Padding is
 * recognised by index 0, not by a mask array: a mask is rejected. No activation (identity) and no layer dropout.
 * Supported network data types: FLOAT and DOUBLE.
 */
public class BagEmbedding extends FeedForwardLayer {

    /** How the sum of a review's rows is scaled: by 1/n (the mean) or by 1/√n (n = its non-padding indices). */
    public enum Pooling { MEAN, SQRT_COUNT }

    private Pooling pooling = Pooling.MEAN;

    /** For JSON deserialization only. */
    public BagEmbedding() {
    }

    protected BagEmbedding(Builder builder) {
        super(builder);
        this.pooling = builder.pooling;
        initializeConstraints(builder);
    }

    public Pooling getPooling() {
        return pooling;
    }

    public void setPooling(Pooling pooling) {
        this.pooling = pooling;
    }

    /** The factor of the sum for an example with {@code n} non-padding indices (0 when it has none). */
    public double scale(int n) {
        if (n == 0) {
            return 0;
        }
        return pooling == Pooling.SQRT_COUNT ? 1.0 / Math.sqrt(n) : 1.0 / n;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        LayerWiring.requireFloatOrDouble("BagEmbedding (layer " + layerIndex + ")", networkDataType);
        return LayerWiring.wire(new BagEmbeddingLayer(conf, networkDataType), conf, trainingListeners, layerIndex, layerParamsView,
                initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return FastEmbeddingParamInitializer.rowMajor();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType == null || (inputType.getType() != InputType.Type.FF && inputType.getType() != InputType.Type.RNN)) {
            throw new IllegalStateException("BagEmbedding (layer " + layerIndex + "): feed-forward or recurrent input "
                    + "type expected, got " + inputType);
        }
        return InputType.feedForward(getNOut());
    }

    /** Indices go in as they are: no preprocessor, whether the input type is recurrent or feed-forward. */
    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        if (inputType == null) {
            throw new IllegalStateException("BagEmbedding: input type is null");
        }
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        long numParams = initializer().numParams(this);
        long updaterSize = getIUpdater() == null ? 0 : getIUpdater().stateSize(numParams);
        return new LayerMemoryReport.Builder(getLayerName(), BagEmbedding.class, inputType, outputType)
                .standardMemory(numParams, updaterSize)
                .workingMemory(0, 0, 0, outputType.arrayElementsPerExample())
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof BagEmbedding other && other.canEqual(this) && super.equals(o)
                && pooling == other.pooling);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof BagEmbedding;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + pooling.hashCode();
    }

    @Override
    public String toString() {
        return "BagEmbedding(super=" + super.toString() + ", pooling=" + pooling + ")";
    }

    public static class Builder extends FeedForwardLayer.Builder<Builder> {
        private Pooling pooling = Pooling.MEAN;

        public Builder() {
            activation(new ActivationIdentity());
        }

        /** Builder with the number of indices (nIn) and embedding size (nOut) set. */
        public Builder(long nIn, long nOut) {
            this();
            nIn(nIn);
            nOut(nOut);
        }

        /** MEAN (default): the mean of the rows; SQRT_COUNT: their sum / √n. */
        public Builder pooling(Pooling pooling) {
            this.pooling = pooling;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public BagEmbedding build() {
            if (pooling == null) {
                throw new IllegalStateException("BagEmbedding: pooling must not be null");
            }
            if (!(activationFn instanceof ActivationIdentity)) {
                throw new IllegalStateException("BagEmbedding supports only the identity activation, got " + activationFn);
            }
            if (iDropout != null) {
                throw new IllegalStateException("BagEmbedding does not apply dropout");
            }
            return new BagEmbedding(this);
        }
    }
}

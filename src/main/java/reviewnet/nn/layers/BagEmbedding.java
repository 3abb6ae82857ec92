package reviewnet.nn.layers;

import java.util.Collection;
import java.util.Map;
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
 * Input: indices [minibatch, T] (or [minibatch, 1, T]), each in [0, nIn); for bigram-bag the word indices followed by
 * the hashed bigram indices, which are offset past the vocabulary. Output: feed-forward [minibatch, nOut]. Parameters
 * and initialization are {@link FastEmbedding}'s (one weight matrix W [nIn, nOut], no bias), but W is 'c' ordered
 * ({@link FastEmbeddingParamInitializer#rowMajor()}). Padding is
 * recognised by index 0, not by a mask array: a mask is rejected. No activation (identity) and no layer dropout.
 * Supported network data types: FLOAT and DOUBLE.
 */
public class BagEmbedding extends FeedForwardLayer {

    /** For JSON deserialization only. */
    public BagEmbedding() {
    }

    protected BagEmbedding(Builder builder) {
        super(builder);
        initializeConstraints(builder);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        if (networkDataType != DataType.FLOAT && networkDataType != DataType.DOUBLE) {
            throw new IllegalArgumentException("BagEmbedding (layer " + layerIndex + "): network data type "
                    + networkDataType + " is not supported, only FLOAT and DOUBLE");
        }
        BagEmbeddingLayer ret = new BagEmbeddingLayer(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
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
        return o == this || (o instanceof BagEmbedding other && other.canEqual(this) && super.equals(o));
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof BagEmbedding;
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }

    @Override
    public String toString() {
        return "BagEmbedding(super=" + super.toString() + ")";
    }

    public static class Builder extends FeedForwardLayer.Builder<Builder> {

        public Builder() {
            activation(new ActivationIdentity());
        }

        /** Builder with the number of indices (nIn) and embedding size (nOut) set. */
        public Builder(long nIn, long nOut) {
            this();
            nIn(nIn);
            nOut(nOut);
        }

        @Override
        @SuppressWarnings("unchecked")
        public BagEmbedding build() {
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

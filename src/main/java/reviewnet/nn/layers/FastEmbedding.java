package reviewnet.nn.layers;

import reviewnet.nn.embedding.FastEmbeddingLayer;
import reviewnet.nn.embedding.FastEmbeddingParamInitializer;

import java.util.Collection;
import java.util.Objects;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a sequence embedding layer with the semantics of DL4J's {@code EmbeddingSequenceLayer} as the
 * product configures it (no bias, identity activation), i.e. Keras {@code Embedding(nIn, nOut)}:
 *
 * <pre>
 *   out[i, :, t] = W[idx[i, t], :]        W [nIn, nOut] (vocabulary × embedding), no bias
 * </pre>
 *
 * Input: word indices as a floating point (or integer) array [minibatch, T] or [minibatch, 1, T]; an index that is
 * outside [0, nIn) (or NaN) is rejected with an {@link IllegalArgumentException}; fractions are truncated, as DL4J's layer
 * does. Output: [minibatch, nOut, T] for
 * NCW (the default, as for DL4J's layer), [minibatch, T, nOut] for NWC. A per-time-step mask [minibatch, T] zeroes the
 * output at masked steps (and their gradient), as DL4J's layer does.
 * <p>
 * The parameters are exactly DL4J's: one weight matrix {@code W} [nIn, nOut], 'f' ordered in the flattened parameter
 * vector, initialized with the layer's weight init with fanIn = 1 and fanOut = nOut (see
 * {@link FastEmbeddingParamInitializer}), so a network with this layer has the same parameter vector (and, with the
 * same seed, the same initial values) as one with {@code EmbeddingSequenceLayer}. The time-series length T is taken
 * from the input; {@code inputLength} only declares the output type.
 * <p>
 * Why: DL4J 1.0.0-M2's backward pass recomputes the forward gather and scatters through a generic TAD-based op
 * (about 15 ms per minibatch of 32 × 100 words at nIn = 20,000, nOut = 128). {@link FastEmbeddingLayer} gathers and
 * scatter-adds the rows with plain loops over the buffers instead. Only the identity activation is supported, and
 * no layer dropout (DL4J's embedding layers ignore it too): the product applies dropout in a following DropoutLayer.
 * Supported network data types: FLOAT and DOUBLE.
 */
public class FastEmbedding extends FeedForwardLayer {

    private int inputLength = 1;
    private RNNFormat outputFormat = RNNFormat.NCW;

    /** For JSON deserialization only. */
    public FastEmbedding() {
    }

    protected FastEmbedding(Builder builder) {
        super(builder);
        this.inputLength = builder.inputLength;
        this.outputFormat = builder.outputFormat;
        initializeConstraints(builder);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        LayerWiring.requireFloatOrDouble("FastEmbedding (layer " + layerIndex + ")", networkDataType);
        return LayerWiring.wire(new FastEmbeddingLayer(conf, networkDataType), conf, trainingListeners, layerIndex, layerParamsView,
                initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return FastEmbeddingParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType == null || (inputType.getType() != InputType.Type.FF && inputType.getType() != InputType.Type.RNN)) {
            throw new IllegalStateException("FastEmbedding (layer " + layerIndex + "): feed-forward or recurrent input "
                    + "type expected, got " + inputType);
        }
        return InputType.recurrent(getNOut(), inputLength, outputFormat);
    }

    /** Indices go in as they are: no preprocessor, whether the input type is recurrent or feed-forward. */
    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        if (inputType == null) {
            throw new IllegalStateException("FastEmbedding: input type is null");
        }
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        long numParams = initializer().numParams(this);
        long updaterSize = getIUpdater() == null ? 0 : getIUpdater().stateSize(numParams);
        // the output only; the backward pass needs no working memory besides the int indices
        return new LayerMemoryReport.Builder(getLayerName(), FastEmbedding.class, inputType, outputType)
                .standardMemory(numParams, updaterSize)
                .workingMemory(0, 0, 0, outputType.arrayElementsPerExample())
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    public int getInputLength() {
        return inputLength;
    }

    public void setInputLength(int inputLength) {
        this.inputLength = inputLength;
    }

    public RNNFormat getOutputFormat() {
        return outputFormat;
    }

    public void setOutputFormat(RNNFormat outputFormat) {
        this.outputFormat = outputFormat;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof FastEmbedding)) {
            return false;
        }
        FastEmbedding other = (FastEmbedding) o;
        if (!other.canEqual(this) || !super.equals(o)) {
            return false;
        }
        return inputLength == other.inputLength && outputFormat == other.outputFormat;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof FastEmbedding;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), inputLength, outputFormat);
    }

    @Override
    public String toString() {
        return "FastEmbedding(super=" + super.toString() + ", inputLength=" + inputLength + ", outputFormat="
                + outputFormat + ")";
    }

    public static class Builder extends FeedForwardLayer.Builder<Builder> {
        private int inputLength = 1;
        private RNNFormat outputFormat = RNNFormat.NCW;

        public Builder() {
            // like DL4J's embedding layers: identity, whatever the network's default activation is
            activation(new ActivationIdentity());
        }

        /** Builder with vocabulary size (nIn) and embedding size (nOut) set. */
        public Builder(long nIn, long nOut) {
            this();
            nIn(nIn);
            nOut(nOut);
        }

        /** Sequence length declared in the output type (the layer itself takes T from its input). */
        public Builder inputLength(int inputLength) {
            this.inputLength = inputLength;
            return this;
        }

        /** NCW (default): output [minibatch, nOut, T]; NWC: [minibatch, T, nOut]. */
        public Builder outputDataFormat(RNNFormat format) {
            this.outputFormat = format;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public FastEmbedding build() {
            if (!(activationFn instanceof ActivationIdentity)) {
                throw new IllegalStateException("FastEmbedding supports only the identity activation, got " + activationFn);
            }
            if (iDropout != null) {
                throw new IllegalStateException("FastEmbedding does not apply dropout: use a DropoutLayer after it");
            }
            if (outputFormat == null) {
                throw new IllegalStateException("FastEmbedding: output data format must not be null");
            }
            return new FastEmbedding(this);
        }
    }
}

package reviewnet.nn.layers;

import reviewnet.nn.embedding.FastEmbeddingLayer;
import reviewnet.nn.embedding.FastEmbeddingParamInitializer;

import java.util.Map;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Configuration of a sequence embedding layer with the semantics of DL4J's {@code EmbeddingSequenceLayer} without
 * bias and with the identity activation (Keras {@code Embedding(nIn, nOut)}):
 *
 * <pre>
 *   out[i, :, t] = W[idx[i, t], :]        W [nIn, nOut] (vocabulary × embedding), no bias
 * </pre>
 *
 * Input: word indices [minibatch, T] or [minibatch, 1, T]; an index outside [0, nIn) (or NaN) is rejected with an
 * {@link IllegalArgumentException}, fractions are truncated (as DL4J's layer does). Output: [minibatch, nOut, T] for
 * NCW (the default), [minibatch, T, nOut] for NWC. A per-time-step mask [minibatch, T] zeroes the output at masked
 * steps and their gradient. T is taken from the input; {@code inputLength} only declares the output type.
 * <p>
 * The parameters are DL4J's: {@code W} [nIn, nOut], 'f' ordered in the parameter vector, initialized with fanIn = 1
 * and fanOut = nOut ({@link FastEmbeddingParamInitializer}), so a network with this layer has the same parameters
 * (with the same seed, the same initial values) as one with {@code EmbeddingSequenceLayer}. Identity activation only,
 * no layer dropout; FLOAT and DOUBLE networks.
 */
public class FastEmbedding extends CustomLayer {

    private int inputLength = 1;
    private RNNFormat outputFormat = RNNFormat.NCW;

    /** For JSON deserialization only. */
    public FastEmbedding() {
    }

    protected FastEmbedding(Builder builder) {
        super(builder);
        this.inputLength = builder.inputLength;
        this.outputFormat = builder.outputFormat;
    }

    @Override
    protected BaseLayer<?> implementation(NeuralNetConfiguration conf, DataType networkDataType) {
        return new FastEmbeddingLayer(conf, networkDataType);
    }

    @Override
    public ParamInitializer initializer() {
        return FastEmbeddingParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        checkIndexInput(layerIndex, inputType);
        return InputType.recurrent(getNOut(), inputLength, outputFormat);
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
    protected Map<String, Object> settings() {
        return settings("inputLength", inputLength, "outputFormat", outputFormat);
    }

    public static class Builder extends IdentityBuilder<Builder> {
        private int inputLength = 1;
        private RNNFormat outputFormat = RNNFormat.NCW;

        public Builder() {
        }

        /** Builder with vocabulary size (nIn) and embedding size (nOut) set. */
        public Builder(long nIn, long nOut) {
            super(nIn, nOut);
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
            checkIdentityWithoutDropout("FastEmbedding");
            if (outputFormat == null) {
                throw new IllegalStateException("FastEmbedding: output data format must not be null");
            }
            return new FastEmbedding(this);
        }
    }
}

package reviewnet.nn.layers;

import reviewnet.nn.embedding.BagEmbeddingLayer;
import reviewnet.nn.embedding.FastEmbeddingParamInitializer;

import java.util.Map;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Configuration of a bag of embeddings (fastText): the mean of the embedding rows of a review's indices, index 0
 * (padding) left out:
 *
 * <pre>
 *   out[i, :] = (1 / n_i) Σ_{t : idx[i, t] ≠ 0} W[idx[i, t], :]      n_i = |{t : idx[i, t] ≠ 0}|, out = 0 when n_i = 0
 * </pre>
 *
 * or, with {@link Pooling#SQRT_COUNT}, the sum scaled by 1/√n_i.
 * <p>
 * Input: indices [minibatch, T] (or [minibatch, 1, T]), each in [0, nIn); for bigram-bag the word indices followed by
 * the hashed bigram indices, offset past the vocabulary. Output: feed-forward [minibatch, nOut]. Parameters and
 * initialization are {@link FastEmbedding}'s, but W is 'c' ordered ({@link FastEmbeddingParamInitializer#rowMajor()}).
 * A mask array is rejected. Identity activation only, no layer dropout; FLOAT and DOUBLE networks.
 */
public class BagEmbedding extends CustomLayer {

    /** How the sum of a review's rows is scaled: by 1/n (the mean) or by 1/√n (n = its non-padding indices). */
    public enum Pooling { MEAN, SQRT_COUNT }

    private Pooling pooling = Pooling.MEAN;

    /** For JSON deserialization only. */
    public BagEmbedding() {
    }

    protected BagEmbedding(Builder builder) {
        super(builder);
        this.pooling = builder.pooling;
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
    protected BaseLayer<?> implementation(NeuralNetConfiguration conf, DataType networkDataType) {
        return new BagEmbeddingLayer(conf, networkDataType);
    }

    @Override
    public ParamInitializer initializer() {
        return FastEmbeddingParamInitializer.rowMajor();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        checkIndexInput(layerIndex, inputType);
        return InputType.feedForward(getNOut());
    }

    @Override
    protected Map<String, Object> settings() {
        return settings("pooling", pooling);
    }

    public static class Builder extends IdentityBuilder<Builder> {
        private Pooling pooling = Pooling.MEAN;

        public Builder() {
        }

        /** Builder with the number of indices (nIn) and embedding size (nOut) set. */
        public Builder(long nIn, long nOut) {
            super(nIn, nOut);
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
            checkIdentityWithoutDropout("BagEmbedding");
            return new BagEmbedding(this);
        }
    }
}

package reviewnet.nn.layers;

import reviewnet.nn.recurrent.FusedSimpleRnnLayer;
import reviewnet.nn.recurrent.FusedRecurrentParamInitializer;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Keras {@code SimpleRNN(units)}, see {@link FusedRecurrent} and {@link FusedSimpleRnnLayer} ("Fused" keeps the name
 * apart from DL4J's {@code SimpleRnn}, which computes the same function):
 *
 * <pre>
 *   h_t = act(x_t · W + h_{t-1} · RW + b),   h_{-1} = 0      W [nIn, nOut], RW [nOut, nOut], b [1, nOut]
 * </pre>
 *
 * Activation functions must be element-wise (tanh takes a faster path).
 */
public class FusedSimpleRnn extends FusedRecurrent {

    private static final FusedRecurrentParamInitializer PARAMS =
            new FusedRecurrentParamInitializer("FusedSimpleRnn", 1, FusedRecurrentParamInitializer.BIAS_KEY);

    /** For JSON deserialization only. */
    public FusedSimpleRnn() {
    }

    protected FusedSimpleRnn(Builder builder) {
        super(builder);
        validate();
    }

    @Override
    public String kind() {
        return "FusedSimpleRnn";
    }

    @Override
    public BaseLayer<?> newLayer(NeuralNetConfiguration conf, DataType networkDataType) {
        return new FusedSimpleRnnLayer(conf, networkDataType);
    }

    @Override
    public ParamInitializer initializer() {
        return PARAMS;
    }

    /** Inference: the input copy and the states; training: the states and act', then the gradients and dL/dx. */
    @Override
    protected long[] memoryPerStep() {
        return new long[]{getNIn() + getNOut(), (getNIn() + 2 * getNOut()) + (getNOut() + getNIn())};
    }

    public static class Builder extends FusedRecurrent.Builder<Builder> {

        public Builder() {
        }

        /** Builder with nIn and nOut set. */
        public Builder(long nIn, long nOut) {
            super(nIn, nOut);
        }

        @Override
        public FusedSimpleRnn build() {
            return new FusedSimpleRnn(this);
        }
    }
}

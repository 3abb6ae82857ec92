package reviewnet.nn.layers;

import reviewnet.nn.recurrent.GRULayer;
import reviewnet.nn.recurrent.FusedRecurrentParamInitializer;

import java.util.Objects;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Keras {@code GRU(reset_after=True)} (the TF2 default), see {@link FusedRecurrent} and {@link GRULayer}:
 *
 * <pre>
 *   x_proj = x_t · W + b,  h_proj = h_{t-1} · RW + rb   W [nIn, 3·nOut], RW [nOut, 3·nOut], b, rb [1, 3·nOut]
 *   z = gate(x_z + h_z),  r = gate(x_r + h_r),  hh = act(x_h + r ⊙ h_h),  h_t = z ⊙ h_{t-1} + (1 − z) ⊙ hh
 * </pre>
 *
 * Gate blocks in Keras' order z, r, h. Activation functions must be element-wise (sigmoid/tanh take a faster path).
 */
public class GRU extends FusedRecurrent {

    /** Gate blocks z | r | h; the input bias b and Keras' recurrent bias rb (reset_after=True). */
    static final FusedRecurrentParamInitializer PARAMS = new FusedRecurrentParamInitializer("GRU", 3,
            FusedRecurrentParamInitializer.BIAS_KEY, FusedRecurrentParamInitializer.RECURRENT_BIAS_KEY);

    private IActivation gateActivationFn = new ActivationSigmoid();
    private boolean orthogonalPerGate = false;

    /** For JSON deserialization only. */
    public GRU() {
    }

    protected GRU(Builder builder) {
        super(builder);
        this.gateActivationFn = builder.gateActivationFn;
        this.orthogonalPerGate = builder.orthogonalPerGate;
        validate();
    }

    @Override
    public String kind() {
        return "GRU";
    }

    @Override
    public BaseLayer<?> newLayer(NeuralNetConfiguration conf, DataType networkDataType) {
        return new GRULayer(conf, networkDataType);
    }

    @Override
    public ParamInitializer initializer() {
        return PARAMS;
    }

    @Override
    public boolean orthogonalPerGate() {
        return orthogonalPerGate;
    }

    /**
     * Inference: the input copy, the input projections (as computed and by step) and the states; training: 5 rows per
     * step, then the epsilon, the gate gradients (by step and regrouped), the states' copy and dL/dx.
     */
    @Override
    protected long[] memoryPerStep() {
        long n = getNOut(), nIn = getNIn();
        return new long[]{nIn + 6 * n + n, (nIn + 6 * n + 5 * n) + (n + 8 * n + n + nIn)};
    }

    public IActivation getGateActivationFn() {
        return gateActivationFn;
    }

    public void setGateActivationFn(IActivation gateActivationFn) {
        this.gateActivationFn = gateActivationFn;
    }

    public boolean isOrthogonalPerGate() {
        return orthogonalPerGate;
    }

    public void setOrthogonalPerGate(boolean orthogonalPerGate) {
        this.orthogonalPerGate = orthogonalPerGate;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GRU) || !super.equals(o)) {
            return false;
        }
        GRU other = (GRU) o;
        return orthogonalPerGate == other.orthogonalPerGate && Objects.equals(gateActivationFn, other.gateActivationFn);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), gateActivationFn, orthogonalPerGate);
    }

    @Override
    protected String fieldsToString() {
        return ", gateActivationFn=" + gateActivationFn + ", orthogonalPerGate=" + orthogonalPerGate;
    }

    public static class Builder extends FusedRecurrent.Builder<Builder> {
        private IActivation gateActivationFn = new ActivationSigmoid();
        private boolean orthogonalPerGate = false;

        public Builder() {
        }

        /** Builder with nIn and nOut set. */
        public Builder(long nIn, long nOut) {
            super(nIn, nOut);
        }

        /** Activation of the update and reset gates (default sigmoid, like Keras recurrent_activation). */
        public Builder gateActivationFunction(Activation gateActivationFn) {
            return gateActivationFunction(gateActivationFn.getActivationFunction());
        }

        /** Activation of the update and reset gates (default sigmoid, like Keras recurrent_activation). */
        public Builder gateActivationFunction(IActivation gateActivationFn) {
            this.gateActivationFn = gateActivationFn;
            return this;
        }

        /**
         * false (default): the whole [nOut, 3·nOut] recurrent matrix is orthogonal like Keras (RW·RWᵀ = I);
         * true: each [nOut, nOut] gate block is an orthogonal matrix. Ignored when weightInitRecurrent is set.
         */
        public Builder orthogonalPerGate(boolean orthogonalPerGate) {
            this.orthogonalPerGate = orthogonalPerGate;
            return this;
        }

        @Override
        public GRU build() {
            return new GRU(this);
        }
    }
}

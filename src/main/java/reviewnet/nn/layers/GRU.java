package reviewnet.nn.layers;

import reviewnet.nn.recurrent.GRULayer;
import reviewnet.nn.recurrent.FusedRecurrentParamInitializer;

import java.util.Objects;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Configuration of a GRU recurrent layer with the semantics of Keras {@code GRU(reset_after=True)} (the TF2 default,
 * the "cuDNN compatible" variant):
 *
 * <pre>
 *   x_proj = x_t · W + b                     W  [nIn, 3·nOut],  b  [1, 3·nOut]
 *   h_proj = h_{t-1} · RW + rb               RW [nOut, 3·nOut], rb [1, 3·nOut]
 *   z  = gate(x_z + h_z)                      update gate
 *   r  = gate(x_r + h_r)                      reset gate
 *   hh = act(x_h + r ⊙ h_h)                   candidate (reset applied AFTER the recurrent matmul)
 *   h_t = z ⊙ h_{t-1} + (1 − z) ⊙ hh
 * </pre>
 *
 * Gate blocks inside the {@code 3·nOut} columns are ordered z, r, h as in Keras, so Keras weights
 * ({@code kernel}, {@code recurrent_kernel}, {@code bias[0]}, {@code bias[1]}) map 1:1 onto W, RW, b, rb.
 * <p>
 * Defaults: activation tanh, gate activation sigmoid, input weights Xavier/Glorot uniform (fanIn = nIn,
 * fanOut = 3·nOut, like Keras), recurrent weights orthogonal like Keras {@code recurrent_initializer='orthogonal'}
 * (applied to the whole [nOut, 3·nOut] matrix, i.e. RW·RWᵀ = I) unless {@link Builder#orthogonalPerGate(boolean)} or
 * {@link Builder#weightInitRecurrent} says otherwise, biases {@code biasInit} (0 unless configured).
 * Note: because the builder sets the Xavier-uniform default on the layer itself, a global
 * {@code NeuralNetConfiguration.Builder.weightInit(...)} does not override it; set it on the GRU builder instead.
 * <p>
 * Output: by default the whole sequence ({@code [mb, nOut, T]} NCW or {@code [mb, T, nOut]} NWC, Keras
 * {@code return_sequences=True}). With {@link Builder#returnSequences(boolean) returnSequences(false)} only the last
 * state {@code [mb, nOut]} (a feed-forward activation; the mask is consumed), which equals DL4J's
 * {@code LastTimeStep} around the full-sequence layer, also with masks, but avoids building the full output and
 * back-propagating its mostly-zero epsilon. A configuration saved without the setting returns sequences.
 * <p>
 * Masking (per-time-step mask [minibatch, T]): masked steps output 0. By default ({@code carryStateOnMask=true},
 * Keras semantics) the hidden state is carried unchanged through masked steps. With {@code carryStateOnMask=false}
 * the state is reset to 0 at masked steps, which is what DL4J's own SimpleRnn/LSTM do in 1.0.0-M2. Both give the same
 * outputs at unmasked steps for contiguous (pre- or post-) padding. {@code returnSequences=false} requires
 * {@code carryStateOnMask=true} (the last state is the output of the last unmasked step only then).
 * <p>
 * Activation functions must be element-wise (tanh/sigmoid take a faster path; others work through
 * {@code IActivation}). Truncated BPTT is not supported.
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

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long n = getNOut();
        long nIn = getNIn();
        // Per example and step, in elements (see GRULayer): inference keeps the input copy, the input projections
        // and the states; training additionally keeps 5 rows per step for backprop, and backprop adds the epsilon
        // copy, the per-step gradients (4 rows) and dL/dx.
        return memoryReport(inputType, nIn + 3 * n + n, (nIn + 3 * n + 5 * n) + (n + 4 * n + nIn));
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

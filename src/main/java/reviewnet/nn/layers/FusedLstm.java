package reviewnet.nn.layers;

import reviewnet.nn.recurrent.FusedLstmLayer;
import reviewnet.nn.recurrent.FusedRecurrentParamInitializer;

import java.util.Objects;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Configuration of an LSTM layer with the semantics of Keras {@code LSTM(units)} (no peepholes), implemented by
 * {@link FusedLstmLayer} with a few fused native calls per step instead of DL4J's own {@code LSTM} layer:
 *
 * <pre>
 *   x_proj = x_t · W + b                     W  [nIn, 4·nOut],  b [1, 4·nOut]
 *   h_proj = h_{t-1} · RW                    RW [nOut, 4·nOut]
 *   i = σ(x_i + h_i)   f = σ(x_f + h_f)   g = tanh(x_c + h_c)   o = σ(x_o + h_o)
 *   c_t = f ⊙ c_{t-1} + i ⊙ g
 *   h_t = o ⊙ tanh(c_t)                       h_0 = c_0 = 0
 * </pre>
 *
 * Gate blocks inside the {@code 4·nOut} columns are ordered i, f, c, o as in Keras, so Keras weights
 * ({@code kernel}, {@code recurrent_kernel}, {@code bias}) map 1:1 onto W, RW, b. The activations are fixed to
 * tanh / sigmoid (Keras' defaults); the builder rejects any other activation.
 * <p>
 * Defaults: input weights Glorot uniform (fanIn = nIn, fanOut = 4·nOut, like Keras), recurrent weights orthogonal
 * like Keras {@code recurrent_initializer='orthogonal'} (the whole [nOut, 4·nOut] matrix, RW·RWᵀ = I) unless
 * {@link Builder#weightInitRecurrent} says otherwise, bias {@code biasInit} (0 unless configured) except the forget
 * gate block, which starts at {@link Builder#forgetGateBiasInit} (1, Keras {@code unit_forget_bias=True}).
 * Because the builder sets the Glorot default on the layer itself, a global
 * {@code NeuralNetConfiguration.Builder.weightInit(...)} does not override it.
 * <p>
 * Output: by default the whole sequence ({@code [mb, nOut, T]} NCW or {@code [mb, T, nOut]} NWC, Keras
 * {@code return_sequences=True}). With {@link Builder#returnSequences(boolean) returnSequences(false)} only the last
 * state {@code [mb, nOut]} (a feed-forward activation; the mask is consumed), which equals DL4J's
 * {@code LastTimeStep} around the full-sequence layer, also with masks, but avoids building the full output and
 * back-propagating its mostly-zero epsilon.
 * <p>
 * Masking (per-time-step mask [minibatch, T]): masked steps output 0. By default ({@code carryStateOnMask=true},
 * Keras semantics) h and c are carried unchanged through masked steps; with {@code carryStateOnMask=false} they are
 * reset to 0 at masked steps (DL4J's own LSTM in 1.0.0-M2). Returning only the last step needs the carried state
 * (it is the output of the last unmasked step only then), so {@code returnSequences=false} requires
 * {@code carryStateOnMask=true}. Truncated BPTT is not supported.
 */
public class FusedLstm extends FusedRecurrent {

    /** Gate blocks i | f | c | o, one bias. */
    private static final FusedRecurrentParamInitializer PARAMS =
            new FusedRecurrentParamInitializer("FusedLstm", 4, FusedRecurrentParamInitializer.BIAS_KEY);

    private double forgetGateBiasInit = 1.0;

    /** For JSON deserialization only. */
    public FusedLstm() {
    }

    protected FusedLstm(Builder builder) {
        super(builder);
        this.forgetGateBiasInit = builder.forgetGateBiasInit;
        validate();
    }

    @Override
    public String kind() {
        return "FusedLstm";
    }

    @Override
    protected void validate() {
        if (getActivationFn() != null && getActivationFn().getClass() != ActivationTanH.class) {
            throw new IllegalArgumentException("FusedLstm: only the tanh activation is supported, got " + getActivationFn());
        }
        super.validate();
    }

    @Override
    public BaseLayer<?> newLayer(NeuralNetConfiguration conf, DataType networkDataType) {
        return new FusedLstmLayer(conf, networkDataType);
    }

    @Override
    public ParamInitializer initializer() {
        return PARAMS;
    }

    /** Keras' unit_forget_bias: the forget gate's block starts at forgetGateBiasInit (1 by default). */
    @Override
    public void initBiases(Map<String, INDArray> params) {
        long nOut = getNOut();
        params.get(FusedRecurrentParamInitializer.BIAS_KEY)
                .get(NDArrayIndex.point(0), NDArrayIndex.interval(nOut, 2 * nOut)).assign(forgetGateBiasInit);
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long n = getNOut();
        long nIn = getNIn();
        // Per example and step, in elements (see FusedLstmLayer): inference keeps the input copy, the input
        // projections (as computed and regrouped by step) and the states; training keeps 7 rows per step instead of
        // the states, and backprop adds the epsilon copy, the gate gradients (by step and regrouped), a copy of the
        // states and dL/dx.
        return memoryReport(inputType, nIn + 8 * n + n, (nIn + 8 * n + 7 * n) + (n + 8 * n + n + nIn));
    }

    public double getForgetGateBiasInit() {
        return forgetGateBiasInit;
    }

    public void setForgetGateBiasInit(double forgetGateBiasInit) {
        this.forgetGateBiasInit = forgetGateBiasInit;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FusedLstm) || !super.equals(o)) {
            return false;
        }
        return Double.compare(forgetGateBiasInit, ((FusedLstm) o).forgetGateBiasInit) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), forgetGateBiasInit);
    }

    @Override
    protected String fieldsToString() {
        return ", forgetGateBiasInit=" + forgetGateBiasInit;
    }

    public static class Builder extends FusedRecurrent.Builder<Builder> {
        private double forgetGateBiasInit = 1.0;

        public Builder() {
        }

        /** Builder with nIn and nOut set. */
        public Builder(long nIn, long nOut) {
            super(nIn, nOut);
        }

        /** Initial bias of the forget gate block (default 1, Keras unit_forget_bias=True). */
        public Builder forgetGateBiasInit(double forgetGateBiasInit) {
            this.forgetGateBiasInit = forgetGateBiasInit;
            return this;
        }

        @Override
        public FusedLstm build() {
            return new FusedLstm(this);
        }
    }
}

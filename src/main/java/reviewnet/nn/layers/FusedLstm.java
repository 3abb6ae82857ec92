package reviewnet.nn.layers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
public class FusedLstm extends BaseRecurrentLayer {

    private double forgetGateBiasInit = 1.0;
    private boolean carryStateOnMask = true;
    private boolean returnSequences = true;

    /** For JSON deserialization only. */
    public FusedLstm() {
    }

    protected FusedLstm(Builder builder) {
        super(builder);
        this.forgetGateBiasInit = builder.forgetGateBiasInit;
        this.carryStateOnMask = builder.carryStateOnMask;
        this.returnSequences = builder.returnSequences;
        initializeConstraints(builder);
        validate();
    }

    /** Rejects settings the implementation does not support (called by the builder and on instantiation). */
    void validate() {
        if (getActivationFn() != null && getActivationFn().getClass() != ActivationTanH.class) {
            throw new IllegalArgumentException("FusedLstm: only the tanh activation is supported, got " + getActivationFn());
        }
        if (!returnSequences && !carryStateOnMask) {
            throw new IllegalArgumentException(
                    "FusedLstm: returnSequences=false needs carryStateOnMask=true (the last state is the last unmasked output only then)");
        }
    }

    @Override
    protected void initializeConstraints(org.deeplearning4j.nn.conf.layers.Layer.Builder<?> builder) {
        super.initializeConstraints(builder);
        Builder b = (Builder) builder;
        addConstraints(b.getRecurrentConstraints(), FusedLstmParamInitializer.RECURRENT_WEIGHT_KEY);
        addConstraints(b.getInputWeightConstraints(), FusedLstmParamInitializer.WEIGHT_KEY);
    }

    private void addConstraints(List<LayerConstraint> cs, String param) {
        if (cs == null || cs.isEmpty()) {
            return;
        }
        if (constraints == null) {
            constraints = new ArrayList<>();
        }
        for (LayerConstraint c : cs) {
            LayerConstraint c2 = c.clone();
            c2.setParams(Collections.singleton(param));
            constraints.add(c2);
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("FusedLstm", getLayerName(), layerIndex, getNIn(), getNOut());
        validate();
        FusedLstmLayer ret = new FusedLstmLayer(conf, networkDataType);
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
        return FusedLstmParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType seq = super.getOutputType(layerIndex, inputType);   // validates the (recurrent) input type
        return returnSequences ? seq : InputType.feedForward(getNOut());
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType.InputTypeRecurrent itr = (InputType.InputTypeRecurrent) inputType;
        long t = Math.max(1, itr.getTimeSeriesLength());
        long n = getNOut();
        long nIn = getNIn();
        InputType outputType = getOutputType(-1, inputType);
        long numParams = initializer().numParams(this);
        long updaterSize = getIUpdater() == null ? 0 : getIUpdater().stateSize(numParams);
        // Per example, in elements (see FusedLstmLayer): inference keeps the input copy, the input projections (as
        // computed and regrouped by step) and the states; training keeps 7 rows per step instead of the states, and
        // backprop adds the epsilon copy, the gate gradients (by step and regrouped), a copy of the states and dL/dx.
        long fwdPerEx = t * (nIn + 8 * n + n);
        long trainPerEx = t * (nIn + 8 * n + 7 * n) + t * (n + 8 * n + n + nIn);
        Map<CacheMode, Long> trainVar = new HashMap<>();
        for (CacheMode cm : CacheMode.values()) {
            trainVar.put(cm, trainPerEx);
        }
        return new LayerMemoryReport.Builder(getLayerName(), FusedLstm.class, inputType, outputType)
                .standardMemory(numParams, updaterSize)
                .workingMemory(0, fwdPerEx, MemoryReport.CACHE_MODE_ALL_ZEROS, trainVar)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    public double getForgetGateBiasInit() {
        return forgetGateBiasInit;
    }

    public void setForgetGateBiasInit(double forgetGateBiasInit) {
        this.forgetGateBiasInit = forgetGateBiasInit;
    }

    public boolean isCarryStateOnMask() {
        return carryStateOnMask;
    }

    public void setCarryStateOnMask(boolean carryStateOnMask) {
        this.carryStateOnMask = carryStateOnMask;
    }

    public boolean isReturnSequences() {
        return returnSequences;
    }

    public void setReturnSequences(boolean returnSequences) {
        this.returnSequences = returnSequences;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof FusedLstm)) {
            return false;
        }
        FusedLstm other = (FusedLstm) o;
        if (!other.canEqual(this) || !super.equals(o)) {
            return false;
        }
        return Double.compare(forgetGateBiasInit, other.forgetGateBiasInit) == 0
                && carryStateOnMask == other.carryStateOnMask
                && returnSequences == other.returnSequences;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof FusedLstm;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), forgetGateBiasInit, carryStateOnMask, returnSequences);
    }

    @Override
    public String toString() {
        return "FusedLstm(super=" + super.toString() + ", forgetGateBiasInit=" + forgetGateBiasInit
                + ", carryStateOnMask=" + carryStateOnMask + ", returnSequences=" + returnSequences + ")";
    }

    public static class Builder extends BaseRecurrentLayer.Builder<Builder> {
        private double forgetGateBiasInit = 1.0;
        private boolean carryStateOnMask = true;
        private boolean returnSequences = true;

        public Builder() {
            activation(Activation.TANH);
            weightInit(WeightInit.XAVIER_UNIFORM);
        }

        /** Builder with nIn and nOut set. */
        public Builder(long nIn, long nOut) {
            this();
            nIn(nIn);
            nOut(nOut);
        }

        /** Initial bias of the forget gate block (default 1, Keras unit_forget_bias=True). */
        public Builder forgetGateBiasInit(double forgetGateBiasInit) {
            this.forgetGateBiasInit = forgetGateBiasInit;
            return this;
        }

        /**
         * true (default): masked steps output 0 and carry h and c unchanged (Keras semantics);
         * false: masked steps output 0 and reset h and c to 0 (DL4J LSTM semantics in 1.0.0-M2).
         */
        public Builder carryStateOnMask(boolean carryStateOnMask) {
            this.carryStateOnMask = carryStateOnMask;
            return this;
        }

        /**
         * true (default): output every step, [mb, nOut, T] / [mb, T, nOut]; false: output only the last (carried)
         * state [mb, nOut], like Keras return_sequences=False or DL4J's LastTimeStep around this layer.
         */
        public Builder returnSequences(boolean returnSequences) {
            this.returnSequences = returnSequences;
            return this;
        }

        public double getForgetGateBiasInit() {
            return forgetGateBiasInit;
        }

        public void setForgetGateBiasInit(double forgetGateBiasInit) {
            this.forgetGateBiasInit = forgetGateBiasInit;
        }

        public boolean isCarryStateOnMask() {
            return carryStateOnMask;
        }

        public void setCarryStateOnMask(boolean carryStateOnMask) {
            this.carryStateOnMask = carryStateOnMask;
        }

        public boolean isReturnSequences() {
            return returnSequences;
        }

        public void setReturnSequences(boolean returnSequences) {
            this.returnSequences = returnSequences;
        }

        @Override
        public FusedLstm build() {
            return new FusedLstm(this);
        }
    }
}

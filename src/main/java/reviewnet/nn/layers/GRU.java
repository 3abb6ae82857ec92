package reviewnet.nn.layers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
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
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
 * Masking (per-time-step mask [minibatch, T]): masked steps output 0. By default ({@code carryStateOnMask=true},
 * Keras semantics) the hidden state is carried unchanged through masked steps. With {@code carryStateOnMask=false}
 * the state is reset to 0 at masked steps, which is what DL4J's own SimpleRnn/LSTM do in 1.0.0-M2. Both give the same
 * outputs at unmasked steps for contiguous (pre- or post-) padding.
 * <p>
 * Activation functions must be element-wise (tanh/sigmoid take a faster path; others work through
 * {@code IActivation}). Truncated BPTT is not supported.
 */
public class GRU extends BaseRecurrentLayer {

    private IActivation gateActivationFn = new ActivationSigmoid();
    private boolean carryStateOnMask = true;
    private boolean orthogonalPerGate = false;

    /** For JSON deserialization only. */
    public GRU() {
    }

    protected GRU(Builder builder) {
        super(builder);
        this.gateActivationFn = builder.gateActivationFn;
        this.carryStateOnMask = builder.carryStateOnMask;
        this.orthogonalPerGate = builder.orthogonalPerGate;
        initializeConstraints(builder);
    }

    @Override
    protected void initializeConstraints(org.deeplearning4j.nn.conf.layers.Layer.Builder<?> builder) {
        super.initializeConstraints(builder);
        Builder b = (Builder) builder;
        addConstraints(b.getRecurrentConstraints(), GRUParamInitializer.RECURRENT_WEIGHT_KEY);
        addConstraints(b.getInputWeightConstraints(), GRUParamInitializer.WEIGHT_KEY);
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
        LayerValidation.assertNInNOutSet("GRU", getLayerName(), layerIndex, getNIn(), getNOut());
        GRULayer ret = new GRULayer(conf, networkDataType);
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
        return GRUParamInitializer.getInstance();
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
        // Per example, in elements (see GRULayer): inference keeps the input copy, the input projections and the
        // states; training additionally keeps 5 rows per step for backprop, and backprop adds the epsilon copy,
        // the per-step gradients (4 rows) and dL/dx.
        long fwdPerEx = t * (nIn + 3 * n + n);
        long trainPerEx = t * (nIn + 3 * n + 5 * n) + t * (n + 4 * n + nIn);
        Map<CacheMode, Long> trainVar = new java.util.HashMap<>();
        for (CacheMode cm : CacheMode.values()) {
            trainVar.put(cm, trainPerEx);
        }
        return new LayerMemoryReport.Builder(getLayerName(), GRU.class, inputType, outputType)
                .standardMemory(numParams, updaterSize)
                .workingMemory(0, fwdPerEx, MemoryReport.CACHE_MODE_ALL_ZEROS, trainVar)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    public IActivation getGateActivationFn() {
        return gateActivationFn;
    }

    public void setGateActivationFn(IActivation gateActivationFn) {
        this.gateActivationFn = gateActivationFn;
    }

    public boolean isCarryStateOnMask() {
        return carryStateOnMask;
    }

    public void setCarryStateOnMask(boolean carryStateOnMask) {
        this.carryStateOnMask = carryStateOnMask;
    }

    public boolean isOrthogonalPerGate() {
        return orthogonalPerGate;
    }

    public void setOrthogonalPerGate(boolean orthogonalPerGate) {
        this.orthogonalPerGate = orthogonalPerGate;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof GRU)) {
            return false;
        }
        GRU other = (GRU) o;
        if (!other.canEqual(this) || !super.equals(o)) {
            return false;
        }
        return carryStateOnMask == other.carryStateOnMask
                && orthogonalPerGate == other.orthogonalPerGate
                && Objects.equals(gateActivationFn, other.gateActivationFn);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof GRU;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), gateActivationFn, carryStateOnMask, orthogonalPerGate);
    }

    @Override
    public String toString() {
        return "GRU(super=" + super.toString() + ", gateActivationFn=" + gateActivationFn
                + ", carryStateOnMask=" + carryStateOnMask + ", orthogonalPerGate=" + orthogonalPerGate + ")";
    }

    public static class Builder extends BaseRecurrentLayer.Builder<Builder> {
        private IActivation gateActivationFn = new ActivationSigmoid();
        private boolean carryStateOnMask = true;
        private boolean orthogonalPerGate = false;

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
         * true (default): masked steps output 0 and carry the hidden state unchanged (Keras semantics);
         * false: masked steps output 0 and reset the state to 0 (DL4J SimpleRnn/LSTM semantics in 1.0.0-M2).
         */
        public Builder carryStateOnMask(boolean carryStateOnMask) {
            this.carryStateOnMask = carryStateOnMask;
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

        public IActivation getGateActivationFn() {
            return gateActivationFn;
        }

        public void setGateActivationFn(IActivation gateActivationFn) {
            this.gateActivationFn = gateActivationFn;
        }

        public boolean isCarryStateOnMask() {
            return carryStateOnMask;
        }

        public void setCarryStateOnMask(boolean carryStateOnMask) {
            this.carryStateOnMask = carryStateOnMask;
        }

        public boolean isOrthogonalPerGate() {
            return orthogonalPerGate;
        }

        public void setOrthogonalPerGate(boolean orthogonalPerGate) {
            this.orthogonalPerGate = orthogonalPerGate;
        }

        @Override
        public GRU build() {
            return new GRU(this);
        }
    }
}

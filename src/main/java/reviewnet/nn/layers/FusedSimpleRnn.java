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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a fully connected recurrent layer with the semantics of Keras {@code SimpleRNN(units)}:
 *
 * <pre>
 *   h_t = act(x_t · W + h_{t-1} · RW + b),   h_{-1} = 0      W [nIn, nOut], RW [nOut, nOut], b [1, nOut]
 * </pre>
 *
 * Keras weights ({@code kernel}, {@code recurrent_kernel}, {@code bias}) map 1:1 onto W, RW, b. It computes the same
 * function as DL4J's own {@code SimpleRnn} (without layer norm) with the same parameter count, but forward and backward
 * are written by hand with a few native calls per time step (see {@link FusedSimpleRnnLayer}); "Fused" keeps the name
 * apart from DL4J's class.
 * <p>
 * Defaults: activation tanh, input weights Xavier/Glorot uniform, recurrent weights orthogonal like Keras
 * {@code recurrent_initializer='orthogonal'} unless {@link Builder#weightInitRecurrent} says otherwise, bias
 * {@code biasInit} (0 unless configured). As for {@link GRU}, the builder sets the Xavier-uniform default on the layer
 * itself, so a global {@code NeuralNetConfiguration.Builder.weightInit(...)} does not override it.
 * <p>
 * Output: by default the whole sequence ([minibatch, nOut, T] for NCW, [minibatch, T, nOut] for NWC), like every DL4J
 * recurrent layer. With {@link Builder#returnSequences(boolean) returnSequences(false)} (Keras
 * {@code return_sequences=False}) only the last state [minibatch, nOut] is returned, which is what
 * {@code LastTimeStep(FusedSimpleRnn)} computes, without building the full output sequence and the mostly-zero
 * epsilon that the wrapper needs.
 * <p>
 * Masking (per-time-step mask [minibatch, T]): masked steps output 0. By default ({@code carryStateOnMask=true}, Keras
 * semantics) the state is carried unchanged through masked steps, so the last state is the state of the last unmasked
 * step; with {@code carryStateOnMask=false} the state is reset to 0 at masked steps (DL4J's SimpleRnn in 1.0.0-M2).
 * The reset semantics is only available with {@code returnSequences=true}: its last state is not the output of the
 * last unmasked step.
 * <p>
 * Activation functions must be element-wise (tanh takes a faster path; others work through {@code IActivation}).
 * Truncated BPTT is not supported.
 */
public class FusedSimpleRnn extends BaseRecurrentLayer {

    private boolean carryStateOnMask = true;
    private boolean returnSequences = true;

    /** For JSON deserialization only. */
    public FusedSimpleRnn() {
    }

    protected FusedSimpleRnn(Builder builder) {
        super(builder);
        this.carryStateOnMask = builder.carryStateOnMask;
        this.returnSequences = builder.returnSequences;
        initializeConstraints(builder);
    }

    @Override
    protected void initializeConstraints(org.deeplearning4j.nn.conf.layers.Layer.Builder<?> builder) {
        super.initializeConstraints(builder);
        Builder b = (Builder) builder;
        addConstraints(b.getRecurrentConstraints(), FusedSimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY);
        addConstraints(b.getInputWeightConstraints(), FusedSimpleRnnParamInitializer.WEIGHT_KEY);
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
        LayerValidation.assertNInNOutSet("FusedSimpleRnn", getLayerName(), layerIndex, getNIn(), getNOut());
        FusedSimpleRnnLayer ret = new FusedSimpleRnnLayer(conf, networkDataType);
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
        return FusedSimpleRnnParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType sequence = super.getOutputType(layerIndex, inputType);
        return returnSequences ? sequence : InputType.feedForward(getNOut());
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
        // Per example, in elements (see FusedSimpleRnnLayer): inference keeps the input copy and the states;
        // training keeps the states and act' (2 rows per step), and backprop adds the per-step gradients and dL/dx.
        long fwdPerEx = t * (nIn + n);
        long trainPerEx = t * (nIn + 2 * n) + t * (n + nIn);
        Map<CacheMode, Long> trainVar = new HashMap<>();
        for (CacheMode cm : CacheMode.values()) {
            trainVar.put(cm, trainPerEx);
        }
        return new LayerMemoryReport.Builder(getLayerName(), FusedSimpleRnn.class, inputType, outputType)
                .standardMemory(numParams, updaterSize)
                .workingMemory(0, fwdPerEx, MemoryReport.CACHE_MODE_ALL_ZEROS, trainVar)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
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
        if (!(o instanceof FusedSimpleRnn)) {
            return false;
        }
        FusedSimpleRnn other = (FusedSimpleRnn) o;
        if (!other.canEqual(this) || !super.equals(o)) {
            return false;
        }
        return carryStateOnMask == other.carryStateOnMask && returnSequences == other.returnSequences;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof FusedSimpleRnn;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), carryStateOnMask, returnSequences);
    }

    @Override
    public String toString() {
        return "FusedSimpleRnn(super=" + super.toString() + ", carryStateOnMask=" + carryStateOnMask
                + ", returnSequences=" + returnSequences + ")";
    }

    public static class Builder extends BaseRecurrentLayer.Builder<Builder> {
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

        /**
         * true (default): masked steps output 0 and carry the state unchanged (Keras semantics);
         * false: masked steps output 0 and reset the state to 0 (DL4J SimpleRnn semantics in 1.0.0-M2).
         */
        public Builder carryStateOnMask(boolean carryStateOnMask) {
            this.carryStateOnMask = carryStateOnMask;
            return this;
        }

        /**
         * true (default): output the whole sequence; false: output only the last state [minibatch, nOut] (Keras
         * {@code return_sequences=False}, the same as wrapping the layer in DL4J's LastTimeStep).
         */
        public Builder returnSequences(boolean returnSequences) {
            this.returnSequences = returnSequences;
            return this;
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
        public FusedSimpleRnn build() {
            if (!returnSequences && !carryStateOnMask) {
                throw new IllegalStateException("FusedSimpleRnn: returnSequences(false) needs carryStateOnMask(true): "
                        + "with the state reset on masked steps the last state is not the last unmasked output");
            }
            return new FusedSimpleRnn(this);
        }
    }
}

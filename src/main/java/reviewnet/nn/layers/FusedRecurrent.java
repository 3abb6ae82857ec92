package reviewnet.nn.layers;

import reviewnet.nn.recurrent.FusedRecurrentParamInitializer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the configurations of our fused recurrent layers ({@link FusedSimpleRnn}, {@link FusedLstm}, {@link GRU},
 * {@link Bidirectional}) share. Keras weights map 1:1 onto W, RW and the biases. Defaults: activation tanh, input
 * weights Xavier/Glorot uniform set on the layer itself (so a global {@code weightInit(...)} does not override it),
 * recurrent weights orthogonal like Keras unless {@code weightInitRecurrent} is set, biases {@code biasInit}.
 * <p>
 * Output: the whole sequence ([mb, nOut, T] NCW or [mb, T, nOut] NWC), or with {@code returnSequences=false} only the
 * last state [mb, nOut] (what DL4J's {@code LastTimeStep} gives, without the full output and its mostly-zero epsilon).
 * Masking ([mb, T]): masked steps output 0; {@code carryStateOnMask=true} (default, Keras) carries the state through
 * them, false resets it to 0 (DL4J's SimpleRnn/LSTM in 1.0.0-M2). {@code returnSequences=false} requires the carried
 * state: only then is the last state the output of the last unmasked step. Truncated BPTT is not supported. The JSON
 * property names are those of saved models; an absent property keeps its default.
 */
public abstract class FusedRecurrent extends BaseRecurrentLayer {

    private boolean carryStateOnMask = true;
    private boolean returnSequences = true;

    /** For JSON deserialization only. */
    protected FusedRecurrent() {
    }

    protected FusedRecurrent(Builder<?> builder) {
        super(builder);
        this.carryStateOnMask = builder.carryStateOnMask;
        this.returnSequences = builder.returnSequences;
        initializeConstraints(builder);
    }

    /** Layer name used in messages, e.g. "GRU". */
    public abstract String kind();

    /**
     * Whether the default orthogonal recurrent weights are orthogonal per [nOut, nOut] gate block instead of as a
     * whole (see {@link FusedRecurrentParamInitializer}).
     */
    public boolean orthogonalPerGate() {
        return false;
    }

    /** The cell's own initial bias blocks, after every bias was set to biasInit (none by default). */
    public void initBiases(Map<String, INDArray> params) {
    }

    /** The implementation ({@code *Layer}) for this configuration. */
    public abstract BaseLayer<?> newLayer(NeuralNetConfiguration conf, DataType networkDataType);

    /**
     * Rejects settings the implementation does not support (called by the builder and on instantiation).
     * Subclasses add their own checks and call {@code super.validate()}.
     */
    protected void validate() {
        if (!returnSequences && !carryStateOnMask) {
            throw new IllegalArgumentException(kind() + ": returnSequences=false needs carryStateOnMask=true "
                    + "(the last state is the last unmasked output only then)");
        }
    }

    @Override
    protected void initializeConstraints(org.deeplearning4j.nn.conf.layers.Layer.Builder<?> builder) {
        super.initializeConstraints(builder);
        Builder<?> b = (Builder<?>) builder;
        addConstraints(b.getRecurrentConstraints(), FusedRecurrentParamInitializer.RECURRENT_WEIGHT_KEY);
        addConstraints(b.getInputWeightConstraints(), FusedRecurrentParamInitializer.WEIGHT_KEY);
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
        LayerValidation.assertNInNOutSet(kind(), getLayerName(), layerIndex, getNIn(), getNOut());
        validate();
        return LayerWiring.wire(newLayer(conf, networkDataType), conf, trainingListeners, layerIndex, layerParamsView,
                initializeParams);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType sequence = super.getOutputType(layerIndex, inputType);   // validates the (recurrent) input type
        return returnSequences ? sequence : InputType.feedForward(getNOut());
    }

    /**
     * Working memory per example and time step, in elements: {@code [inference, training forward + backward]} (see
     * the implementations).
     */
    protected abstract long[] memoryPerStep();

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long t = Math.max(1, ((InputType.InputTypeRecurrent) inputType).getTimeSeriesLength());
        long[] perStep = memoryPerStep();
        long numParams = initializer().numParams(this);
        long updaterSize = getIUpdater() == null ? 0 : getIUpdater().stateSize(numParams);
        Map<CacheMode, Long> trainVar = new HashMap<>();
        for (CacheMode cm : CacheMode.values()) {
            trainVar.put(cm, t * perStep[1]);
        }
        return new LayerMemoryReport.Builder(getLayerName(), getClass(), inputType, getOutputType(-1, inputType))
                .standardMemory(numParams, updaterSize)
                .workingMemory(0, t * perStep[0], MemoryReport.CACHE_MODE_ALL_ZEROS, trainVar)
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

    /** Subclasses compare their own fields after {@code super.equals(o)} (which checks the class). */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof FusedRecurrent)) {
            return false;
        }
        FusedRecurrent other = (FusedRecurrent) o;
        return other.getClass() == getClass() && super.equals(o)
                && carryStateOnMask == other.carryStateOnMask
                && returnSequences == other.returnSequences;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), carryStateOnMask, returnSequences);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(super=" + super.toString() + ", carryStateOnMask=" + carryStateOnMask
                + ", returnSequences=" + returnSequences + fieldsToString() + ")";
    }

    /** The subclass' own fields for {@link #toString()}, each as {@code ", name=value"}. */
    protected String fieldsToString() {
        return "";
    }

    /** Builder settings shared by the fused recurrent layers; defaults tanh and Xavier uniform. */
    @SuppressWarnings("unchecked")
    public abstract static class Builder<T extends Builder<T>> extends BaseRecurrentLayer.Builder<T> {
        private boolean carryStateOnMask = true;
        private boolean returnSequences = true;

        protected Builder() {
            activation(Activation.TANH);
            weightInit(WeightInit.XAVIER_UNIFORM);
        }

        protected Builder(long nIn, long nOut) {
            this();
            nIn(nIn);
            nOut(nOut);
        }

        /**
         * true (default): masked steps output 0 and carry the state unchanged (Keras semantics);
         * false: masked steps output 0 and reset the state to 0 (DL4J SimpleRnn/LSTM semantics in 1.0.0-M2).
         */
        public T carryStateOnMask(boolean carryStateOnMask) {
            this.carryStateOnMask = carryStateOnMask;
            return (T) this;
        }

        /**
         * true (default): output every step, [mb, nOut, T] / [mb, T, nOut]; false: output only the last (carried)
         * state [mb, nOut], like Keras return_sequences=False or DL4J's LastTimeStep around this layer.
         */
        public T returnSequences(boolean returnSequences) {
            this.returnSequences = returnSequences;
            return (T) this;
        }

    }
}

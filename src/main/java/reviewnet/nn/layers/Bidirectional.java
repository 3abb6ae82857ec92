package reviewnet.nn.layers;

import reviewnet.nn.recurrent.BidirectionalLayer;
import reviewnet.nn.recurrent.BidirectionalParamInitializer;
import reviewnet.nn.recurrent.FusedRecurrentParamInitializer;

import java.util.Objects;
import java.util.Set;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Configuration of a bidirectional layer over any of our recurrent cells that outputs the final state of each
 * direction, concatenated: Keras {@code Bidirectional(cell, merge_mode='concat')} with return_sequences=False. Output
 * {@code [mb, 2·nOut]}: the forward direction's state after the last step, then the backward direction's state after
 * it has read the sequence from the last step back to the first. (DL4J's own {@code Bidirectional} around a
 * last-step-only layer would instead give the backward direction's state after reading only the last element.)
 * <p>
 * Each direction is the {@code cell} (its own settings, e.g. a GRU's gate activation) with this layer's nIn, nOut,
 * activation, weight initialization, biasInit and data format, and its own parameters: the forward set with the
 * cell's keys prefixed {@code f}, then the backward set prefixed {@code b} ({@link BidirectionalParamInitializer}).
 * With a mask (carried state only) the backward direction reads the time-reversed input and mask, as Keras does.
 * Not supported: {@code returnSequences=true}, weight noise, truncated BPTT and {@code rnnTimeStep}.
 */
public class Bidirectional extends FusedRecurrent {

    private FusedRecurrent cell;

    /** For JSON deserialization only. */
    public Bidirectional() {
        setReturnSequences(false);
    }

    protected Bidirectional(Builder builder) {
        super(builder);
        this.cell = builder.cell;
        validate();
    }

    /** The cell whose own settings the directions take. */
    public FusedRecurrent getCell() {
        return cell;
    }

    public void setCell(FusedRecurrent cell) {
        this.cell = cell;
    }

    @Override
    public String kind() {
        return "Bidirectional" + getCell().kind();
    }

    @Override
    protected void validate() {
        super.validate();
        if (isReturnSequences()) {
            throw new IllegalArgumentException(kind() + ": only the final states are returned "
                    + "(returnSequences=true is not supported)");
        }
        if (getWeightNoise() != null) {
            throw new IllegalArgumentException(kind() + ": weight noise is not supported");
        }
    }

    /** The builder's input/recurrent weight constraints apply to both directions' W/RW. */
    @Override
    protected void initializeConstraints(org.deeplearning4j.nn.conf.layers.Layer.Builder<?> builder) {
        super.initializeConstraints(builder);
        for (LayerConstraint c : constraints == null ? Set.<LayerConstraint>of() : constraints) {
            Set<String> params = c.getParams();
            if (params != null && params.size() == 1) {
                String key = params.iterator().next();
                if (key.equals(FusedRecurrentParamInitializer.WEIGHT_KEY)
                        || key.equals(FusedRecurrentParamInitializer.RECURRENT_WEIGHT_KEY)) {
                    c.setParams(Set.of(BidirectionalParamInitializer.FORWARD_PREFIX + key,
                            BidirectionalParamInitializer.BACKWARD_PREFIX + key));
                }
            }
        }
    }

    @Override
    public BaseLayer<?> newLayer(NeuralNetConfiguration conf, DataType networkDataType) {
        return new BidirectionalLayer(conf, networkDataType);
    }

    @Override
    public ParamInitializer initializer() {
        return new BidirectionalParamInitializer(getCell().initializer(), l -> ((Bidirectional) l).direction());
    }

    /** Feed-forward {@code [mb, 2·nOut]}: the two final states. */
    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        super.getOutputType(layerIndex, inputType);    // validates the (recurrent) input type
        return InputType.feedForward(2 * getNOut());
    }

    /**
     * The configuration of one direction: the cell with this layer's sizes, activation, initialization and data
     * format, returning its last (carried) state; no dropout, constraints or updater (those belong to this layer).
     */
    public FusedRecurrent direction() {
        FusedRecurrent d = (FusedRecurrent) getCell().clone();
        d.setLayerName(getLayerName());
        d.setNIn(getNIn());
        d.setNOut(getNOut());
        d.setActivationFn(getActivationFn());
        d.setWeightInitFn(getWeightInitFn());
        d.setWeightInitFnRecurrent(getWeightInitFnRecurrent());
        d.setBiasInit(getBiasInit());
        d.setRnnDataFormat(getRnnDataFormat());
        d.setCarryStateOnMask(true);
        d.setReturnSequences(false);
        return d;
    }

    /** Two directions plus the time-reversed input copy and, in backprop, the reversed dL/dx. */
    @Override
    protected long[] memoryPerStep() {
        long[] d = direction().memoryPerStep();
        return new long[]{2 * d[0] + getNIn(), 2 * d[1] + 2 * getNIn()};
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && Objects.equals(getCell(), ((Bidirectional) o).getCell());
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), getCell());
    }

    @Override
    protected String fieldsToString() {
        return ", cell=" + getCell();
    }

    /** Builder; nOut is the size of ONE direction (the output has 2·nOut columns). */
    public static class Builder extends FusedRecurrent.Builder<Builder> {
        private FusedRecurrent cell;

        public Builder() {
            returnSequences(false);
        }

        /** Builder with nIn and nOut (per direction) set. */
        public Builder(long nIn, long nOut) {
            super(nIn, nOut);
            returnSequences(false);
        }

        /** The cell of both directions (its own settings; sizes, activation, init etc. come from this builder). */
        public Builder cell(FusedRecurrent cell) {
            this.cell = cell;
            return this;
        }

        @Override
        public Bidirectional build() {
            return new Bidirectional(this);
        }
    }
}

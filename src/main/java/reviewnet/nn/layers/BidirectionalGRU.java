package reviewnet.nn.layers;

import reviewnet.nn.recurrent.BidirectionalLayer;
import reviewnet.nn.recurrent.BidirectionalParamInitializer;
import reviewnet.nn.recurrent.FusedRecurrentParamInitializer;

import java.util.Set;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Configuration of a bidirectional {@link GRU} that outputs the final state of each direction, concatenated: like
 * Keras {@code Bidirectional(GRU(nOut), merge_mode='concat')} (return_sequences=False). Output {@code [mb, 2·nOut]}
 * (a feed-forward activation): columns {@code [0, nOut)} are the forward direction's state after the last step,
 * columns {@code [nOut, 2·nOut)} the backward direction's state after it has read the sequence from the last step back
 * to the first (its state at t = 0).
 * <p>
 * Each direction is exactly our {@link GRU} (Keras {@code reset_after=True}) with its own parameters: the forward set
 * with the GRU's keys prefixed {@code f} ({@code fW, fRW, fb, frb}), then the backward set prefixed {@code b}
 * ({@code bW, bRW, bb, brb}), each laid out and initialized like the GRU's (see {@link BidirectionalParamInitializer}).
 * Every GRU setting (activation, gate activation, weight initialization, orthogonalPerGate, biasInit, data format)
 * applies to both directions. DL4J's own {@code Bidirectional} wrapper cannot be used for this: around a GRU that
 * returns only its last step, its backward "last step" is the backward direction's state after reading only the
 * sequence's last element, not after reading the whole sequence.
 * <p>
 * Masking (per-time-step mask [minibatch, T]): supported with the GRU's carried state ({@code carryStateOnMask=true},
 * the only setting allowed), like Keras with a mask: the forward direction's output is its state after the last
 * unmasked step, the backward direction reads the time-reversed input with the time-reversed mask, so its output is
 * its state after the first unmasked step. Without a mask both directions run over every step, padding included,
 * which is what Keras' {@code Bidirectional} does when no mask reaches it (the product's sequences are pre-padded and
 * carry no mask; the backward direction then reads the padding last).
 * <p>
 * Not supported (rejected with a message): {@code returnSequences=true}, weight noise, truncated BPTT and
 * {@code rnnTimeStep} (the backward direction needs the whole sequence). Input dropout ({@code dropOut}) applies one
 * dropout mask to the input that both directions read.
 */
public class BidirectionalGRU extends GRU {

    private static final BidirectionalParamInitializer PARAMS =
            new BidirectionalParamInitializer(GRU.PARAMS, l -> ((BidirectionalGRU) l).direction());

    /** For JSON deserialization only. */
    public BidirectionalGRU() {
        setReturnSequences(false);
    }

    protected BidirectionalGRU(Builder builder) {
        super(builder);
    }

    @Override
    public String kind() {
        return "BidirectionalGRU";
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

    /**
     * The input/recurrent weight constraints of the builder apply to both directions' W/RW (FusedRecurrent names them
     * W and RW; the constraints set through the generic constrainWeights/constrainBias/constrainAllParameters already
     * use this layer's own keys).
     */
    @Override
    protected void initializeConstraints(org.deeplearning4j.nn.conf.layers.Layer.Builder<?> builder) {
        super.initializeConstraints(builder);
        if (constraints == null) {
            return;
        }
        for (LayerConstraint c : constraints) {
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
        return PARAMS;
    }

    /** Feed-forward {@code [mb, 2·nOut]}: the two final states. */
    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        super.getOutputType(layerIndex, inputType);    // validates the (recurrent) input type
        return InputType.feedForward(2 * getNOut());
    }

    /**
     * The configuration of one direction: a {@link GRU} with this layer's nIn, nOut, activations, initialization and
     * data format that returns its last state (no dropout, constraints or updater: those belong to this layer).
     */
    public GRU direction() {
        GRU d = new GRU();
        d.setLayerName(getLayerName());
        d.setNIn(getNIn());
        d.setNOut(getNOut());
        d.setActivationFn(getActivationFn());
        d.setGateActivationFn(getGateActivationFn());
        d.setOrthogonalPerGate(isOrthogonalPerGate());
        d.setWeightInitFn(getWeightInitFn());
        d.setWeightInitFnRecurrent(getWeightInitFnRecurrent());
        d.setBiasInit(getBiasInit());
        d.setRnnDataFormat(getRnnDataFormat());
        d.setCarryStateOnMask(true);
        d.setReturnSequences(false);
        return d;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long n = getNOut();
        long nIn = getNIn();
        // Two GRUs (see GRU#getMemoryReport) plus the time-reversed input copy and, in backprop, the reversed dL/dx.
        return memoryReport(inputType, 2 * (nIn + 3 * n + n) + nIn,
                2 * ((nIn + 3 * n + 5 * n) + (n + 4 * n + nIn)) + 2 * nIn);
    }

    /** Builder; nOut is the size of ONE direction (the output has 2·nOut columns). */
    public static class Builder extends GRU.Builder {

        public Builder() {
            returnSequences(false);
        }

        /** Builder with nIn and nOut (per direction) set. */
        public Builder(long nIn, long nOut) {
            super(nIn, nOut);
            returnSequences(false);
        }

        @Override
        public BidirectionalGRU build() {
            return new BidirectionalGRU(this);
        }
    }
}

package reviewnet.nn.layers;

import reviewnet.nn.recurrent.FusedSimpleRnnLayer;
import reviewnet.nn.recurrent.FusedRecurrentParamInitializer;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;

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

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long n = getNOut();
        long nIn = getNIn();
        // Per example and step, in elements (see FusedSimpleRnnLayer): inference keeps the input copy and the states;
        // training keeps the states and act' (2 rows per step), and backprop adds the per-step gradients and dL/dx.
        return memoryReport(inputType, nIn + n, (nIn + 2 * n) + (n + nIn));
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

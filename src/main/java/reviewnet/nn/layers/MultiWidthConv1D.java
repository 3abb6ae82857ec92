package reviewnet.nn.layers;

import reviewnet.nn.conv.MultiWidthConv1DLayer;
import reviewnet.nn.conv.MultiWidthConv1DParamInitializer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Configuration of the parallel convolutions of a Kim (2014) sentence CNN, as one layer: for each width w of
 * {@code widths}, a Conv1D of {@code filters} filters of that width (stride 1, valid padding, relu), max-pooled over
 * all time steps (Keras {@code GlobalMaxPooling1D}), the results concatenated in the order of {@code widths}:
 *
 * <pre>
 *   z_w[i, f, t] = b_w[f] + Σ_k Σ_c W_w[k, c, f] · x[i, c, t + k]      k &lt; w, t &lt; T − w + 1
 *   out[i, j·filters + f] = max_t relu(z_w[i, f, t])                     w = widths[j]
 * </pre>
 *
 * Input: recurrent NCW activations [minibatch, nIn, T] with T &gt;= the largest width (otherwise an
 * {@link IllegalArgumentException}). Output: feed-forward [minibatch, widths.size()·filters] ({@code nOut}, set by the
 * builder). Parameters per width j: {@code W<j>} [w, nIn, filters] (Keras' Conv1D kernel layout) and {@code b<j>}
 * [1, filters] ({@link MultiWidthConv1DParamInitializer}), kernels initialized with the layer's weight init (default
 * Glorot uniform) with fanIn = nIn·w and fanOut = filters·w, biases with biasInit.
 * <p>
 * Masks are ignored and not passed on. Only the relu activation and NCW input are supported; layer dropout applies to
 * the input. FLOAT and DOUBLE networks.
 */
public class MultiWidthConv1D extends CustomLayer {

    private List<Integer> widths = new ArrayList<>();
    private int filters;

    /** For JSON deserialization only. */
    public MultiWidthConv1D() {
    }

    protected MultiWidthConv1D(Builder builder) {
        super(builder);
        this.widths = new ArrayList<>(builder.widths);
        this.filters = builder.filters;
    }

    /** The largest width: the shortest sequence the layer accepts. */
    public int maxWidth() {
        return widths.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** Rejects settings the implementation does not support (called by the builder and on instantiation). */
    void validateSettings(String where) {
        if (widths == null || widths.isEmpty() || widths.stream().anyMatch(w -> w == null || w <= 0)) {
            throw new IllegalArgumentException(where + ": widths must be a non-empty list of positive integers, got "
                    + widths);
        }
        if (filters <= 0) {
            throw new IllegalArgumentException(where + ": filters must be positive, got " + filters);
        }
        if (nOut != (long) widths.size() * filters) {
            throw new IllegalArgumentException(where + ": nOut must be widths.size() · filters = " + widths.size()
                    + " · " + filters + ", got " + nOut);
        }
        if (!(activationFn instanceof ActivationReLU) || !activationFn.equals(new ActivationReLU())) {
            throw new IllegalArgumentException(where + ": only the (plain) relu activation is supported, got "
                    + activationFn);
        }
    }

    @Override
    protected void validate(String where, int layerIndex) {
        LayerValidation.assertNInNOutSet("MultiWidthConv1D", getLayerName(), layerIndex, getNIn(), getNOut());
        validateSettings(where);
    }

    @Override
    protected BaseLayer<?> implementation(NeuralNetConfiguration conf, DataType networkDataType) {
        return new MultiWidthConv1DLayer(conf, networkDataType);
    }

    @Override
    public ParamInitializer initializer() {
        return MultiWidthConv1DParamInitializer.getInstance();
    }

    /** Recurrent NCW input with at least {@link #maxWidth()} steps (when the length is known) → [mb, nOut]. */
    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        checkInputType(layerIndex, inputType);
        return InputType.feedForward(getNOut());
    }

    private void checkInputType(int layerIndex, InputType inputType) {
        String where = "MultiWidthConv1D (layer " + layerIndex + ")";
        if (!(inputType instanceof InputType.InputTypeRecurrent)) {
            throw new IllegalStateException(where + ": recurrent input type [minibatch, nIn, T] expected, got "
                    + inputType);
        }
        InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) inputType;
        if (r.getFormat() != RNNFormat.NCW) {
            throw new IllegalStateException(where + ": only NCW input ([minibatch, nIn, T]) is supported, got "
                    + r.getFormat());
        }
        long t = r.getTimeSeriesLength();
        if (t > 0 && t < maxWidth()) {
            throw new IllegalArgumentException(where + ": sequences of " + t + " steps are shorter than the largest "
                    + "convolution width " + maxWidth() + " (widths " + widths + ")");
        }
    }

    /** The recurrent input goes in as it is: no preprocessor. */
    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        checkInputType(-1, inputType);
        return null;
    }

    /**
     * Working memory per example: the input as [T, nIn] (when it has to be copied) and one width's convolution output
     * [T', filters]; in training also dL/dx [T, nIn].
     */
    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long t = Math.max(maxWidth(), ((InputType.InputTypeRecurrent) inputType).getTimeSeriesLength());
        long forward = t * getNIn() + t * filters;
        return memoryReport(inputType, forward, forward + t * getNIn());
    }

    public List<Integer> getWidths() {
        return widths;
    }

    public void setWidths(List<Integer> widths) {
        this.widths = new ArrayList<>(widths);
    }

    public int getFilters() {
        return filters;
    }

    public void setFilters(int filters) {
        this.filters = filters;
    }

    @Override
    protected Map<String, Object> settings() {
        return settings("widths", widths, "filters", filters);
    }

    /**
     * Builder: {@code new MultiWidthConv1D.Builder().widths(3, 4, 5).filters(100).build()} (nIn from the input type).
     * Defaults: widths [3, 4, 5], 100 filters, relu, Glorot uniform kernels. Note: because the builder sets the
     * Glorot-uniform default on the layer itself, a global {@code NeuralNetConfiguration.Builder.weightInit(...)} does
     * not override it; set it on this builder instead. nOut is widths.size() · filters (set by {@link #build()}).
     */
    public static class Builder extends FeedForwardLayer.Builder<Builder> {
        private List<Integer> widths = List.of(3, 4, 5);
        private int filters = 100;

        public Builder() {
            activation(Activation.RELU);
            weightInit(WeightInit.XAVIER_UNIFORM);
        }

        /** As {@link #widths(List)}. */
        public Builder widths(int... widths) {
            return widths(Arrays.stream(widths).boxed().toList());
        }

        /** Convolution widths, in the order of their blocks in the output (default 3, 4, 5). */
        public Builder widths(List<Integer> widths) {
            this.widths = new ArrayList<>(widths);
            return this;
        }

        /** Filters per width (default 100). */
        public Builder filters(int filters) {
            this.filters = filters;
            return this;
        }

        public void setWidths(List<Integer> widths) {
            this.widths = new ArrayList<>(widths);
        }

        @Override
        @SuppressWarnings("unchecked")
        public MultiWidthConv1D build() {
            long expected = (long) widths.size() * filters;
            if (nOut > 0 && nOut != expected) {
                throw new IllegalArgumentException("MultiWidthConv1D: nOut is widths.size() · filters = " + expected
                        + ", do not set it to " + nOut);
            }
            nOut(expected);
            MultiWidthConv1D layer = new MultiWidthConv1D(this);
            layer.validateSettings("MultiWidthConv1D");
            return layer;
        }
    }
}

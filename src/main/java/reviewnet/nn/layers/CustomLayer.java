package reviewnet.nn.layers;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Base of the configurations of {@link FastEmbedding}, {@link BagEmbedding} and {@link MultiWidthConv1D}:
 * instantiation (FLOAT or DOUBLE networks only), the memory report, and equals, hashCode and toString over the
 * subclass's {@link #settings()}. It has no fields and no bean properties, so a model's JSON holds just the
 * subclass's properties (its getters), as before this class existed.
 */
public abstract class CustomLayer extends FeedForwardLayer {

    /** For JSON deserialization only. */
    protected CustomLayer() {
    }

    protected CustomLayer(FeedForwardLayer.Builder<?> builder) {
        super(builder);
        initializeConstraints(builder);
    }

    /** The implementation of this configuration. */
    protected abstract BaseLayer<?> implementation(NeuralNetConfiguration conf, DataType networkDataType);

    /** Checks the settings when the network is built; {@code where} names the layer. */
    protected void validate(String where, int layerIndex) {
    }

    /** The subclass's own settings, by name, in the order toString shows them. */
    protected abstract Map<String, Object> settings();

    /** {@code name1, value1, name2, value2, ...} as an ordered map, for {@link #settings()}. */
    protected static Map<String, Object> settings(Object... namesAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        String where = getClass().getSimpleName() + " (layer " + layerIndex + ")";
        LayerWiring.requireFloatOrDouble(where, networkDataType);
        validate(where, layerIndex);
        return LayerWiring.wire(implementation(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /** Checks that the input type is feed-forward or recurrent: word indices [minibatch, T]. */
    void checkIndexInput(int layerIndex, InputType inputType) {
        if (inputType == null || (inputType.getType() != InputType.Type.FF && inputType.getType() != InputType.Type.RNN)) {
            throw new IllegalStateException(getClass().getSimpleName() + " (layer " + layerIndex + "): feed-forward "
                    + "or recurrent input type expected, got " + inputType);
        }
    }

    /** Indices go in as they are: no preprocessor, whether the input type is recurrent or feed-forward. */
    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        if (inputType == null) {
            throw new IllegalStateException(getClass().getSimpleName() + ": input type is null");
        }
        return null;
    }

    /** The output only as working memory (the embeddings need none besides their int indices). */
    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long output = getOutputType(-1, inputType).arrayElementsPerExample();
        return memoryReport(inputType, 0, output);
    }

    /** The report with these working memory sizes per example, for inference and for training; no cache. */
    LayerMemoryReport memoryReport(InputType inputType, long inference, long training) {
        long numParams = initializer().numParams(this);
        long updaterSize = getIUpdater() == null ? 0 : getIUpdater().stateSize(numParams);
        return new LayerMemoryReport.Builder(getLayerName(), getClass(), inputType, getOutputType(-1, inputType))
                .standardMemory(numParams, updaterSize)
                .workingMemory(0, inference, 0, training)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof CustomLayer other && other.getClass() == getClass() && super.equals(o)
                && settings().equals(other.settings()));
    }

    @Override
    protected boolean canEqual(Object other) {
        return other != null && other.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + settings().hashCode();
    }

    @Override
    public String toString() {
        String own = settings().toString();
        return getClass().getSimpleName() + "(super=" + super.toString() + ", " + own.substring(1, own.length() - 1)
                + ")";
    }

    /** A builder of a layer with the identity activation (whatever the network's default) and no layer dropout. */
    public abstract static class IdentityBuilder<B extends IdentityBuilder<B>> extends FeedForwardLayer.Builder<B> {

        protected IdentityBuilder() {
            activation(new ActivationIdentity());
        }

        /** With the number of indices (nIn) and the embedding size (nOut) set. */
        protected IdentityBuilder(long nIn, long nOut) {
            this();
            nIn(nIn);
            nOut(nOut);
        }

        /** Rejects an activation other than the identity and layer dropout; {@code name} names the layer. */
        protected void checkIdentityWithoutDropout(String name) {
            if (!(activationFn instanceof ActivationIdentity)) {
                throw new IllegalStateException(name + " supports only the identity activation, got " + activationFn);
            }
            if (iDropout != null) {
                throw new IllegalStateException(name + " does not apply dropout: use a DropoutLayer after it");
            }
        }
    }
}

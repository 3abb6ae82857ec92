package reviewnet.nn.layers;

import java.util.List;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * The key lists of a parameter initializer whose parameters do not depend on the layer's settings (our recurrent and
 * embedding layers'), so that DL4J may also ask with a null layer; a subclass adds the counting, views and
 * initialization.
 */
public abstract class FixedKeysParamInitializer implements ParamInitializer {

    private final List<String> paramKeys;
    private final List<String> weightKeys;
    private final List<String> biasKeys;

    /** @param paramKeys every parameter, in its order in the parameter vector; each a weight or a bias */
    protected FixedKeysParamInitializer(List<String> paramKeys, List<String> weightKeys, List<String> biasKeys) {
        this.paramKeys = List.copyOf(paramKeys);
        this.weightKeys = List.copyOf(weightKeys);
        this.biasKeys = List.copyOf(biasKeys);
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return paramKeys;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return weightKeys;
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return biasKeys;
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return weightKeys.contains(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return biasKeys.contains(key);
    }
}

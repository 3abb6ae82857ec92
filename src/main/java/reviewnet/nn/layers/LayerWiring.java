package reviewnet.nn.layers;

import java.util.Collection;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the {@code instantiate} method of each of our configuration classes does once it has made its implementation,
 * as DL4J's own layers do it: listeners, index, the parameter view and the parameter table from the configuration's
 * initializer; and the data type check of the layers whose loops exist for FLOAT and DOUBLE only.
 */
final class LayerWiring {

    private LayerWiring() {
    }

    static BaseLayer<?> wire(BaseLayer<?> layer, NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                             int layerIndex, INDArray paramsView, boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(conf.getLayer().initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    /** Rejects a network data type other than FLOAT and DOUBLE; {@code where} names the layer. */
    static void requireFloatOrDouble(String where, DataType networkDataType) {
        if (networkDataType != DataType.FLOAT && networkDataType != DataType.DOUBLE) {
            throw new IllegalArgumentException(where + ": network data type " + networkDataType
                    + " is not supported, only FLOAT and DOUBLE");
        }
    }
}

package reviewnet.nn;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.nd4j.linalg.activations.Activation;
import reviewnet.config.ModelSettings;

/** LSTM(hidden), last step; forget-gate bias 1 as Keras' unit_forget_bias. */
public final class LstmArchitecture implements Architecture {
    @Override
    public String name() {
        return "lstm";
    }

    @Override
    public List<Layer> body(ModelSettings model) {
        return List.of(new LastTimeStep(new LSTM.Builder().nOut(model.hidden()).activation(Activation.TANH)
                .gateActivationFunction(Activation.SIGMOID).forgetGateBiasInit(1.0).build()));
    }
}

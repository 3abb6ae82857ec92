package reviewnet.nn;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.nd4j.linalg.activations.Activation;
import reviewnet.config.ModelSettings;

/** SimpleRNN(hidden, tanh), last step. */
public final class SimpleRnnArchitecture implements Architecture {
    @Override
    public String name() {
        return "simple-rnn";
    }

    @Override
    public List<Layer> body(ModelSettings model) {
        return List.of(new LastTimeStep(new SimpleRnn.Builder().nOut(model.hidden()).activation(Activation.TANH)
                .build()));
    }
}

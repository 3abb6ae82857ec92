package reviewnet.nn;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.Layer;
import reviewnet.config.ModelSettings;
import reviewnet.nn.layers.FusedSimpleRnn;

/**
 * SimpleRNN(hidden, tanh), last step: our {@link FusedSimpleRnn} with returnSequences(false), which gives exactly what
 * LastTimeStep(SimpleRNN) gives without building the [batch, hidden, length] sequence and its mostly-zero epsilon.
 */
public final class SimpleRnnArchitecture implements Architecture {
    @Override
    public String name() {
        return "simple-rnn";
    }

    @Override
    public List<Layer> body(ModelSettings model) {
        return List.of(new FusedSimpleRnn.Builder().nOut(model.hidden()).returnSequences(false).build());
    }
}

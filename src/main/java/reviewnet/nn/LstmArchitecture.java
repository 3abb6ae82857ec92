package reviewnet.nn;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.Layer;
import reviewnet.config.ModelSettings;
import reviewnet.nn.layers.FusedLstm;

/**
 * LSTM(hidden) with Keras semantics (forget-gate bias 1 as unit_forget_bias), last step: our fused layer returns only
 * the last step itself (Keras return_sequences=False), the same as LastTimeStep around the full sequence but cheaper.
 */
public final class LstmArchitecture implements Architecture {
    @Override
    public String name() {
        return "lstm";
    }

    @Override
    public List<Layer> body(ModelSettings model) {
        return List.of(new FusedLstm.Builder().nOut(model.hidden()).returnSequences(false).build());
    }
}

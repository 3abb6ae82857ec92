package reviewnet.nn;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.Layer;
import reviewnet.config.ModelSettings;
import reviewnet.nn.layers.GRU;

/**
 * GRU(hidden) with Keras reset_after semantics (our own layer: DL4J M2 has none), last step: the layer returns only
 * the last step itself (Keras return_sequences=False), the same as LastTimeStep around the full sequence but cheaper.
 */
public final class GruArchitecture implements Architecture {
    @Override
    public String name() {
        return "gru";
    }

    @Override
    public List<Layer> body(ModelSettings model) {
        return List.of(gru(model));
    }

    static Layer gru(ModelSettings model) {
        return new GRU.Builder().nOut(model.hidden()).returnSequences(false).build();
    }
}

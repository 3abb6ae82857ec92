package reviewnet.nn;

import reviewnet.nn.layers.GRU;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.Layer;
import reviewnet.config.ModelSettings;

/** Conv1D(filters, kernel, relu, valid) → MaxPool1D(pool) → GRU(hidden), last step. */
public final class ConvGruArchitecture implements Architecture {
    @Override
    public String name() {
        return "conv-gru";
    }

    @Override
    public List<Layer> body(ModelSettings model) {
        return List.of(ConvArchitecture.convolution(model), ConvArchitecture.pooling(model),
                GruArchitecture.gru(model));
    }
}

package reviewnet.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import reviewnet.config.ModelSettings;
import reviewnet.nn.layers.Bidirectional;
import reviewnet.nn.layers.FusedLstm;
import reviewnet.nn.layers.FusedSimpleRnn;
import reviewnet.nn.layers.GRU;
import reviewnet.nn.layers.MultiWidthConv1D;

/**
 * The registry: architecture name → implementation, in the order results are reported. The recurrent layers return
 * only their last step (Keras return_sequences=False).
 */
public final class Architectures {
    private static final Map<String, Architecture> REGISTRY = new LinkedHashMap<>();

    static {
        for (Architecture a : List.of(
                // SimpleRNN(hidden, tanh)
                Architecture.of("simple-rnn", m -> List.of(
                        new FusedSimpleRnn.Builder().nOut(m.hidden()).returnSequences(false).build())),
                // LSTM(hidden), Keras semantics (forget-gate bias 1 as unit_forget_bias)
                Architecture.of("lstm", m -> List.of(
                        new FusedLstm.Builder().nOut(m.hidden()).returnSequences(false).build())),
                // GRU(hidden), Keras reset_after semantics
                Architecture.of("gru", m -> List.of(gru(m))),
                // Conv1D(filters, kernel, relu, valid) → MaxPool1D(pool) → GRU(hidden)
                Architecture.of("conv-gru", m -> List.of(ConvArchitecture.convolution(m), ConvArchitecture.pooling(m),
                        gru(m))),
                new ConvArchitecture(),
                // Kim (2014): Conv1D of each width, max over time, concatenated → Dropout(model dropout)
                Architecture.of("cnn-max", m -> List.of(
                        new MultiWidthConv1D.Builder().widths(m.cnnMaxWidths()).filters(m.cnnMaxFilters()).build(),
                        // DL4J's dropout value is the probability to keep an activation
                        new DropoutLayer.Builder(1.0 - m.dropout()).build())),
                new BigramBagArchitecture(),
                // Keras Bidirectional(GRU(hidden)), merge_mode='concat': both final states, [batch, 2·hidden]
                Architecture.of("bigru", m -> List.of(
                        new Bidirectional.Builder().cell(new GRU.Builder().build()).nOut(m.hidden()).build())))) {
            REGISTRY.put(a.name(), a);
        }
    }

    private Architectures() {
    }

    private static Layer gru(ModelSettings model) {
        return new GRU.Builder().nOut(model.hidden()).returnSequences(false).build();
    }

    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    public static Architecture get(String name) {
        Architecture architecture = REGISTRY.get(name);
        if (architecture == null) {
            throw new IllegalArgumentException("unknown architecture '" + name + "'; known: " + names());
        }
        return architecture;
    }
}

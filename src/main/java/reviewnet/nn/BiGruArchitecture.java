package reviewnet.nn;

import reviewnet.nn.layers.GRU;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.Layer;
import reviewnet.config.ModelSettings;
import reviewnet.nn.layers.Bidirectional;

/**
 * Bidirectional GRU(hidden), final states concatenated: like Keras {@code Bidirectional(GRU(hidden))} with
 * merge_mode='concat', i.e. the forward direction's state after the last step and the backward direction's state
 * after reading the sequence back to the first step, [batch, 2·hidden], then the shared Dense(1, sigmoid). Each
 * direction is our GRU (Keras reset_after semantics). Without a mask (the product's pre-padded sequences carry none)
 * both directions read the padding too, as Keras' Bidirectional does without a mask.
 */
public final class BiGruArchitecture implements Architecture {
    @Override
    public String name() {
        return "bigru";
    }

    @Override
    public List<Layer> body(ModelSettings model) {
        return List.of(new Bidirectional.Builder().cell(new GRU.Builder().build()).nOut(model.hidden()).build());
    }
}

package reviewnet.nn;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import reviewnet.config.ModelSettings;
import reviewnet.nn.layers.MultiWidthConv1D;

/**
 * Kim (2014): parallel Conv1D of the widths {@code reviewnet.model.cnn-max.widths} ({@code filters} each, relu, valid),
 * global max pooling over time of each, concatenated ({@link MultiWidthConv1D}, one layer since MultiLayerNetwork has
 * no branches) → Dropout(model dropout) → (the shared Dense(1, sigmoid)).
 */
public final class CnnMaxArchitecture implements Architecture {
    @Override
    public String name() {
        return "cnn-max";
    }

    @Override
    public List<Layer> body(ModelSettings model) {
        return List.of(
                new MultiWidthConv1D.Builder().widths(model.cnnMaxWidths()).filters(model.cnnMaxFilters()).build(),
                // DL4J's dropout value is the probability to keep an activation
                new DropoutLayer.Builder(1.0 - model.dropout()).build());
    }
}

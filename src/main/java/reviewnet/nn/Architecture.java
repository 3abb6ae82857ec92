package reviewnet.nn;

import java.util.List;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.Layer;
import reviewnet.config.ModelSettings;

/**
 * One network architecture: the layers between the shared front (embedding, dropout) and the shared sigmoid output,
 * which {@link SequenceClassifier} adds. Adding an architecture means one small class and a registry entry in
 * {@link Architectures}.
 */
public interface Architecture {

    /** The name used in settings and results, e.g. {@code conv-gru}. */
    String name();

    /** Layers after the dropout; the last one must produce feed-forward activations (e.g. a last-step wrapper). */
    List<Layer> body(ModelSettings model);

    /** A preprocessor in front of the output layer, or null when DL4J's own (from the input types) is right. */
    default InputPreProcessor outputPreProcessor(ModelSettings model) {
        return null;
    }
}

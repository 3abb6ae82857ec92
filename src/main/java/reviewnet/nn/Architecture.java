package reviewnet.nn;

import java.util.List;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.Layer;
import reviewnet.config.ModelSettings;

/**
 * One network architecture: the layers between the shared front (embedding, dropout) and the shared sigmoid output,
 * which {@link SequenceClassifier} adds; registered in {@link Architectures}.
 */
public interface Architecture {

    /** The name used in settings and results, e.g. {@code conv-gru}. */
    String name();

    /** The prepared columns a network reads. */
    enum Inputs {
        /** {@code seq}: [batch, length] word indices. */
        WORDS,
        /**
         * {@code seq} then {@code bigrams}: [batch, 2·length], the hashed bigram ids b (1..buckets) as indices
         * vocabulary + b − 1, padding 0 as 0.
         */
        WORDS_AND_BIGRAMS
    }

    /** What the network reads (default: the word indices). */
    default Inputs inputs() {
        return Inputs.WORDS;
    }

    /**
     * Whether the shared front (embedding of the words, dropout) comes before {@link #body}; false for an architecture
     * whose body embeds its input itself.
     */
    default boolean sharedFront() {
        return true;
    }

    /** Layers after the dropout; the last one must produce feed-forward activations (e.g. a last-step wrapper). */
    List<Layer> body(ModelSettings model);

    /** A preprocessor in front of the output layer, or null when DL4J's own (from the input types) is right. */
    default InputPreProcessor outputPreProcessor(ModelSettings model) {
        return null;
    }

    /** An architecture of word inputs with the shared front: just a name and a body. */
    static Architecture of(String name, Function<ModelSettings, List<Layer>> body) {
        return new Architecture() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<Layer> body(ModelSettings model) {
                return body.apply(model);
            }
        };
    }
}

package reviewnet.nn;

import java.util.List;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.layers.Layer;
import reviewnet.config.ModelSettings;
import reviewnet.nn.layers.BagEmbedding;

/**
 * fastText-style bag of words and bigrams (Joulin et al. 2016; the Keras imdb_fasttext example): one embedding table
 * for the vocabulary and the hashed bigram buckets, the mean of a review's word and bigram embeddings (padding left
 * out, {@link BagEmbedding}), then the shared Dense(1, sigmoid). Reads {@code seq} and {@code bigrams}; no shared
 * embedding or dropout in front.
 */
public final class BigramBagArchitecture implements Architecture {
    @Override
    public String name() {
        return "bigram-bag";
    }

    @Override
    public Inputs inputs() {
        return Inputs.WORDS_AND_BIGRAMS;
    }

    @Override
    public boolean sharedFront() {
        return false;
    }

    @Override
    public List<Layer> body(ModelSettings model) {
        return List.of(new BagEmbedding.Builder((long) model.vocabularySize() + model.bigramBuckets(),
                model.bigramBagEmbedding()).weightInit(new UniformDistribution(-0.05, 0.05))
                .pooling(BagEmbedding.Pooling.valueOf(model.bigramBagPooling().name())).build());
    }
}

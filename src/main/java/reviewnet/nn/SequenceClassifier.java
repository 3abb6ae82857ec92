package reviewnet.nn;

import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import reviewnet.nn.layers.SeededDropout;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import reviewnet.config.ModelSettings;
import reviewnet.nn.layers.FastEmbedding;

/**
 * The network every architecture shares: Embedding(vocabulary, embedding) → Dropout → [architecture body] →
 * Dense(1, sigmoid) with binary cross-entropy, trained with Adam (an architecture may bring its own front instead,
 * {@link Architecture#sharedFront()}). Input: [batch, length] word indices (float).
 * Initialization follows Keras: embeddings uniform(-0.05, 0.05), kernels Glorot uniform, biases zero.
 * <p>
 * The embedding is {@link FastEmbedding}: DL4J's {@code EmbeddingSequenceLayer} without bias (its default), with the
 * same parameters, initialization and output ([batch, embedding, length], NCW), but a much cheaper backward pass.
 */
public final class SequenceClassifier {
    private SequenceClassifier() {
    }

    public static MultiLayerConfiguration configuration(Architecture architecture, ModelSettings model,
                                                        double learningRate, long seed) {
        return configuration(architecture, model, learningRate, seed, 0);
    }

    /**
     * As above, with each layer's gradient rescaled to an L2 norm of at most {@code gradientClip} before the Adam
     * step (DL4J's {@code ClipL2PerLayer}, applied by the updater to every layer); 0 = no clipping.
     */
    public static MultiLayerConfiguration configuration(Architecture architecture, ModelSettings model,
                                                        double learningRate, long seed, double gradientClip) {
        NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Adam(learningRate))
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .biasInit(0.0);
        if (gradientClip > 0) {
            builder.gradientNormalization(org.deeplearning4j.nn.conf.GradientNormalization.ClipL2PerLayer)
                    .gradientNormalizationThreshold(gradientClip);
        }
        NeuralNetConfiguration.ListBuilder list = builder.list();
        if (architecture.sharedFront()) {
            list.layer(new FastEmbedding.Builder()
                            .nIn(model.vocabularySize()).nOut(model.embedding())
                            .inputLength(model.sequenceLength())
                            .weightInit(new UniformDistribution(-0.05, 0.05))
                            .build())
                    // DL4J's dropout value is the probability to keep an activation
                    .layer(seeded(new DropoutLayer.Builder(1.0 - model.dropout()).build(), seed, 1));
        }
        List<Layer> body = architecture.body(model);
        int first = architecture.sharedFront() ? 2 : 0;
        for (int i = 0; i < body.size(); i++) {
            list.layer(seeded(body.get(i), seed, first + i));
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT)
                .activation(Activation.SIGMOID).nOut(1).build());
        if (architecture.outputPreProcessor(model) != null) {
            list.inputPreProcessor(first + body.size(), architecture.outputPreProcessor(model));
        }
        // keep the embedding's nIn (the vocabulary size): the input type would otherwise set it to 1
        list.overrideNinUponBuild(false);
        return list.setInputType(InputType.recurrent(1, inputLength(architecture, model))).build();
    }

    /**
     * A dropout layer with its mask drawn by {@link SeededDropout} (a function of the seed, the layer's index and the
     * data: reproducible on any worker thread) instead of DL4J's native per-thread RNG; other layers as they are.
     */
    private static Layer seeded(Layer layer, long seed, int index) {
        if (layer instanceof DropoutLayer dropout && dropout.getIDropout() instanceof Dropout d) {
            dropout.setIDropout(new SeededDropout(d.getP(), seed * 1_000_003L + index));
        }
        return layer;
    }

    /** Indices per example: the sequence length, twice that with the bigrams. */
    public static int inputLength(Architecture architecture, ModelSettings model) {
        return architecture.inputs() == Architecture.Inputs.WORDS_AND_BIGRAMS ? 2 * model.sequenceLength()
                : model.sequenceLength();
    }
}

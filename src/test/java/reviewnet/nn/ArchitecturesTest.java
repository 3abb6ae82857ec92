package reviewnet.nn;

import reviewnet.nn.layers.GRU;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import reviewnet.config.ModelSettings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ArchitecturesTest {
    static final ModelSettings NOTEBOOK = new ModelSettings(20000, 100, 128, 128, 0.2, 64, 5, 4);

    /**
     * (architecture, parameters as Keras counts them for the notebook's sizes). Embedding 20000×128 = 2,560,000;
     * SimpleRNN 128·128+128·128+128; LSTM 4·(128·128+128·128+128); GRU reset_after 3·(128·128+128·128+2·128);
     * Conv1D 5·128·64+64; Dense on the last step 128+1, after Flatten (24·64)+1; cnn-max: Conv1D of widths 3, 4, 5
     * with 100 filters each (w·128·100+100), Dense on the 300 maxima 300+1; bigru: two GRUs, Dense 2·128+1.
     */
    static Stream<Arguments> architectures() {
        long embedding = 20000L * 128;
        long conv = 5L * 128 * 64 + 64;
        return Stream.of(
                arguments("simple-rnn", embedding + 128 * 128 * 2 + 128 + 129),
                arguments("lstm", embedding + 4L * (128 * 128 * 2 + 128) + 129),
                arguments("gru", embedding + 3L * (128 * 128 * 2 + 2 * 128) + 129),
                arguments("conv-gru", embedding + conv + 3L * (64 * 128 + 128 * 128 + 2 * 128) + 129),
                arguments("conv", embedding + conv + 24 * 64 + 1),
                arguments("cnn-max", embedding + (3 + 4 + 5) * 128L * 100 + 3 * 100 + 300 + 1),
                // Keras Bidirectional(GRU(128)): two GRUs; Dense on both final states, 2·128+1
                arguments("bigru", embedding + 2 * 3L * (128 * 128 * 2 + 2 * 128) + 257));
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void buildsWithTheNotebooksParameterCountAndOneProbabilityPerReview(String name, long parameters) {
        MultiLayerNetwork network = new MultiLayerNetwork(SequenceClassifier.configuration(Architectures.get(name),
                NOTEBOOK, 1e-3, 7));
        network.init();
        assertEquals(parameters, network.numParams(), name);
        INDArray input = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 100).muli(19999).castTo(
                org.nd4j.linalg.api.buffer.DataType.INT32).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        INDArray output = network.output(input);
        assertArrayEquals(new long[] {3, 1}, output.shape());
        assertTrue(output.minNumber().doubleValue() > 0 && output.maxNumber().doubleValue() < 1);
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void configurationSurvivesJsonRoundTrip(String name, long ignored) {
        MultiLayerConfiguration conf = SequenceClassifier.configuration(Architectures.get(name), NOTEBOOK, 1e-3, 7);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertEquals(conf.toJson(), back.toJson());
        MultiLayerNetwork a = new MultiLayerNetwork(conf);
        a.init();
        MultiLayerNetwork b = new MultiLayerNetwork(back);
        b.init(a.params().dup(), false);
        INDArray input = Nd4j.linspace(1, 200, 200).reshape(2, 100);
        assertEquals(a.output(input), b.output(input));
    }

    /** Small sizes for cnn-max: widths 2 and 3, 6 filters each. */
    static final ModelSettings TOY = new ModelSettings(500, 40, 16, 8, 0.5, 4, 3, 2, List.of(2, 3), 6,
            ModelSettings.BIGRAM_BUCKETS, ModelSettings.BIGRAM_BAG_EMBEDDING, ModelSettings.BagPooling.MEAN);

    /** cnn-max learns a trivial signal: word 1 somewhere in the review is positive, word 2 negative. */
    @Test
    void cnnMaxLearnsATrivialSignal() {
        MultiLayerNetwork network = new MultiLayerNetwork(SequenceClassifier.configuration(
                Architectures.get("cnn-max"), TOY, 1e-2, 7));
        network.init();
        Random random = new Random(3);
        int reviews = 32;
        float[][] words = new float[reviews][TOY.sequenceLength()];
        float[][] labels = new float[reviews][1];
        for (int i = 0; i < reviews; i++) {
            for (int t = 0; t < words[i].length; t++) {
                words[i][t] = 3 + random.nextInt(TOY.vocabularySize() - 3);
            }
            labels[i][0] = i % 2;
            words[i][random.nextInt(words[i].length)] = i % 2 == 1 ? 1 : 2;
        }
        DataSet batch = new DataSet(Nd4j.create(words), Nd4j.create(labels));
        double before = network.score(batch);
        for (int iteration = 0; iteration < 30; iteration++) {
            network.fit(batch);
        }
        double after = network.score(batch);
        assertTrue(after < 0.5 * before, "loss " + before + " -> " + after);
        INDArray p = network.output(batch.getFeatures());
        for (int i = 0; i < reviews; i++) {
            assertEquals(labels[i][0], p.getDouble(i, 0), 0.4, "review " + i);
        }
    }

    @Test
    void everySizeIsASetting() {
        ModelSettings small = new ModelSettings(500, 40, 16, 8, 0.5, 4, 3, 2);
        MultiLayerNetwork network = new MultiLayerNetwork(SequenceClassifier.configuration(
                Architectures.get("conv"), small, 1e-3, 7));
        network.init();
        assertEquals(500L * 16 + 3L * 16 * 4 + 4 + (38 / 2) * 4 + 1, network.numParams());
        network = new MultiLayerNetwork(SequenceClassifier.configuration(Architectures.get("cnn-max"), TOY, 1e-3, 7));
        network.init();
        assertEquals(500L * 16 + (2 + 3) * 16L * 6 + 2 * 6 + 2 * 6 + 1, network.numParams());
        assertEquals(List.of("simple-rnn", "lstm", "gru", "conv-gru", "conv", "cnn-max", "bigram-bag",
                "bigru"),
                Architectures.names());
        assertThrows(IllegalArgumentException.class, () -> Architectures.get("transformer"));
    }

    /**
     * bigru learns a trivial signal: the label is the review's FIRST word (1 or 2), the rest is noise. The backward
     * direction reads that word last, so a few dozen minibatches suffice.
     */
    @Test
    void bigruLearnsTheFirstWord() {
        ModelSettings small = new ModelSettings(30, 30, 8, 8, 0.1, 4, 3, 2);
        MultiLayerNetwork network = new MultiLayerNetwork(SequenceClassifier.configuration(
                Architectures.get("bigru"), small, 0.01, 7));
        network.init();
        Random rng = new Random(3);
        DataSet test = firstWordReviews(rng, 256, small.sequenceLength());
        double before = accuracy(network, test);
        double after = before;
        for (int i = 0; i < 300 && after < 0.98; i++) {
            network.fit(firstWordReviews(rng, 32, small.sequenceLength()));
            if (i % 20 == 19) {
                after = accuracy(network, test);
            }
        }
        assertTrue(before < 0.8, "not solved at initialization: " + before);
        assertTrue(after >= 0.98, "accuracy after training " + after + " (before " + before + ")");
    }

    private static DataSet firstWordReviews(Random rng, int n, int length) {
        INDArray x = Nd4j.create(DataType.FLOAT, n, length);
        INDArray y = Nd4j.create(DataType.FLOAT, n, 1);
        for (int i = 0; i < n; i++) {
            boolean positive = rng.nextBoolean();
            x.putScalar(i, 0, positive ? 1 : 2);
            for (int t = 1; t < length; t++) {
                x.putScalar(i, t, 3 + rng.nextInt(27));
            }
            y.putScalar(i, 0, positive ? 1 : 0);
        }
        return new DataSet(x, y);
    }

    private static double accuracy(MultiLayerNetwork network, DataSet data) {
        INDArray predicted = network.output(data.getFeatures()).gt(0.5).castTo(DataType.FLOAT);
        return predicted.eq(data.getLabels()).castTo(DataType.DOUBLE).meanNumber().doubleValue();
    }
}

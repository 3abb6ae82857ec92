package reviewnet.nn;

import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import reviewnet.config.ModelSettings;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A minibatch of one review gets the same gradient as that review inside a larger minibatch: with the mean loss,
 * g({a}) = g({a, b}) − g({b}) (DL4J's gradients are sums; its updater divides them by the minibatch size) for every parameter of every sequence architecture (double precision, no dropout).
 * Guards the layers' [features, minibatch] arrays against a minibatch dimension of 1, where ND4J treats a matrix as a
 * vector.
 */
class SingleReviewMinibatchTest {
    static final ModelSettings SMALL = new ModelSettings(30, 12, 5, 4, 0.0, 3, 3, 2);

    static Stream<String> architectures() {
        return Stream.of("simple-rnn", "lstm", "gru", "conv-gru", "conv", "bigru", "cnn-max");
    }

    static MultiLayerNetwork network(String name) {
        MultiLayerConfiguration conf = SequenceClassifier.configuration(Architectures.get(name), SMALL, 0.001, 42);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net.convertDataType(DataType.DOUBLE);
    }

    static INDArray gradient(MultiLayerNetwork net, INDArray x, INDArray y) {
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        return net.gradient().gradient().dup();
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void oneReviewAloneHasItsShareOfThePairGradient(String name) {
        int length = SequenceClassifier.inputLength(Architectures.get(name), SMALL);
        Random random = new Random(3);
        double[][] indices = new double[2][length];
        for (int r = 0; r < 2; r++) {
            for (int t = 0; t < length; t++) {
                indices[r][t] = t < 2 * r ? 0 : 1 + random.nextInt(SMALL.vocabularySize() - 1);  // some padding
            }
        }
        INDArray pair = Nd4j.create(indices).castTo(DataType.DOUBLE);
        INDArray labels = Nd4j.create(new double[][] {{1}, {0}});
        MultiLayerNetwork net = network(name);
        INDArray both = gradient(net, pair, labels);
        INDArray first = gradient(net, pair.getRow(0, true).dup(), labels.getRow(0, true).dup());
        INDArray second = gradient(net, pair.getRow(1, true).dup(), labels.getRow(1, true).dup());
        INDArray expected = both.sub(second);     // DL4J gradients are sums over the minibatch (the updater divides)
        double error = first.sub(expected).amaxNumber().doubleValue();
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(scale > 1e-6, name + ": gradient ~0");
        assertTrue(error <= 1e-9 * Math.max(1, scale), name + ": one-review gradient differs by " + error
                + " (largest gradient " + scale + ")");
    }
}

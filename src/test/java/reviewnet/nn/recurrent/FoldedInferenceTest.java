package reviewnet.nn.recurrent;

import reviewnet.nn.embedding.FastEmbeddingParamInitializer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import reviewnet.config.ModelSettings;
import reviewnet.nn.Architectures;
import reviewnet.nn.SequenceClassifier;

/**
 * {@link FoldedInference} against DL4J's own forward pass of the same network: every registered architecture either
 * folds (and then gives the same outputs to float rounding, on trained-looking and on padded inputs) or is left to
 * DL4J. Rows: (architecture, folds).
 */
class FoldedInferenceTest {
    private static final ModelSettings MODEL = new ModelSettings(300, 40, 16, 12, 0.2, 8, 5, 4);

    private static MultiLayerNetwork network(String architecture, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(SequenceClassifier.configuration(Architectures.get(architecture),
                MODEL, 1e-3, seed));
        net.init();
        // every parameter random, biases included, and larger than the initialisation, so that the gates saturate
        // somewhere as in a trained network
        Random random = new Random(seed);
        float[] p = new float[(int) net.numParams()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (0.4 * random.nextGaussian());
        }
        net.setParams(Nd4j.create(p, new long[]{1, p.length}, DataType.FLOAT));
        return net;
    }

    private static INDArray words(int mb, Random random) {
        float[] x = new float[mb * MODEL.sequenceLength()];
        for (int i = 0; i < mb; i++) {
            int padding = random.nextInt(MODEL.sequenceLength());    // Keras pre-padding: zeros first
            for (int t = padding; t < MODEL.sequenceLength(); t++) {
                x[i * MODEL.sequenceLength() + t] = 1 + random.nextInt(MODEL.vocabularySize() - 1);
            }
        }
        return Nd4j.create(x, new long[]{mb, MODEL.sequenceLength()}, DataType.FLOAT);
    }

    @ParameterizedTest(name = "{0}: folds {1}")
    @CsvSource({"lstm, true", "gru, true", "simple-rnn, false", "conv, false", "conv-gru, false", "cnn-max, false",
            "bigru, false", "bigram-bag, false"})
    void foldsTheRecurrentNetworksAndMatchesTheirOutput(String architecture, boolean folds) {
        MultiLayerNetwork net = network(architecture, 5);
        FoldedInference folded = FoldedInference.of(net);
        // inference(net), the scorers' way in: the folded path where there is one, DL4J's output elsewhere
        INDArray sample = words(7, new Random(5));
        INDArray inferred = FoldedInference.inference(net).apply(sample);
        if (!folds) {
            assertNull(folded);
            assertEquals(net.output(sample, false), inferred, architecture);
            return;
        }
        assertNotNull(folded);
        assertEquals(folded.output(sample), inferred, architecture);
        Random random = new Random(3);
        for (int mb : new int[]{1, 7, 64}) {
            INDArray x = words(mb, random);
            INDArray expected = net.output(x, false);
            INDArray got = folded.output(x);
            assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(got.shape()));
            double diff = expected.sub(got).amaxNumber().doubleValue();
            assertTrue(diff < 2e-6, architecture + ", minibatch " + mb + ": max |folded − DL4J| = " + diff);
            double spread = expected.maxNumber().doubleValue() - expected.minNumber().doubleValue();
            assertTrue(mb == 1 || spread > 1e-3, "the outputs differ between reviews: " + spread);
        }
    }

    @Test
    void theTableIsTakenWhenTheFoldedPathIsMade() {
        MultiLayerNetwork net = network("lstm", 6);
        FoldedInference folded = FoldedInference.of(net);
        INDArray x = words(16, new Random(4));
        INDArray before = folded.output(x);
        net.getLayer(0).getParam(FastEmbeddingParamInitializer.WEIGHT_KEY).muli(-1.0);
        assertEquals(0.0, before.sub(folded.output(x)).amaxNumber().doubleValue(), 1e-12,
                "a folded path keeps the parameters it was made from");
        assertTrue(net.output(x, false).sub(FoldedInference.of(net).output(x)).amaxNumber().doubleValue() < 2e-6);
    }

    @Test
    void invalidWordIndicesAreRefused() {
        FoldedInference folded = FoldedInference.of(network("gru", 7));
        INDArray x = words(2, new Random(5));
        x.putScalar(1, 3, MODEL.vocabularySize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> folded.output(x));
        assertTrue(e.getMessage().contains("invalid word index"), e.getMessage());
    }
}

package reviewnet.nn.recurrent;

import reviewnet.nn.layers.GRU;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Toy memory task in the product's shape (LastTimeStep(GRU) → Dense → softmax, variable lengths with a post-padding
 * mask, workspaces enabled, float): the class is the sign of the FIRST element of a random ±1 sequence of length
 * 10..20, so the GRU must carry it through up to 19 distractor steps and the padding.
 */
public class GRULearningTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final int T = 20, BATCH = 32;

    @BeforeEach
    public void setUp() {
            }

    private static DataSet batch(Random rng, int mb) {
        INDArray x = Nd4j.zeros(DataType.FLOAT, mb, 1, T);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, mb, T);
        INDArray y = Nd4j.zeros(DataType.FLOAT, mb, 2);
        for (int i = 0; i < mb; i++) {
            int len = 10 + rng.nextInt(T - 10 + 1);
            for (int t = 0; t < len; t++) {
                x.putScalar(i, 0, t, rng.nextBoolean() ? 1.0 : -1.0);
                mask.putScalar(i, t, 1.0);
            }
            y.putScalar(i, x.getDouble(i, 0, 0) > 0 ? 1 : 0, 1.0);
        }
        return new DataSet(x, y, mask, null);
    }

    private static double accuracy(MultiLayerNetwork net, DataSet ds) {
        INDArray out = net.output(ds.getFeatures(), false, ds.getFeaturesMaskArray(), null);
        INDArray pred = out.argMax(1);
        INDArray truth = ds.getLabels().argMax(1);
        return pred.eq(truth).castTo(DataType.DOUBLE).meanNumber().doubleValue();
    }

    @Test
    public void learnsToRecallFirstElement() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(2024)
                .updater(new Adam(0.02))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list()
                .layer(new LastTimeStep(new GRU.Builder().nOut(16).build()))
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build())
                .setInputType(InputType.recurrent(1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();

        Random rng = new Random(99);
        DataSet test = batch(new Random(12345), 512);
        double initialLoss = net.score(test);
        double initialAcc = accuracy(net, test);

        long start = System.currentTimeMillis();
        double acc = 0;
        int iter = 0;
        for (; iter < 600; iter++) {
            net.fit(batch(rng, BATCH));
            if (iter % 50 == 49) {
                acc = accuracy(net, test);
                if (acc > 0.98) {
                    break;
                }
            }
        }
        double finalLoss = net.score(test);
        long ms = System.currentTimeMillis() - start;
        System.out.printf("GRU toy task: %d iterations in %d ms; test loss %.4f -> %.4f, accuracy %.3f -> %.3f%n",
                iter + 1, ms, initialLoss, finalLoss, initialAcc, acc);
        assertTrue(initialAcc < 0.75, "task must not be solved at init: " + initialAcc);
        assertTrue(acc > 0.9, "accuracy " + acc);
        assertTrue(finalLoss < 0.5 * initialLoss, "loss " + initialLoss + " -> " + finalLoss);
    }
}

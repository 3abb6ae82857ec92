package reviewnet.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import reviewnet.testing.DefaultDataTypes;

/**
 * Toy memory task in the product's shape (the cell returning its last step only → Dense → softmax, variable lengths
 * with a post-padding mask, workspaces enabled, float): the class is the sign of the FIRST element of a random ±1
 * sequence of length 10..20, so the cell must carry it through up to 19 distractor steps and the padding.
 */
class RecurrentLearningTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final int T = 20, BATCH = 32;

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
        return out.argMax(1).eq(ds.getLabels().argMax(1)).castTo(DataType.DOUBLE).meanNumber().doubleValue();
    }

    /** The learning rate and iteration budget each cell was tuned with: the gated cells 0.02 / 600, SimpleRNN 0.01 / 800. */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void learnsToRecallFirstElement(Cell cell) {
        boolean gated = cell != Cell.SIMPLE_RNN;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(2024)
                .updater(new Adam(gated ? 0.02 : 0.01))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list()
                .layer(cell.builder(0, 16).returnSequences(false).build())
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
        for (; iter < (gated ? 600 : 800); iter++) {
            net.fit(batch(rng, BATCH));
            if (iter % 50 == 49) {
                acc = accuracy(net, test);
                if (acc > 0.98) {
                    break;
                }
            }
        }
        double finalLoss = net.score(test);
        System.out.printf("%s toy task: %d iterations in %d ms; test loss %.4f -> %.4f, accuracy %.3f -> %.3f%n", cell,
                iter + 1, System.currentTimeMillis() - start, initialLoss, finalLoss, initialAcc, acc);
        assertTrue(initialAcc < 0.75, "task must not be solved at init: " + initialAcc);
        assertTrue(acc > 0.9, "accuracy " + acc);
        assertTrue(finalLoss < 0.5 * initialLoss, "loss " + initialLoss + " -> " + finalLoss);
    }
}

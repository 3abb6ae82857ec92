package reviewnet.nn.conv;

import reviewnet.nn.layers.FastEmbedding;
import reviewnet.nn.layers.MultiWidthConv1D;
import reviewnet.nn.GradientChecks;
import reviewnet.testing.DefaultDataTypes;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Numerical gradient checks (DL4J GradientCheckUtil: central differences, double precision) of
 * {@link MultiWidthConv1D}: behind an embedding (the kernels, biases and, through the layer's dL/dx, the embedding
 * weights; the embedding's output is already [mb, T, nIn] in memory) and on a plain NCW input (copied to NWC by the
 * layer). Biases start at 0.1 so that most filters are active (a dead relu has a zero gradient, which would pass
 * vacuously).
 */
public class MultiWidthConv1DGradientCheckTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);

    private static final int V = 9, N_IN = 4, T = 7, MB = 3, FILTERS = 3;

    @BeforeEach
    public void setUp() {
        Nd4j.getRandom().setSeed(12345);
    }

    @ParameterizedTest(name = "behind an embedding: {0}")
    @ValueSource(booleans = {true, false})
    public void gradientsMatchCentralDifferences(boolean behindEmbedding) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .seed(12345)
                .updater(new NoOp())
                .list();
        if (behindEmbedding) {
            list.layer(new FastEmbedding.Builder(V, N_IN).inputLength(T).weightInit(new UniformDistribution(-1, 1))
                    .build());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list
                .layer(new MultiWidthConv1D.Builder().widths(2, 3).filters(FILTERS).biasInit(0.1).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nOut(2).build())
                // keep the embedding's nIn (the vocabulary size), as SequenceClassifier does
                .overrideNinUponBuild(!behindEmbedding)
                .setInputType(behindEmbedding ? InputType.recurrent(1, T) : InputType.recurrent(N_IN, T))
                .build());
        net.init();
        INDArray in = behindEmbedding ? Nd4j.create(new double[][]{
                {0, 2, 2, 5, 8, 1, 3},
                {5, 5, 1, 0, 3, 7, 7},
                {4, 2, 3, 3, 0, 6, 1}})
                : Nd4j.rand(DataType.DOUBLE, MB, N_IN, T).subi(0.5);   // 'c' [mb, nIn, T]: copied to NWC
        String[] params = behindEmbedding ? new String[]{"0_W", "1_W0", "1_W1", "1_b0", "1_b1"}
                : new String[]{"0_W0", "0_W1", "0_b0", "0_b1"};
        GradientChecks.assertGradientsMatch(net, in, Nd4j.rand(DataType.DOUBLE, MB, 2), null, 1e-3, 1e-8, params);
    }
}

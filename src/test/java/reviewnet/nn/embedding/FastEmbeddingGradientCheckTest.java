package reviewnet.nn.embedding;

import reviewnet.nn.layers.FastEmbedding;
import reviewnet.nn.layers.FusedSimpleRnn;
import reviewnet.nn.GradientChecks;
import reviewnet.testing.DefaultDataTypes;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Numerical gradient checks (DL4J GradientCheckUtil: central differences, double precision) of the embedding weights
 * under a tanh recurrent layer, with duplicate indices, NCW and NWC, with and without a mask. The inputs are indices,
 * so only parameter gradients exist (the layer returns no epsilon).
 */
public class FastEmbeddingGradientCheckTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);

    private static final int V = 6, E = 3, N = 4, MB = 3, T = 5;

    @BeforeEach
    public void setUp() {
        Nd4j.getRandom().setSeed(12345);
    }

    private static MultiLayerNetwork net(RNNFormat format) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .seed(12345)
                .updater(new NoOp())
                .list()
                .layer(new FastEmbedding.Builder(V, E).inputLength(T).outputDataFormat(format)
                        .weightInit(new UniformDistribution(-1, 1)).build())
                .layer(new FusedSimpleRnn.Builder(E, N).dataFormat(format).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nOut(2)
                        .dataFormat(format).build())
                // keep the embedding's nIn (the vocabulary size), as SequenceClassifier does
                .overrideNinUponBuild(false)
                .setInputType(InputType.recurrent(1, T))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static INDArray indices() {
        return Nd4j.create(new double[][]{
                {0, 2, 2, 5, 2},
                {5, 5, 1, 0, 3},
                {4, 2, 3, 3, 0}});
    }

    private static INDArray labels(RNNFormat format) {
        return format == RNNFormat.NCW ? Nd4j.rand(DataType.DOUBLE, MB, 2, T) : Nd4j.rand(DataType.DOUBLE, MB, T, 2);
    }

    @ParameterizedTest
    @CsvSource({"NCW, false", "NWC, false", "NCW, true"})
    public void embeddingGradientMatchesCentralDifferences(RNNFormat format, boolean masked) {
        INDArray mask = !masked ? null : Nd4j.create(new double[][]{
                {1, 1, 1, 1, 1},
                {1, 1, 1, 0, 0},
                {0, 1, 1, 1, 1}});
        GradientChecks.assertGradientsMatch(net(format), indices(), labels(format), mask, 1e-3, 1e-8, "0_W");
    }
}

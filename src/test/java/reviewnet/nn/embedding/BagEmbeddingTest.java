package reviewnet.nn.embedding;

import reviewnet.nn.layers.BagEmbedding;
import reviewnet.nn.GradientChecks;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * {@link BagEmbedding}: the forward pass against a plain reference (mean of the non-padding rows of W), the gradient
 * against central differences in double precision (GradientCheckUtil).
 */
public class BagEmbeddingTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);

    private static final int V = 7, E = 3;

    @BeforeEach
    public void setUp() {
        Nd4j.getRandom().setSeed(12345);
    }

    private static MultiLayerNetwork net(DataType type, BagEmbedding.Pooling pooling) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(type)
                .seed(12345)
                .updater(new NoOp())
                .list()
                .layer(new BagEmbedding.Builder(V, E).weightInit(new UniformDistribution(-1, 1)).pooling(pooling).build())
                .layer(new OutputLayer.Builder(LossFunction.XENT).activation(Activation.SIGMOID).nOut(1).build())
                .overrideNinUponBuild(false)
                .setInputType(InputType.recurrent(1, 6))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * (indices of one example, the positions of W's rows pooled: padding 0 left out, repeats counted) for each
     * pooling and data type.
     */
    static Stream<Arguments> examples() {
        Stream<Object[]> examples = Stream.of(
                new Object[]{new double[]{0, 0, 3, 5, 5, 1}, new int[]{3, 5, 5, 1}},
                new Object[]{new double[]{6, 2, 0, 4, 0, 2}, new int[]{6, 2, 4, 2}},
                new Object[]{new double[]{0, 0, 0, 0, 0, 6}, new int[]{6}},
                new Object[]{new double[]{0, 0, 0, 0, 0, 0}, new int[]{}});
        return examples.flatMap(e -> Stream.of(BagEmbedding.Pooling.values()).flatMap(pooling ->
                Stream.of(DataType.DOUBLE, DataType.FLOAT).map(type -> Arguments.of(e[0], e[1], pooling, type))));
    }

    @ParameterizedTest
    @MethodSource("examples")
    public void poolsTheNonPaddingRows(double[] indices, int[] rows, BagEmbedding.Pooling pooling, DataType type) {
        MultiLayerNetwork net = net(type, pooling);
        INDArray w = net.getLayer(0).getParam("W");
        double[] expected = new double[E];
        double scale = pooling == BagEmbedding.Pooling.MEAN ? 1.0 / rows.length : 1.0 / Math.sqrt(rows.length);
        for (int r : rows) {
            for (int j = 0; j < E; j++) {
                expected[j] += w.getDouble(r, j) * scale;
            }
        }
        INDArray out = net.feedForwardToLayer(0, Nd4j.create(new double[][]{indices}).castTo(type), false).get(1);
        assertArrayEquals(new long[]{1, E}, out.shape());
        assertArrayEquals(expected, out.castTo(DataType.DOUBLE).toDoubleVector(),
                type == DataType.FLOAT ? 1e-6 : 1e-12, type + " " + pooling);
    }

    @ParameterizedTest
    @EnumSource(BagEmbedding.Pooling.class)
    public void gradientMatchesCentralDifferences(BagEmbedding.Pooling pooling) {
        MultiLayerNetwork net = net(DataType.DOUBLE, pooling);
        INDArray in = Nd4j.create(new double[][]{
                {0, 0, 3, 5, 5, 1},
                {6, 2, 0, 4, 0, 2},
                {0, 0, 0, 0, 0, 6},
                {0, 0, 0, 0, 0, 0}});
        INDArray labels = Nd4j.create(new double[][]{{1}, {0}, {1}, {0}});
        // padding's row gets no gradient
        net.setInput(in);
        net.setLabels(labels);
        net.computeGradientAndScore();
        assertEquals(0.0, net.gradient().getGradientFor("0_W").getRow(0).amaxNumber().doubleValue(), 0.0);
        GradientChecks.assertGradientsMatch(net, in, labels, null, 1e-5, 1e-10, "0_W");
    }
}

package reviewnet.nn.embedding;

import reviewnet.nn.layers.BagEmbedding;
import reviewnet.nn.layers.FastEmbedding;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.util.stream.Stream;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * {@link FastEmbedding} against DL4J's {@code EmbeddingSequenceLayer} (no bias, the product's configuration): same
 * parameter vector and initial values for the same seed, same output and same gradient for the same weights
 * (duplicate indices and masks included), NCW and NWC, input [mb, T] and [mb, 1, T]; invalid indices (also
 * {@link BagEmbedding}'s). Serialization: {@code CustomLayerSerializationTest}.
 */
public class FastEmbeddingTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final int V = 11, E = 5, MB = 3, T = 7;

    private static Layer dl4j(RNNFormat format) {
        return new EmbeddingSequenceLayer.Builder().nIn(V).nOut(E).inputLength(T).outputDataFormat(format)
                .weightInit(new UniformDistribution(-0.05, 0.05)).build();
    }

    private static Layer fast(RNNFormat format) {
        return new FastEmbedding.Builder(V, E).inputLength(T).outputDataFormat(format)
                .weightInit(new UniformDistribution(-0.05, 0.05)).build();
    }

    /**
     * embedding → RnnOutputLayer(MSE, identity), as the product's networks put layers on top of the embedding (for a
     * {@link BagEmbedding}, whose output is [mb, E]: an OutputLayer).
     */
    private static MultiLayerNetwork net(Layer embedding, RNNFormat format, DataType dataType) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(42)
                .dataType(dataType)
                .updater(new Adam(1e-2))
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .list()
                .layer(embedding)
                .layer(embedding instanceof BagEmbedding
                        ? new OutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nOut(2).build()
                        : new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nOut(2)
                                .dataFormat(format).build())
                // keep the embedding's nIn (the vocabulary size), as SequenceClassifier does
                .overrideNinUponBuild(false)
                .setInputType(InputType.recurrent(1, T))
                .build();
        conf.setValidateOutputLayerConfig(false);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Indices with duplicates within and across examples, the extremes 0 and V-1, and no word 1. */
    private static INDArray indices() {
        return Nd4j.create(new float[][]{
                {0, 3, 3, 10, 7, 3, 3},
                {10, 10, 2, 0, 5, 5, 9},
                {4, 3, 8, 6, 0, 10, 3}});
    }

    private static INDArray labels(RNNFormat format) {
        Nd4j.getRandom().setSeed(5);
        return format == RNNFormat.NCW ? Nd4j.rand(DataType.FLOAT, MB, 2, T) : Nd4j.rand(DataType.FLOAT, MB, T, 2);
    }

    @Test
    public void sameParametersAndInitialValuesAsDl4j() {
        MultiLayerNetwork ref = net(dl4j(RNNFormat.NCW), RNNFormat.NCW, DataType.FLOAT);
        MultiLayerNetwork net = net(fast(RNNFormat.NCW), RNNFormat.NCW, DataType.FLOAT);
        assertEquals((long) V * E, net.getLayer(0).numParams());
        assertEquals(ref.numParams(), net.numParams());
        assertEquals(ref.getLayer(0).paramTable().keySet(), net.getLayer(0).paramTable().keySet());
        assertArrayEquals(ref.getParam("0_W").shape(), net.getParam("0_W").shape());
        // same seed, same init call: identical flattened parameter vectors (so also the same 'f' layout)
        assertEquals(ref.params(), net.params());
        INDArray w = net.getParam("0_W");
        assertTrue(w.minNumber().doubleValue() >= -0.05 && w.maxNumber().doubleValue() <= 0.05);
        assertTrue(w.std(true).getDouble(0) > 0.01, "not initialized");
    }

    /** Output format, input [mb, 1, T] instead of [mb, T], with a mask. */
    static Stream<Arguments> variants() {
        return Stream.of(arguments(RNNFormat.NCW, false, false), arguments(RNNFormat.NWC, false, false),
                arguments(RNNFormat.NCW, true, false), arguments(RNNFormat.NCW, false, true),
                arguments(RNNFormat.NWC, false, true));
    }

    @ParameterizedTest
    @MethodSource("variants")
    public void forwardAndGradientEqualDl4j(RNNFormat format, boolean rank3, boolean masked) {
        INDArray in = rank3 ? indices().reshape(MB, 1, T) : indices();
        INDArray mask = !masked ? null : Nd4j.create(new float[][]{
                {1, 1, 1, 1, 1, 1, 1},
                {1, 1, 1, 1, 0, 0, 0},
                {0, 0, 1, 1, 1, 0, 1}});
        MultiLayerNetwork ref = net(dl4j(format), format, DataType.FLOAT);
        MultiLayerNetwork net = net(fast(format), format, DataType.FLOAT);
        // random weights well away from 0, and the same for both (the flattened layouts are the same)
        Nd4j.getRandom().setSeed(3);
        ref.setParams(Nd4j.rand(DataType.FLOAT, 1, ref.numParams()).subi(0.5));
        net.setParams(ref.params().dup());

        net.setLayerMaskArrays(mask, null);
        ref.setLayerMaskArrays(mask, null);
        INDArray expected = ref.feedForwardToLayer(0, in, false).get(1);
        INDArray actual = net.feedForwardToLayer(0, in, false).get(1);
        assertArrayEquals(expected.shape(), actual.shape());
        assertEquals(expected, actual);
        // spot check against the fixture itself: example 1, step 3 is word 0
        INDArray w = net.getParam("0_W");
        INDArray vector = format == RNNFormat.NCW ? actual.get(point(1), all(), point(3))
                : actual.get(point(1), point(3), all());
        assertEquals(w.getRow(0), vector.reshape(E));

        INDArray labels = labels(format);
        Gradient gr = gradient(ref, in, labels, mask);
        Gradient gn = gradient(net, in, labels, mask);
        INDArray expectedG = gr.getGradientFor("0_W");
        INDArray actualG = gn.getGradientFor("0_W");
        assertTrue(expectedG.amaxNumber().doubleValue() > 1e-3, "vacuous: zero reference gradient");
        assertTrue(actualG.equalsWithEps(expectedG, 1e-6), "embedding gradient differs:\n" + actualG + "\nvs\n" + expectedG);
        assertTrue(gn.gradient().equalsWithEps(gr.gradient(), 1e-6), "flattened gradient differs");
        // the row of a word that does not occur gets exactly 0
        assertEquals(0.0, actualG.getRow(1).amaxNumber().doubleValue(), 0.0);
    }

    private static Gradient gradient(MultiLayerNetwork net, INDArray in, INDArray labels, INDArray mask) {
        net.setInput(in);
        net.setLabels(labels);
        net.setLayerMaskArrays(mask, mask);
        net.computeGradientAndScore();
        Gradient g = net.gradient();
        net.clearLayerMaskArrays();
        return g;
    }

    /** Epsilon as FusedSimpleRnn returns it (rows of nOut contiguous, read in place) and as a 'c' [mb, nOut, T] (copied). */
    @Test
    public void gradientDoesNotDependOnEpsilonLayout() {
        MultiLayerNetwork net = net(fast(RNNFormat.NCW), RNNFormat.NCW, DataType.FLOAT);
        net.initGradientsView();
        org.deeplearning4j.nn.api.Layer layer = net.getLayer(0);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        Nd4j.getRandom().setSeed(9);
        INDArray rowsEps = Nd4j.rand(DataType.FLOAT, MB, T, E).permute(0, 2, 1);
        INDArray cEps = rowsEps.dup('c');
        assertEquals(1, rowsEps.stride(1));
        assertEquals(1, cEps.stride(2));
        layer.activate(indices(), true, mgr);
        INDArray fromRows = layer.backpropGradient(rowsEps, mgr).getFirst().getGradientFor("W").dup();
        INDArray fromC = layer.backpropGradient(cEps, mgr).getFirst().getGradientFor("W").dup();
        assertTrue(fromRows.amaxNumber().doubleValue() > 0.1);
        assertTrue(fromC.equalsWithEps(fromRows, 1e-6), "gradient depends on the epsilon layout");
        // word 3 occurs at (0,1), (0,2), (0,5), (0,6), (2,1), (2,6)
        INDArray expected = Nd4j.zeros(DataType.FLOAT, E);
        int[][] at = {{0, 1}, {0, 2}, {0, 5}, {0, 6}, {2, 1}, {2, 6}};
        for (int[] p : at) {
            expected.addi(cEps.get(point(p[0]), all(), point(p[1])).reshape(E));
        }
        assertTrue(fromC.getRow(3).reshape(E).equalsWithEps(expected, 1e-6), "row of word 3");
    }

    /** Several fit steps from the same start: the same parameters afterwards (gradient view fully rewritten each time). */
    @Test
    public void trainsLikeDl4j() {
        MultiLayerNetwork ref = net(dl4j(RNNFormat.NCW), RNNFormat.NCW, DataType.FLOAT);
        MultiLayerNetwork net = net(fast(RNNFormat.NCW), RNNFormat.NCW, DataType.FLOAT);
        net.setParams(ref.params().dup());
        INDArray labels = labels(RNNFormat.NCW);
        INDArray other = Nd4j.create(new float[][]{
                {1, 1, 1, 1, 1, 1, 1},
                {2, 2, 9, 9, 9, 2, 2},
                {5, 6, 7, 8, 9, 10, 0}});
        for (int i = 0; i < 4; i++) {
            INDArray in = i % 2 == 0 ? indices() : other;
            ref.fit(in, labels);
            net.fit(in, labels);
        }
        assertTrue(net.params().equalsWithEps(ref.params(), 1e-5), "parameters diverged after training");
    }

    /** Both embedding layers: indices outside [0, V), NaN and wrong shapes rejected, fractions truncated. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    public void invalidIndicesAreRejected(boolean bag) {
        MultiLayerNetwork net = net(bag ? new BagEmbedding.Builder(V, E).build() : fast(RNNFormat.NCW), RNNFormat.NCW,
                DataType.FLOAT);
        INDArray tooLarge = indices().dup();
        tooLarge.putScalar(2, 4, V);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.output(tooLarge));
        assertTrue(e.getMessage().contains("invalid word index 11.0 at example 2, step 4"), e.getMessage());
        INDArray negative = indices().dup();
        negative.putScalar(0, 0, -1);
        assertThrows(IllegalArgumentException.class, () -> net.output(negative));
        INDArray nan = indices().dup();
        nan.putScalar(1, 1, Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> net.output(nan));
        // fractions are truncated, as in DL4J's layer: 2.7 is word 2
        INDArray fraction = indices().dup();
        fraction.putScalar(1, 2, 2.7);
        assertEquals(net.output(indices()), net.output(fraction));
        // and in training
        INDArray labels = bag ? Nd4j.rand(DataType.FLOAT, MB, 2) : labels(RNNFormat.NCW);
        assertThrows(IllegalArgumentException.class, () -> net.fit(tooLarge, labels));
        // wrong rank / shape
        assertThrows(IllegalArgumentException.class, () -> net.output(indices().reshape(MB, T, 1)));
    }

    @Test
    public void builderRejectsUnsupportedSettings() {
        assertThrows(IllegalStateException.class, () -> new FastEmbedding.Builder(V, E).activation(Activation.TANH).build());
        assertThrows(IllegalStateException.class, () -> new FastEmbedding.Builder(V, E).dropOut(0.5).build());
    }
}

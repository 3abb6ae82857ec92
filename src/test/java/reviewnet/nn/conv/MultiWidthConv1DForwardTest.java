package reviewnet.nn.conv;

import reviewnet.nn.layers.FastEmbedding;
import reviewnet.nn.layers.MultiWidthConv1D;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * {@link MultiWidthConv1D}'s output against {@link MultiWidthConv1DReference} (FLOAT and DOUBLE, inference and
 * training mode, input as NCW memory or as the NWC memory an embedding produces), the FLOAT backward pass against the
 * DOUBLE one (which the gradient check covers), the recomputing backward pass, and the shape validation.
 */
public class MultiWidthConv1DForwardTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final int MB = 4, N_IN = 3, T = 9, FILTERS = 5;
    private static final List<Integer> WIDTHS = List.of(2, 3, 5);

    private static MultiLayerNetwork net(DataType type, int tLen) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(type)
                .seed(7)
                .list()
                .layer(new MultiWidthConv1D.Builder().widths(WIDTHS).filters(FILTERS).build())
                .layer(new OutputLayer.Builder(LossFunction.XENT).activation(Activation.SIGMOID).nOut(1).build())
                .setInputType(InputType.recurrent(N_IN, tLen))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        // biases around 0 so that some filters are dead (relu inactive for every step) and most are not
        for (int j = 0; j < WIDTHS.size(); j++) {
            net.getLayer(0).getParam("b" + j).assign(Nd4j.rand(DataType.DOUBLE, 1, FILTERS).subi(0.3));
        }
        return net;
    }

    /** A rank-3 array as double[d0][d1][d2]. */
    private static double[][][] cube(INDArray a) {
        double[][][] x = new double[(int) a.size(0)][][];
        for (int i = 0; i < x.length; i++) {
            x[i] = a.get(point(i), all(), all()).castTo(DataType.DOUBLE).toDoubleMatrix();
        }
        return x;
    }

    private static double[][] reference(MultiLayerNetwork net, INDArray in) {
        List<double[][][]> kernels = new ArrayList<>();
        List<double[]> biases = new ArrayList<>();
        for (int j = 0; j < WIDTHS.size(); j++) {
            INDArray w = net.getLayer(0).getParam("W" + j);
            assertArrayEquals(new long[]{WIDTHS.get(j), N_IN, FILTERS}, w.shape());
            kernels.add(cube(w));
            biases.add(net.getLayer(0).getParam("b" + j).castTo(DataType.DOUBLE).toDoubleVector());
        }
        return MultiWidthConv1DReference.forward(cube(in), WIDTHS, kernels, biases);
    }

    private static void assertClose(double[][] expected, INDArray actual, double tol) {
        assertArrayEquals(new long[]{expected.length, expected[0].length}, actual.shape());
        double[][] a = actual.castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], a[i], tol, "row " + i);
        }
    }

    @ParameterizedTest
    @CsvSource({"FLOAT, 1e-5", "DOUBLE, 1e-12"})
    public void matchesReference(DataType type, double tol) {
        MultiLayerNetwork net = net(type, T);
        INDArray ncw = Nd4j.rand(type, MB, N_IN, T).subi(0.5);
        // the same values in NWC memory, seen as [mb, nIn, T] (what FastEmbedding produces)
        INDArray nwcMemory = ncw.permute(0, 2, 1).dup('c').permute(0, 2, 1);
        double[][] expected = reference(net, ncw);
        int zeros = 0;
        for (double[] row : expected) {
            for (double v : row) {
                zeros += v == 0 ? 1 : 0;
            }
        }
        assertTrue(zeros > 0 && zeros < MB * WIDTHS.size() * FILTERS / 2, "dead relus: " + zeros);
        assertClose(expected, net.feedForward(ncw, false).get(1), tol);
        assertClose(expected, net.feedForward(nwcMemory, false).get(1), tol);
        assertClose(expected, net.feedForward(ncw, true).get(1), tol);
        assertEquals(type, net.feedForward(ncw, false).get(1).dataType());
    }

    @Test
    public void floatGradientsMatchDouble() {
        MultiLayerNetwork d = net(DataType.DOUBLE, T);
        MultiLayerNetwork f = net(DataType.FLOAT, T);
        f.setParams(d.params().castTo(DataType.FLOAT));
        INDArray in = Nd4j.rand(DataType.DOUBLE, MB, N_IN, T).subi(0.5);
        INDArray labels = Nd4j.create(new double[][]{{1}, {0}, {0}, {1}});
        d.setInput(in);
        d.setLabels(labels);
        d.computeGradientAndScore();
        f.setInput(in.castTo(DataType.FLOAT));
        f.setLabels(labels.castTo(DataType.FLOAT));
        f.computeGradientAndScore();
        INDArray gd = d.gradient().gradient();
        INDArray gf = f.gradient().gradient().castTo(DataType.DOUBLE);
        assertTrue(gd.amaxNumber().doubleValue() > 1e-3);
        assertEquals(0.0, gd.sub(gf).amaxNumber().doubleValue(), 1e-5);
    }

    /** backpropGradient without the training forward pass (it recomputes) gives the same gradients and epsilon. */
    @Test
    public void backpropWithoutCachedForwardPass() {
        MultiLayerNetwork net = net(DataType.DOUBLE, T);
        net.initGradientsView();
        Layer layer = net.getLayer(0);
        INDArray in = Nd4j.rand(DataType.DOUBLE, MB, N_IN, T).subi(0.5);
        INDArray eps = Nd4j.rand(DataType.DOUBLE, MB, WIDTHS.size() * FILTERS).subi(0.5);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();

        layer.setInput(in, mgr);
        layer.activate(true, mgr);
        Pair<Gradient, INDArray> cached = layer.backpropGradient(eps, mgr);
        INDArray g1 = cached.getFirst().gradient().dup();
        INDArray e1 = cached.getSecond().dup();

        layer.clear();
        layer.setInput(in, mgr);
        Pair<Gradient, INDArray> recomputed = layer.backpropGradient(eps, mgr);
        assertEquals(g1, recomputed.getFirst().gradient());
        assertEquals(e1, recomputed.getSecond());
        assertArrayEquals(new long[]{MB, N_IN, T}, e1.shape());
        assertTrue(e1.amaxNumber().doubleValue() > 1e-3);
    }

    @Test
    public void outputTypeAndPreprocessor() {
        MultiWidthConv1D conf = new MultiWidthConv1D.Builder().widths(WIDTHS).filters(FILTERS).build();
        assertEquals(WIDTHS.size() * FILTERS, conf.getNOut());
        conf.setNIn(InputType.recurrent(N_IN, T), false);
        assertEquals(N_IN, conf.getNIn());
        assertEquals(InputType.feedForward(WIDTHS.size() * FILTERS), conf.getOutputType(0, InputType.recurrent(N_IN, T)));
        assertEquals(InputType.feedForward(WIDTHS.size() * FILTERS), conf.getOutputType(0, InputType.recurrent(N_IN)));
        assertNull(conf.getPreProcessorForInputType(InputType.recurrent(N_IN, T)));
        assertEquals(InputType.feedForward(WIDTHS.size() * FILTERS),
                conf.getMemoryReport(InputType.recurrent(N_IN, T)).getOutputType());
        assertThrows(IllegalStateException.class, () -> conf.getOutputType(0, InputType.feedForward(N_IN)));
        assertThrows(IllegalStateException.class, () -> conf.getOutputType(0,
                InputType.recurrent(N_IN, T, org.deeplearning4j.nn.conf.RNNFormat.NWC)));
    }

    @Test
    public void sequencesShorterThanTheLargestWidthAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net(DataType.FLOAT, 4));
        assertTrue(e.getMessage().contains("largest convolution width 5"), e.getMessage());
        MultiLayerNetwork net = net(DataType.FLOAT, T);
        e = assertThrows(IllegalArgumentException.class, () -> net.output(Nd4j.rand(DataType.FLOAT, 2, N_IN, 4)));
        assertTrue(e.getMessage().contains("largest convolution width 5"), e.getMessage());
        // exactly the largest width: one step for that width
        assertArrayEquals(new long[]{2, 1}, net.output(Nd4j.rand(DataType.FLOAT, 2, N_IN, 5)).shape());
    }

    @Test
    public void builderRejectsWhatTheLayerDoesNotSupport() {
        assertThrows(IllegalArgumentException.class, () -> new MultiWidthConv1D.Builder().widths().build());
        assertThrows(IllegalArgumentException.class, () -> new MultiWidthConv1D.Builder().widths(3, 0).build());
        assertThrows(IllegalArgumentException.class, () -> new MultiWidthConv1D.Builder().filters(0).build());
        assertThrows(IllegalArgumentException.class, () -> new MultiWidthConv1D.Builder().nOut(7).build());
        assertThrows(IllegalArgumentException.class,
                () -> new MultiWidthConv1D.Builder().activation(Activation.TANH).build());
        assertEquals(300, new MultiWidthConv1D.Builder().build().getNOut());
    }
}

package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedLstm;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Forward pass of {@link FusedLstm} against the plain-Java Keras reference ({@link LstmReference}). */
public class FusedLstmForwardTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);

    private static final int MB = 3, N_IN = 5, N = 4, T = 7;

    private Random rng;
    private double[][] w, rw;
    private double[] b;

    @BeforeEach
    public void setUp() {
        rng = new Random(42);
        w = GruReference.randn(rng, N_IN, 4 * N, 0.6);
        rw = GruReference.randn(rng, N, 4 * N, 0.6);
        b = GruReference.randn(rng, 1, 4 * N, 0.5)[0];
    }

    private MultiLayerNetwork net(FusedLstm lstm, RNNFormat format, WorkspaceMode wsMode) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .seed(1)
                .trainingWorkspaceMode(wsMode)
                .inferenceWorkspaceMode(wsMode)
                .list()
                .layer(lstm);
        if (lstm.isReturnSequences()) {
            list.layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                    .dataFormat(format).nIn(N).nOut(2).build());
        } else {
            list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                    .nIn(N).nOut(2).build());
        }
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        p.get(FusedLstmParamInitializer.WEIGHT_KEY).assign(Nd4j.create(w));
        p.get(FusedLstmParamInitializer.RECURRENT_WEIGHT_KEY).assign(Nd4j.create(rw));
        p.get(FusedLstmParamInitializer.BIAS_KEY).assign(Nd4j.create(b).reshape(1, 4 * N));
        return net;
    }

    private MultiLayerNetwork net(RNNFormat format, boolean carry, WorkspaceMode wsMode) {
        return net(new FusedLstm.Builder(N_IN, N).dataFormat(format).carryStateOnMask(carry).build(), format, wsMode);
    }

    private static INDArray layerOut(MultiLayerNetwork net, INDArray in, INDArray mask, boolean training) {
        net.setLayerMaskArrays(mask, null);
        List<INDArray> acts = net.feedForward(in, training);
        net.clearLayerMaskArrays();
        return acts.get(1);
    }

    static double[][] holesMask() {
        // post padding, pre padding and holes in the middle
        return new double[][]{
                {1, 1, 1, 1, 1, 0, 0},
                {0, 0, 1, 1, 1, 1, 1},
                {1, 0, 1, 1, 0, 0, 1}};
    }

    @Test
    public void noMaskMatchesReferenceNcw() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][][] ref = LstmReference.forward(x, w, rw, b, null, true);
        INDArray out = layerOut(net(RNNFormat.NCW, true, WorkspaceMode.ENABLED), GruReference.toNcw(x), null, false);
        assertArrayEquals(new long[]{MB, N, T}, out.shape());
        assertTrue(GruReference.maxAbs(ref) > 0.1, "reference output must not be trivial");
        double diff = GruReference.maxAbsDiffNcw(ref, out);
        assertTrue(diff < 1e-10, "max abs diff " + diff);
    }

    @Test
    public void noMaskMatchesReferenceNwc() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][][] ref = LstmReference.forward(x, w, rw, b, null, true);
        INDArray out = layerOut(net(RNNFormat.NWC, true, WorkspaceMode.ENABLED), GruReference.toNwc(x), null, false);
        assertArrayEquals(new long[]{MB, T, N}, out.shape());
        double diff = GruReference.maxAbsDiffNcw(ref, out.permute(0, 2, 1));
        assertTrue(diff < 1e-10, "max abs diff " + diff);
    }

    @Test
    public void maskCarryMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        double[][][] ref = LstmReference.forward(x, w, rw, b, mask, true);
        INDArray out = layerOut(net(RNNFormat.NCW, true, WorkspaceMode.ENABLED), GruReference.toNcw(x), Nd4j.create(mask), false);
        double diff = GruReference.maxAbsDiffNcw(ref, out);
        assertTrue(diff < 1e-10, "max abs diff " + diff);
        assertEquals(0.0, out.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(6)).amaxNumber().doubleValue(), 0.0);
        // the carry semantics really differs from reset semantics for masks with holes
        double[][][] refReset = LstmReference.forward(x, w, rw, b, mask, false);
        assertTrue(GruReference.maxAbsDiffNcw(refReset, out) > 1e-3);
    }

    @Test
    public void maskResetMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        double[][][] ref = LstmReference.forward(x, w, rw, b, mask, false);
        INDArray out = layerOut(net(RNNFormat.NCW, false, WorkspaceMode.ENABLED), GruReference.toNcw(x), Nd4j.create(mask), false);
        double diff = GruReference.maxAbsDiffNcw(ref, out);
        assertTrue(diff < 1e-10, "max abs diff " + diff);
    }

    @Test
    public void maskNwcMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        double[][][] ref = LstmReference.forward(x, w, rw, b, mask, true);
        INDArray out = layerOut(net(RNNFormat.NWC, true, WorkspaceMode.ENABLED), GruReference.toNwc(x), Nd4j.create(mask), false);
        double diff = GruReference.maxAbsDiffNcw(ref, out.permute(0, 2, 1));
        assertTrue(diff < 1e-10, "max abs diff " + diff);
    }

    @Test
    public void trainingModeForwardMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        for (boolean carry : new boolean[]{true, false}) {
            double[][][] ref = LstmReference.forward(x, w, rw, b, mask, carry);
            INDArray train = layerOut(net(RNNFormat.NCW, carry, WorkspaceMode.ENABLED), GruReference.toNcw(x),
                    Nd4j.create(mask), true);
            assertTrue(GruReference.maxAbsDiffNcw(ref, train) < 1e-10, "carry " + carry);
        }
    }

    /** returnSequences=false: [mb, n], the output of each example's last unmasked step, in both modes. */
    @Test
    public void lastStepOnlyMatchesReferenceLastUnmaskedStep() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        for (double[][] mask : new double[][][]{null, holesMask()}) {
            double[][] ref = LstmReference.lastUnmasked(LstmReference.forward(x, w, rw, b, mask, true), mask);
            MultiLayerNetwork net = net(new FusedLstm.Builder(N_IN, N).returnSequences(false).build(),
                    RNNFormat.NCW, WorkspaceMode.ENABLED);
            for (boolean training : new boolean[]{false, true}) {
                INDArray out = layerOut(net, GruReference.toNcw(x), mask == null ? null : Nd4j.create(mask), training);
                assertArrayEquals(new long[]{MB, N}, out.shape());
                for (int i = 0; i < MB; i++) {
                    for (int k = 0; k < N; k++) {
                        assertEquals(ref[i][k], out.getDouble(i, k), 1e-10, "example " + i + " training " + training);
                    }
                }
            }
        }
    }

    @Test
    public void lastStepOnlyOutputTypeIsFeedForward() {
        FusedLstm last = new FusedLstm.Builder(N_IN, N).returnSequences(false).build();
        assertEquals(InputType.feedForward(N), last.getOutputType(0, InputType.recurrent(N_IN, T)));
        FusedLstm seq = new FusedLstm.Builder(N_IN, N).build();
        assertEquals(InputType.recurrent(N, T), seq.getOutputType(0, InputType.recurrent(N_IN, T)));
    }

    @Test
    public void unsupportedSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new FusedLstm.Builder(N_IN, N).returnSequences(false).carryStateOnMask(false).build());
        assertThrows(IllegalArgumentException.class,
                () -> new FusedLstm.Builder(N_IN, N).activation(Activation.RELU).build());
    }

    @Test
    public void workspacesDoNotChangeOutput() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        INDArray in = GruReference.toNcw(x);
        INDArray mask = Nd4j.create(holesMask());
        MultiLayerNetwork a = net(RNNFormat.NCW, true, WorkspaceMode.ENABLED);
        MultiLayerNetwork c = net(RNNFormat.NCW, true, WorkspaceMode.NONE);
        for (int rep = 0; rep < 3; rep++) {   // repeated calls reuse (and must not corrupt) workspace memory
            INDArray oa = a.output(in, false, mask, null);
            INDArray oc = c.output(in, false, mask, null);
            assertEquals(0.0, oa.sub(oc).amaxNumber().doubleValue(), 1e-12);
        }
    }

    @Test
    public void rnnTimeStepMatchesFullSequence() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        MultiLayerNetwork net = net(RNNFormat.NCW, true, WorkspaceMode.ENABLED);
        INDArray in = GruReference.toNcw(x);
        INDArray full = net.output(in);
        net.rnnClearPreviousState();
        INDArray o1 = net.rnnTimeStep(in.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 3)));
        INDArray o2 = net.rnnTimeStep(in.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(3)));
        INDArray o3 = net.rnnTimeStep(in.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(4, T)));
        assertEquals(0.0, full.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 3)).sub(o1)
                .amaxNumber().doubleValue(), 1e-10);
        assertEquals(0.0, full.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(3)).sub(o2.reshape(MB, 2))
                .amaxNumber().doubleValue(), 1e-10);
        assertEquals(0.0, full.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(4, T)).sub(o3)
                .amaxNumber().doubleValue(), 1e-10);
        // the stored state is the last hidden state
        double[][][] ref = LstmReference.forward(x, w, rw, b, null, true);
        INDArray state = net.rnnGetPreviousState(0).get(FusedLstmLayer.STATE_KEY_PREV_ACTIVATION);
        for (int i = 0; i < MB; i++) {
            for (int k = 0; k < N; k++) {
                assertEquals(ref[i][T - 1][k], state.getDouble(i, k), 1e-10);
            }
        }
    }
}

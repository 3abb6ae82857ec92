package reviewnet.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import reviewnet.nn.layers.FusedLstm;
import reviewnet.nn.layers.FusedRecurrent;
import reviewnet.nn.layers.FusedSimpleRnn;
import reviewnet.testing.DefaultDataTypes;

/**
 * The forward pass of every {@link Cell} against its plain-Java Keras reference (double precision, 1e-10): NCW and
 * NWC, without a mask and with one with holes (carried and reset state), inference and training mode, the generic
 * activation path, the last step only, workspaces, rnnTimeStep with the stored state; then what only one cell has.
 */
class RecurrentForwardTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);

    private static final int MB = 3, N_IN = 5, N = 4, T = 7;

    private final Random rng = new Random(42);
    private Cell cell;
    private Map<String, double[][]> p;
    private double[][][] x;

    /** Random parameters for the cell (W, RW scale 0.6, biases as one row, scale 0.5) and a random input. */
    private void setUp(Cell c) {
        cell = c;
        p = new LinkedHashMap<>();
        for (String k : c.paramKeys()) {
            p.put(k, GruReference.randn(rng, k.equals("W") ? N_IN : k.equals("RW") ? N : 1, c.gates * N,
                    k.endsWith("W") ? 0.6 : 0.5));
        }
        x = GruReference.randn(rng, MB, T, N_IN, 1.0);
    }

    private MultiLayerNetwork net(Layer layer, boolean sequences, RNNFormat format, WorkspaceMode wsMode) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .seed(1)
                .trainingWorkspaceMode(wsMode)
                .inferenceWorkspaceMode(wsMode)
                .list()
                .layer(layer)
                .layer(sequences
                        ? new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                                .dataFormat(format).nIn(N).nOut(2).build()
                        : new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                                .nIn(N).nOut(2).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        Map<String, INDArray> params = net.getLayer(0).paramTable();
        for (Map.Entry<String, double[][]> e : p.entrySet()) {
            params.get(e.getKey()).assign(Nd4j.create(e.getValue()).reshape(params.get(e.getKey()).shape()));
        }
        return net;
    }

    private MultiLayerNetwork net(FusedRecurrent layer, RNNFormat format, WorkspaceMode wsMode) {
        return net(layer, layer.isReturnSequences(), format, wsMode);
    }

    private MultiLayerNetwork net(RNNFormat format, boolean carry, WorkspaceMode wsMode) {
        return net(cell.builder(N_IN, N).dataFormat(format).carryStateOnMask(carry).build(), format, wsMode);
    }

    private static INDArray layerOut(MultiLayerNetwork net, INDArray in, INDArray mask, boolean training) {
        net.setLayerMaskArrays(mask, null);
        List<INDArray> acts = net.feedForward(in, training);
        net.clearLayerMaskArrays();
        return acts.get(1);
    }

    private static INDArray input(double[][][] x, RNNFormat f) {
        return f == RNNFormat.NCW ? GruReference.toNcw(x) : GruReference.toNwc(x);
    }

    /** The layer's [mb, n, T] output, whatever its format. */
    private static INDArray ncw(INDArray out, RNNFormat f) {
        return f == RNNFormat.NCW ? out : out.permute(0, 2, 1);
    }

    /** Post padding, pre padding and holes in the middle. */
    static double[][] holesMask() {
        return new double[][]{
                {1, 1, 1, 1, 1, 0, 0},
                {0, 0, 1, 1, 1, 1, 1},
                {1, 0, 1, 1, 0, 0, 1}};
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void noMaskMatchesReference(Cell c) {
        setUp(c);
        double[][][] ref = c.reference(x, p, null, true);
        assertTrue(GruReference.maxAbs(ref) > 0.1, "reference output must not be trivial");
        for (RNNFormat f : RNNFormat.values()) {
            INDArray out = layerOut(net(f, true, WorkspaceMode.ENABLED), input(x, f), null, false);
            assertArrayEquals(f == RNNFormat.NCW ? new long[]{MB, N, T} : new long[]{MB, T, N}, out.shape());
            double diff = GruReference.maxAbsDiffNcw(ref, ncw(out, f));
            assertTrue(diff < 1e-10, f + ": max abs diff " + diff);
        }
    }

    /** With a mask with holes: carried state (NCW and NWC), reset state, inference and training mode. */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void maskMatchesReference(Cell c) {
        setUp(c);
        double[][] mask = holesMask();
        for (boolean carry : new boolean[]{true, false}) {
            double[][][] ref = c.reference(x, p, mask, carry);
            for (RNNFormat f : RNNFormat.values()) {
                for (boolean training : new boolean[]{false, true}) {
                    INDArray out = ncw(layerOut(net(f, carry, WorkspaceMode.ENABLED), input(x, f), Nd4j.create(mask),
                            training), f);
                    double diff = GruReference.maxAbsDiffNcw(ref, out);
                    assertTrue(diff < 1e-10, f + " carry " + carry + " training " + training + ": " + diff);
                    assertEquals(0.0, out.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(6))
                            .amaxNumber().doubleValue(), 0.0);
                }
            }
        }
        // the carry semantics really differs from reset semantics for masks with holes
        assertTrue(GruReference.maxAbsDiffNcw(c.reference(x, p, mask, false),
                layerOut(net(RNNFormat.NCW, true, WorkspaceMode.ENABLED), GruReference.toNcw(x), Nd4j.create(mask),
                        false)) > 1e-3);
    }

    /** Activation instances that are not exactly the standard classes take the IActivation-based path. */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void genericActivationPathMatchesReference(Cell c) {
        assumeTrue(c.standardAsGeneric(N_IN, N) != null, c + " has only its standard activations");
        setUp(c);
        double[][] mask = holesMask();
        double[][][] ref = c.reference(x, p, mask, true);
        MultiLayerNetwork net = net(c.standardAsGeneric(N_IN, N).build(), RNNFormat.NCW, WorkspaceMode.ENABLED);
        for (boolean training : new boolean[]{false, true}) {   // training keeps the pre-activations for backprop
            INDArray out = layerOut(net, GruReference.toNcw(x), Nd4j.create(mask), training);
            assertTrue(GruReference.maxAbsDiffNcw(ref, out) < 1e-10, "training " + training);
        }
    }

    /**
     * returnSequences=false: [mb, n], each example's last unmasked output (the reference's), exactly what LastTimeStep
     * picks from the full sequence; NCW and NWC, inference and training mode, and the whole networks agree.
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void lastStepOnlyMatchesReferenceLastUnmaskedStep(Cell c) {
        setUp(c);
        for (double[][] mask : new double[][][]{null, holesMask()}) {
            double[][] ref = LstmReference.lastUnmasked(c.reference(x, p, mask, true), mask);
            INDArray m = mask == null ? null : Nd4j.create(mask);
            for (RNNFormat f : RNNFormat.values()) {
                MultiLayerNetwork last = net(c.builder(N_IN, N).dataFormat(f).returnSequences(false).build(), f,
                        WorkspaceMode.ENABLED);
                MultiLayerNetwork wrapped = net(new LastTimeStep(c.builder(N_IN, N).dataFormat(f).build()), false, f,
                        WorkspaceMode.ENABLED);
                INDArray in = input(x, f);
                for (boolean training : new boolean[]{false, true}) {
                    INDArray out = layerOut(last, in, m, training);
                    assertArrayEquals(new long[]{MB, N}, out.shape());
                    for (int i = 0; i < MB; i++) {
                        for (int k = 0; k < N; k++) {
                            assertEquals(ref[i][k], out.getDouble(i, k), 1e-10, "example " + i + " " + f);
                        }
                    }
                    assertEquals(layerOut(wrapped, in, m, training), out, f + " mask " + (m != null));
                }
                assertEquals(wrapped.output(in, false, m, null), last.output(in, false, m, null));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void outputTypeAndUnsupportedSettings(Cell c) {
        FusedRecurrent last = c.builder(N_IN, N).returnSequences(false).build();
        assertEquals(InputType.feedForward(N), last.getOutputType(0, InputType.recurrent(N_IN, T)));
        FusedRecurrent seq = c.builder(N_IN, N).build();
        assertEquals(InputType.recurrent(N, T), seq.getOutputType(0, InputType.recurrent(N_IN, T)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.builder(N_IN, N).returnSequences(false).carryStateOnMask(false).build());
        assertTrue(e.getMessage().contains("carryStateOnMask"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void workspacesDoNotChangeOutput(Cell c) {
        setUp(c);
        INDArray in = GruReference.toNcw(x);
        INDArray mask = Nd4j.create(holesMask());
        MultiLayerNetwork a = net(RNNFormat.NCW, true, WorkspaceMode.ENABLED);
        MultiLayerNetwork b = net(RNNFormat.NCW, true, WorkspaceMode.NONE);
        for (int rep = 0; rep < 3; rep++) {   // repeated calls reuse (and must not corrupt) workspace memory
            assertEquals(0.0, a.output(in, false, mask, null).sub(b.output(in, false, mask, null))
                    .amaxNumber().doubleValue(), 1e-12);
        }
    }

    /** 3 steps, 1 step (2D input), the rest: the outputs of the full sequence; the stored state; a cleared state. */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void rnnTimeStepMatchesFullSequence(Cell c) {
        setUp(c);
        double[][][] ref = c.reference(x, p, null, true);
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
        INDArray state = net.rnnGetPreviousState(0).get(FusedRecurrentLayer.STATE_KEY_PREV_ACTIVATION);
        for (int i = 0; i < MB; i++) {
            for (int k = 0; k < N; k++) {
                assertEquals(ref[i][T - 1][k], state.getDouble(i, k), 1e-10);
            }
        }
        // a cleared state starts from zero again
        net.rnnClearPreviousState();
        INDArray o1b = net.rnnTimeStep(in.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 3)));
        assertEquals(0.0, o1.sub(o1b).amaxNumber().doubleValue(), 1e-12);
    }

    @Test
    void lstmRejectsOtherActivations() {
        assertThrows(IllegalArgumentException.class,
                () -> new FusedLstm.Builder(N_IN, N).activation(Activation.RELU).build());
    }

    /** Another activation really is applied (softsign), on the generic path. */
    @Test
    void simpleRnnOtherActivationMatchesReference() {
        setUp(Cell.SIMPLE_RNN);
        double[][] mask = holesMask();
        double[][][] ref = SimpleRnnReference.forward(x, p.get("W"), p.get("RW"), p.get("b")[0], mask, true, null,
                v -> v / (1 + Math.abs(v)));
        MultiLayerNetwork soft = net(new FusedSimpleRnn.Builder(N_IN, N).activation(Activation.SOFTSIGN).build(),
                RNNFormat.NCW, WorkspaceMode.ENABLED);
        assertTrue(GruReference.maxAbsDiffNcw(ref, layerOut(soft, GruReference.toNcw(x), Nd4j.create(mask), false))
                < 1e-10);
    }

    /** Without a mask our SimpleRnn equals DL4J's; with one, the reset variant matches DL4J's semantics. */
    @Test
    void simpleRnnMatchesDl4jSimpleRnn() {
        setUp(Cell.SIMPLE_RNN);
        INDArray in = GruReference.toNcw(x);
        MultiLayerNetwork ours = net(RNNFormat.NCW, true, WorkspaceMode.ENABLED);
        MultiLayerNetwork dl4j = net(new SimpleRnn.Builder().nIn(N_IN).nOut(N).activation(Activation.TANH).build(),
                true, RNNFormat.NCW, WorkspaceMode.ENABLED);
        assertEquals(ours.numParams(), dl4j.numParams());
        double diff = layerOut(ours, in, null, false).sub(layerOut(dl4j, in, null, false)).amaxNumber().doubleValue();
        assertTrue(diff < 1e-10, "max abs diff " + diff);
        INDArray m = Nd4j.create(holesMask());
        MultiLayerNetwork reset = net(RNNFormat.NCW, false, WorkspaceMode.ENABLED);
        diff = layerOut(reset, in, m, false).sub(layerOut(dl4j, in, m, false)).amaxNumber().doubleValue();
        assertTrue(diff < 1e-10, "max abs diff with mask " + diff);
    }
}

package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedSimpleRnn;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Forward pass of the FusedSimpleRnn against the plain-Java Keras reference ({@link SimpleRnnReference}). */
public class FusedSimpleRnnForwardTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);

    private static final int MB = 3, N_IN = 5, N = 4, T = 7;

    private Random rng;
    private double[][] w, rw;
    private double[] b;

    @BeforeEach
    public void setUp() {
        rng = new Random(42);
        w = GruReference.randn(rng, N_IN, N, 0.6);
        rw = GruReference.randn(rng, N, N, 0.6);
        b = GruReference.randn(rng, 1, N, 0.5)[0];
    }

    private static FusedSimpleRnn.Builder rnn(RNNFormat format, boolean carry) {
        return new FusedSimpleRnn.Builder(N_IN, N).dataFormat(format).carryStateOnMask(carry);
    }

    /** The recurrent layer under test (layer 0) with the test's weights, then an output layer. */
    private MultiLayerNetwork net(Layer rnnLayer, RNNFormat format, WorkspaceMode wsMode) {
        Layer out = rnnLayer instanceof FusedSimpleRnn f && !f.isReturnSequences() || rnnLayer instanceof LastTimeStep
                ? new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nIn(N).nOut(2).build()
                : new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .dataFormat(format).nIn(N).nOut(2).build();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .seed(1)
                .trainingWorkspaceMode(wsMode)
                .inferenceWorkspaceMode(wsMode)
                .list()
                .layer(rnnLayer)
                .layer(out)
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        p.get(FusedSimpleRnnParamInitializer.WEIGHT_KEY).assign(Nd4j.create(w));
        p.get(FusedSimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY).assign(Nd4j.create(rw));
        p.get(FusedSimpleRnnParamInitializer.BIAS_KEY).assign(Nd4j.create(b).reshape(1, N));
        return net;
    }

    private MultiLayerNetwork net(RNNFormat format, boolean carry, WorkspaceMode wsMode) {
        return net(rnn(format, carry).build(), format, wsMode);
    }

    private static INDArray rnnOut(MultiLayerNetwork net, INDArray in, INDArray mask, boolean training) {
        net.setLayerMaskArrays(mask, null);
        List<INDArray> acts = net.feedForward(in, training);
        net.clearLayerMaskArrays();
        return acts.get(1);
    }

    private static double[][] holesMask() {
        // post padding, pre padding and holes in the middle
        return new double[][]{
                {1, 1, 1, 1, 1, 0, 0},
                {0, 0, 1, 1, 1, 1, 1},
                {1, 0, 1, 1, 0, 0, 1}};
    }

    private static double maxAbsDiff(double[][] ref, INDArray a) {
        double max = 0;
        for (int i = 0; i < ref.length; i++) {
            for (int k = 0; k < ref[0].length; k++) {
                max = Math.max(max, Math.abs(ref[i][k] - a.getDouble(i, k)));
            }
        }
        return max;
    }

    @Test
    public void noMaskMatchesReferenceNcw() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][][] ref = SimpleRnnReference.forward(x, w, rw, b, null, true, null);
        INDArray out = rnnOut(net(RNNFormat.NCW, true, WorkspaceMode.ENABLED), GruReference.toNcw(x), null, false);
        assertArrayEquals(new long[]{MB, N, T}, out.shape());
        assertTrue(GruReference.maxAbs(ref) > 0.1, "reference output must not be trivial");
        double diff = GruReference.maxAbsDiffNcw(ref, out);
        assertTrue(diff < 1e-10, "max abs diff " + diff);
    }

    @Test
    public void noMaskMatchesReferenceNwc() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][][] ref = SimpleRnnReference.forward(x, w, rw, b, null, true, null);
        INDArray out = rnnOut(net(RNNFormat.NWC, true, WorkspaceMode.ENABLED), GruReference.toNwc(x), null, false);
        assertArrayEquals(new long[]{MB, T, N}, out.shape());
        double diff = GruReference.maxAbsDiffNcw(ref, out.permute(0, 2, 1));
        assertTrue(diff < 1e-10, "max abs diff " + diff);
    }

    @Test
    public void maskCarryMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        double[][][] ref = SimpleRnnReference.forward(x, w, rw, b, mask, true, null);
        INDArray out = rnnOut(net(RNNFormat.NCW, true, WorkspaceMode.ENABLED), GruReference.toNcw(x), Nd4j.create(mask), false);
        double diff = GruReference.maxAbsDiffNcw(ref, out);
        assertTrue(diff < 1e-10, "max abs diff " + diff);
        // masked steps are exactly 0
        assertEquals(0.0, out.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(6)).amaxNumber().doubleValue(), 0.0);
        // and the carry semantics really differs from reset semantics for masks with holes
        double[][][] refReset = SimpleRnnReference.forward(x, w, rw, b, mask, false, null);
        assertTrue(GruReference.maxAbsDiffNcw(refReset, out) > 1e-3);
    }

    @Test
    public void maskResetMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        double[][][] ref = SimpleRnnReference.forward(x, w, rw, b, mask, false, null);
        INDArray out = rnnOut(net(RNNFormat.NCW, false, WorkspaceMode.ENABLED), GruReference.toNcw(x), Nd4j.create(mask), false);
        double diff = GruReference.maxAbsDiffNcw(ref, out);
        assertTrue(diff < 1e-10, "max abs diff " + diff);
    }

    @Test
    public void maskNwcMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        double[][][] ref = SimpleRnnReference.forward(x, w, rw, b, mask, true, null);
        INDArray out = rnnOut(net(RNNFormat.NWC, true, WorkspaceMode.ENABLED), GruReference.toNwc(x), Nd4j.create(mask), false);
        double diff = GruReference.maxAbsDiffNcw(ref, out.permute(0, 2, 1));
        assertTrue(diff < 1e-10, "max abs diff " + diff);
    }

    /** Activations other than exactly tanh take the IActivation-based path (a subclass of tanh is not recognised). */
    @Test
    public void genericActivationPathMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        double[][][] ref = SimpleRnnReference.forward(x, w, rw, b, mask, true, null);
        MultiLayerNetwork net = net(rnn(RNNFormat.NCW, true).activation(new ActivationTanH() { }).build(),
                RNNFormat.NCW, WorkspaceMode.ENABLED);
        INDArray in = GruReference.toNcw(x);
        assertTrue(GruReference.maxAbsDiffNcw(ref, rnnOut(net, in, Nd4j.create(mask), false)) < 1e-10);
        // training-mode forward (keeps pre-activations for backprop) gives the same output
        assertTrue(GruReference.maxAbsDiffNcw(ref, rnnOut(net, in, Nd4j.create(mask), true)) < 1e-10);
        // and another activation really is applied
        double[][][] refSoftsign = SimpleRnnReference.forward(x, w, rw, b, mask, true, null, v -> v / (1 + Math.abs(v)));
        MultiLayerNetwork soft = net(rnn(RNNFormat.NCW, true).activation(Activation.SOFTSIGN).build(),
                RNNFormat.NCW, WorkspaceMode.ENABLED);
        assertTrue(GruReference.maxAbsDiffNcw(refSoftsign, rnnOut(soft, in, Nd4j.create(mask), false)) < 1e-10);
    }

    @Test
    public void trainingModeForwardMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        for (boolean carry : new boolean[]{true, false}) {
            double[][][] ref = SimpleRnnReference.forward(x, w, rw, b, mask, carry, null);
            INDArray train = rnnOut(net(RNNFormat.NCW, carry, WorkspaceMode.ENABLED), GruReference.toNcw(x), Nd4j.create(mask), true);
            assertTrue(GruReference.maxAbsDiffNcw(ref, train) < 1e-10, "carry " + carry);
        }
    }

    /** returnSequences(false) gives the last unmasked output, exactly what LastTimeStep picks from the sequence. */
    @Test
    public void lastStepOnlyEqualsLastTimeStepOfSequence() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] holes = holesMask();
        for (RNNFormat format : RNNFormat.values()) {
            INDArray in = format == RNNFormat.NCW ? GruReference.toNcw(x) : GruReference.toNwc(x);
            for (double[][] mask : new double[][][]{null, holes}) {
                double[][] ref = SimpleRnnReference.lastUnmasked(SimpleRnnReference.forward(x, w, rw, b, mask, true, null), mask);
                INDArray m = mask == null ? null : Nd4j.create(mask);
                MultiLayerNetwork last = net(rnn(format, true).returnSequences(false).build(), format, WorkspaceMode.ENABLED);
                MultiLayerNetwork wrapped = net(new LastTimeStep(rnn(format, true).build()), format, WorkspaceMode.ENABLED);
                for (boolean training : new boolean[]{false, true}) {
                    INDArray a = rnnOut(last, in, m, training);
                    INDArray c = rnnOut(wrapped, in, m, training);
                    assertArrayEquals(new long[]{MB, N}, a.shape());
                    assertTrue(maxAbsDiff(ref, a) < 1e-10, format + " mask " + (m != null));
                    assertEquals(c, a, format + " mask " + (m != null));
                }
                // and the whole networks agree (the output layer sees no mask either way)
                assertEquals(wrapped.output(in, false, m, null), last.output(in, false, m, null));
            }
        }
    }

    /** Same function as DL4J's own SimpleRnn (no mask: DL4J resets the state on masked steps) with the same weights. */
    @Test
    public void matchesDl4jSimpleRnn() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        INDArray in = GruReference.toNcw(x);
        MultiLayerNetwork ours = net(RNNFormat.NCW, true, WorkspaceMode.ENABLED);
        MultiLayerNetwork dl4j = net(new SimpleRnn.Builder().nIn(N_IN).nOut(N).activation(Activation.TANH).build(),
                RNNFormat.NCW, WorkspaceMode.ENABLED);
        assertEquals(ours.numParams(), dl4j.numParams());
        double diff = rnnOut(ours, in, null, false).sub(rnnOut(dl4j, in, null, false)).amaxNumber().doubleValue();
        assertTrue(diff < 1e-10, "max abs diff " + diff);
        // with a mask, the reset variant matches DL4J's semantics
        INDArray m = Nd4j.create(holesMask());
        MultiLayerNetwork reset = net(RNNFormat.NCW, false, WorkspaceMode.ENABLED);
        diff = rnnOut(reset, in, m, false).sub(rnnOut(dl4j, in, m, false)).amaxNumber().doubleValue();
        assertTrue(diff < 1e-10, "max abs diff with mask " + diff);
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
        double[][][] ref = SimpleRnnReference.forward(x, w, rw, b, null, true, null);
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
        INDArray state = net.rnnGetPreviousState(0).get(FusedSimpleRnnLayer.STATE_KEY_PREV_ACTIVATION);
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
}

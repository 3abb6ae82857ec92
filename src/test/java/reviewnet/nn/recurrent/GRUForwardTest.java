package reviewnet.nn.recurrent;

import reviewnet.nn.layers.GRU;
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

/** Forward pass of the GRU against the plain-Java Keras reference ({@link GruReference}). */
public class GRUForwardTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);

    private static final int MB = 3, N_IN = 5, N = 4, T = 7;

    private Random rng;
    private double[][] w, rw;
    private double[] b, rb;

    @BeforeEach
    public void setUp() {
        rng = new Random(42);
        w = GruReference.randn(rng, N_IN, 3 * N, 0.6);
        rw = GruReference.randn(rng, N, 3 * N, 0.6);
        b = GruReference.randn(rng, 1, 3 * N, 0.5)[0];
        rb = GruReference.randn(rng, 1, 3 * N, 0.5)[0];
    }

    private MultiLayerNetwork net(RNNFormat format, boolean carry, WorkspaceMode wsMode) {
        return net(new GRU.Builder(N_IN, N).dataFormat(format).carryStateOnMask(carry).build(), format, wsMode);
    }

    private MultiLayerNetwork net(GRU gru, RNNFormat format, WorkspaceMode wsMode) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .seed(1)
                .trainingWorkspaceMode(wsMode)
                .inferenceWorkspaceMode(wsMode)
                .list()
                .layer(gru)
                .layer(gru.isReturnSequences()
                        ? new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                                .dataFormat(format).nIn(N).nOut(2).build()
                        : new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                                .nIn(N).nOut(2).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        p.get(GRUParamInitializer.WEIGHT_KEY).assign(Nd4j.create(w));
        p.get(GRUParamInitializer.RECURRENT_WEIGHT_KEY).assign(Nd4j.create(rw));
        p.get(GRUParamInitializer.BIAS_KEY).assign(Nd4j.create(b).reshape(1, 3 * N));
        p.get(GRUParamInitializer.RECURRENT_BIAS_KEY).assign(Nd4j.create(rb).reshape(1, 3 * N));
        return net;
    }

    private static INDArray gruOut(MultiLayerNetwork net, INDArray in, INDArray mask) {
        net.setLayerMaskArrays(mask, null);
        List<INDArray> acts = net.feedForward(in, false);
        net.clearLayerMaskArrays();
        return acts.get(1);
    }

    private double[][] holesMask() {
        // post padding, pre padding and holes in the middle
        return new double[][]{
                {1, 1, 1, 1, 1, 0, 0},
                {0, 0, 1, 1, 1, 1, 1},
                {1, 0, 1, 1, 0, 0, 1}};
    }

    /** returnSequences=false: the output of each example's last unmasked step, [mb, n], NCW and NWC. */
    @Test
    public void lastStepOnlyMatchesReferenceLastUnmaskedStep() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        for (double[][] mask : new double[][][]{null, holesMask()}) {
            double[][] ref = LstmReference.lastUnmasked(GruReference.forward(x, w, rw, b, rb, mask, true, null), mask);
            for (RNNFormat f : RNNFormat.values()) {
                MultiLayerNetwork net = net(new GRU.Builder(N_IN, N).dataFormat(f).returnSequences(false).build(), f,
                        WorkspaceMode.ENABLED);
                INDArray in = f == RNNFormat.NCW ? GruReference.toNcw(x) : GruReference.toNwc(x);
                INDArray out = gruOut(net, in, mask == null ? null : Nd4j.create(mask));
                assertArrayEquals(new long[]{MB, N}, out.shape());
                for (int i = 0; i < MB; i++) {
                    for (int k = 0; k < N; k++) {
                        assertEquals(ref[i][k], out.getDouble(i, k), 1e-10, "example " + i + " " + f);
                    }
                }
            }
        }
    }

    @Test
    public void lastStepOnlyOutputTypeIsFeedForward() {
        GRU last = new GRU.Builder(N_IN, N).returnSequences(false).build();
        assertEquals(InputType.feedForward(N), last.getOutputType(0, InputType.recurrent(N_IN, T)));
        GRU seq = new GRU.Builder(N_IN, N).build();
        assertEquals(InputType.recurrent(N, T), seq.getOutputType(0, InputType.recurrent(N_IN, T)));
    }

    @Test
    public void noMaskMatchesReferenceNcw() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][][] ref = GruReference.forward(x, w, rw, b, rb, null, true, null);
        INDArray out = gruOut(net(RNNFormat.NCW, true, WorkspaceMode.ENABLED), GruReference.toNcw(x), null);
        assertArrayEquals(new long[]{MB, N, T}, out.shape());
        assertTrue(GruReference.maxAbs(ref) > 0.1, "reference output must not be trivial");
        double diff = GruReference.maxAbsDiffNcw(ref, out);
        assertTrue(diff < 1e-10, "max abs diff " + diff);
    }

    @Test
    public void noMaskMatchesReferenceNwc() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][][] ref = GruReference.forward(x, w, rw, b, rb, null, true, null);
        INDArray out = gruOut(net(RNNFormat.NWC, true, WorkspaceMode.ENABLED), GruReference.toNwc(x), null);
        assertArrayEquals(new long[]{MB, T, N}, out.shape());
        double diff = GruReference.maxAbsDiffNcw(ref, out.permute(0, 2, 1));
        assertTrue(diff < 1e-10, "max abs diff " + diff);
    }

    @Test
    public void maskCarryMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        double[][][] ref = GruReference.forward(x, w, rw, b, rb, mask, true, null);
        INDArray out = gruOut(net(RNNFormat.NCW, true, WorkspaceMode.ENABLED), GruReference.toNcw(x), Nd4j.create(mask));
        double diff = GruReference.maxAbsDiffNcw(ref, out);
        assertTrue(diff < 1e-10, "max abs diff " + diff);
        // masked steps are exactly 0
        assertEquals(0.0, out.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(6)).amaxNumber().doubleValue(), 0.0);
        // and the carry semantics really differs from reset semantics for masks with holes
        double[][][] refReset = GruReference.forward(x, w, rw, b, rb, mask, false, null);
        assertTrue(GruReference.maxAbsDiffNcw(refReset, out) > 1e-3);
    }

    @Test
    public void maskResetMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        double[][][] ref = GruReference.forward(x, w, rw, b, rb, mask, false, null);
        INDArray out = gruOut(net(RNNFormat.NCW, false, WorkspaceMode.ENABLED), GruReference.toNcw(x), Nd4j.create(mask));
        double diff = GruReference.maxAbsDiffNcw(ref, out);
        assertTrue(diff < 1e-10, "max abs diff " + diff);
    }

    @Test
    public void maskNwcMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        double[][][] ref = GruReference.forward(x, w, rw, b, rb, mask, true, null);
        INDArray out = gruOut(net(RNNFormat.NWC, true, WorkspaceMode.ENABLED), GruReference.toNwc(x), Nd4j.create(mask));
        double diff = GruReference.maxAbsDiffNcw(ref, out.permute(0, 2, 1));
        assertTrue(diff < 1e-10, "max abs diff " + diff);
    }

    /**
     * Same maths through the generic activation path (used for any activation other than exactly sigmoid/tanh):
     * subclasses of sigmoid/tanh are not recognised as such, so they take the IActivation-based code.
     */
    @Test
    public void genericActivationPathMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        double[][][] ref = GruReference.forward(x, w, rw, b, rb, mask, true, null);
        GRU gru = new GRU.Builder(N_IN, N)
                .activation(new org.nd4j.linalg.activations.impl.ActivationTanH() { })
                .gateActivationFunction(new org.nd4j.linalg.activations.impl.ActivationSigmoid() { })
                .build();
        MultiLayerNetwork net = net(gru, RNNFormat.NCW, WorkspaceMode.ENABLED);
        INDArray in = GruReference.toNcw(x);
        double diff = GruReference.maxAbsDiffNcw(ref, gruOut(net, in, Nd4j.create(mask)));
        assertTrue(diff < 1e-10, "max abs diff " + diff);
        // training-mode forward (keeps pre-activations for backprop) gives the same output
        net.setLayerMaskArrays(Nd4j.create(mask), null);
        INDArray train = net.feedForward(in, true).get(1);
        net.clearLayerMaskArrays();
        assertTrue(GruReference.maxAbsDiffNcw(ref, train) < 1e-10);
    }

    @Test
    public void trainingModeForwardMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = holesMask();
        double[][][] ref = GruReference.forward(x, w, rw, b, rb, mask, true, null);
        MultiLayerNetwork net = net(RNNFormat.NCW, true, WorkspaceMode.ENABLED);
        net.setLayerMaskArrays(Nd4j.create(mask), null);
        INDArray train = net.feedForward(GruReference.toNcw(x), true).get(1);
        net.clearLayerMaskArrays();
        assertTrue(GruReference.maxAbsDiffNcw(ref, train) < 1e-10);
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
        double[][][] ref = GruReference.forward(x, w, rw, b, rb, null, true, null);
        MultiLayerNetwork net = net(RNNFormat.NCW, true, WorkspaceMode.ENABLED);
        INDArray in = GruReference.toNcw(x);
        // feed 3 steps, then 1 step (2D input), then the rest; compare the GRU state-driven outputs via the output layer
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
        // the stored state is the GRU's last hidden state
        INDArray state = net.rnnGetPreviousState(0).get(GRULayer.STATE_KEY_PREV_ACTIVATION);
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

package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedLstm;
import reviewnet.nn.layers.GRU;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The float inference passes of {@link FusedLstmLayer} and {@link GRULayer} (element-wise work in
 * {@link FloatKernels}) against the double-precision Keras references and against the same layer's training-mode
 * forward pass in float (ND4J's ops): every data format, mask policy and output mode, a stored state
 * ({@code rnnTimeStep}), and repeated calls in one workspace. Rows: (layer, format, mask, carry, returnSequences).
 */
class FloatInferenceTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final int MB = 5, N_IN = 6, N = 8, T = 9;
    /** Float rounding over T steps against a double reference; the kernels' own error is 1.6e-7 per tanh. */
    private static final double TOLERANCE = 2e-5;

    static Stream<Arguments> fixtures() {
        Stream.Builder<Arguments> rows = Stream.builder();
        for (String layer : List.of("lstm", "gru")) {
            for (RNNFormat format : RNNFormat.values()) {
                for (boolean masked : new boolean[]{false, true}) {
                    for (boolean carry : masked ? new boolean[]{true, false} : new boolean[]{true}) {
                        for (boolean seq : new boolean[]{true, false}) {
                            if (!seq && !carry) {
                                continue;   // last-step-only output needs the carried state (the builders refuse it)
                            }
                            rows.add(Arguments.of(layer, format, masked, carry, seq));
                        }
                    }
                }
            }
        }
        return rows.build();
    }

    /** post padding, pre padding, holes, all on, a single step */
    private static double[][] mask() {
        return new double[][]{
                {1, 1, 1, 1, 1, 1, 0, 0, 0},
                {0, 0, 0, 1, 1, 1, 1, 1, 1},
                {1, 0, 1, 1, 0, 0, 1, 1, 0},
                {1, 1, 1, 1, 1, 1, 1, 1, 1},
                {0, 0, 0, 0, 1, 0, 0, 0, 0}};
    }

    private record Setup(MultiLayerNetwork net, double[][][] reference) {
    }

    private static Setup setup(String layer, RNNFormat format, boolean carry, boolean seq, double[][][] x,
                               double[][] mask, Random rng) {
        int gates = layer.equals("lstm") ? 4 : 3;
        double[][] w = GruReference.randn(rng, N_IN, gates * N, 0.6);
        double[][] rw = GruReference.randn(rng, N, gates * N, 0.6);
        double[] b = GruReference.randn(rng, 1, gates * N, 0.5)[0];
        double[] rb = GruReference.randn(rng, 1, gates * N, 0.5)[0];
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.equals("lstm")
                ? new FusedLstm.Builder(N_IN, N).dataFormat(format).carryStateOnMask(carry).returnSequences(seq).build()
                : new GRU.Builder(N_IN, N).dataFormat(format).carryStateOnMask(carry).returnSequences(seq).build();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT).seed(1)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED).inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list()
                .layer(conf)
                .layer(seq
                        ? new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                                .dataFormat(format).nIn(N).nOut(2).build()
                        : new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                                .nIn(N).nOut(2).build())
                .build());
        net.init();
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        p.get(FusedRecurrentParamInitializer.WEIGHT_KEY).assign(Nd4j.create(w));
        p.get(FusedRecurrentParamInitializer.RECURRENT_WEIGHT_KEY).assign(Nd4j.create(rw));
        p.get(FusedRecurrentParamInitializer.BIAS_KEY).assign(Nd4j.create(b).reshape(1, gates * N));
        double[][][] ref;
        if (layer.equals("lstm")) {
            ref = LstmReference.forward(x, w, rw, b, mask, carry);
        } else {
            p.get(GRUParamInitializer.RECURRENT_BIAS_KEY).assign(Nd4j.create(rb).reshape(1, gates * N));
            ref = GruReference.forward(x, w, rw, b, rb, mask, carry, null);
        }
        return new Setup(net, ref);
    }

    private static INDArray layerOut(MultiLayerNetwork net, INDArray in, INDArray mask, boolean training) {
        net.setLayerMaskArrays(mask, null);
        List<INDArray> acts = net.feedForward(in, training);
        net.clearLayerMaskArrays();
        return acts.get(1);
    }

    /** The reference output as the layer lays it out: [mb, n, T] (NCW), [mb, T, n] (NWC) or [mb, n] (last step). */
    private static double expected(double[][][] ref, double[][] mask, RNNFormat format, boolean seq, int i, int k, int t) {
        return seq ? ref[i][t][k] : LstmReference.lastUnmasked(ref, mask)[i][k];
    }

    @ParameterizedTest(name = "{0} {1} masked={2} carry={3} returnSequences={4}")
    @MethodSource("fixtures")
    void floatInferenceMatchesTheReferenceAndTheTrainingPass(String layer, RNNFormat format, boolean masked,
                                                             boolean carry, boolean seq) {
        Random rng = new Random(7);
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.5);
        double[][] mask = masked ? mask() : null;
        Setup s = setup(layer, format, carry, seq, x, mask, rng);
        INDArray in = (format == RNNFormat.NCW ? GruReference.toNcw(x) : GruReference.toNwc(x)).castTo(DataType.FLOAT);
        INDArray m = masked ? Nd4j.create(mask).castTo(DataType.FLOAT) : null;
        INDArray training = layerOut(s.net(), in, m, true);     // ND4J's ops (no dropout configured)
        for (int rep = 0; rep < 3; rep++) {                      // repeated calls reuse the workspaces
            INDArray out = layerOut(s.net(), in, m, false);
            assertEquals(DataType.FLOAT, out.dataType());
            assertEquals(java.util.Arrays.toString(training.shape()), java.util.Arrays.toString(out.shape()));
            double maxRef = 0;
            for (int i = 0; i < MB; i++) {
                for (int k = 0; k < N; k++) {
                    for (int t = 0; t < (seq ? T : 1); t++) {
                        double got = !seq ? out.getDouble(i, k)
                                : format == RNNFormat.NCW ? out.getDouble(i, k, t) : out.getDouble(i, t, k);
                        double want = expected(s.reference(), mask, format, seq, i, k, t);
                        if (seq && masked && carry && mask[i][t] == 0) {
                            want = 0;    // masked steps output 0, the state is carried
                        }
                        maxRef = Math.max(maxRef, Math.abs(got - want));
                    }
                }
            }
            assertTrue(maxRef < TOLERANCE, "max |inference − reference| = " + maxRef);
            double maxTrain = out.sub(training).amaxNumber().doubleValue();
            assertTrue(maxTrain < TOLERANCE, "max |inference − training pass| = " + maxTrain);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void rnnTimeStepContinuesFromTheStoredState(String layer) {
        Random rng = new Random(11);
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.5);
        Setup s = setup(layer, RNNFormat.NCW, true, true, x, null, rng);
        INDArray in = GruReference.toNcw(x).castTo(DataType.FLOAT);
        INDArray full = s.net().output(in);
        s.net().rnnClearPreviousState();
        INDArray o1 = s.net().rnnTimeStep(in.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 4)));
        INDArray o2 = s.net().rnnTimeStep(in.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(4, T)));
        assertEquals(0.0, full.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 4)).sub(o1)
                .amaxNumber().doubleValue(), 1e-6);
        assertEquals(0.0, full.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(4, T)).sub(o2)
                .amaxNumber().doubleValue(), 1e-6);
        INDArray state = s.net().rnnGetPreviousState(0).get(FusedLstmLayer.STATE_KEY_PREV_ACTIVATION);
        for (int i = 0; i < MB; i++) {
            for (int k = 0; k < N; k++) {
                assertEquals(s.reference()[i][T - 1][k], state.getDouble(i, k), TOLERANCE);
            }
        }
    }

    static Stream<String> layers() {
        return Stream.of("lstm", "gru");
    }
}

package reviewnet.nn.recurrent;

import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
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
 * The float inference passes of every {@link Cell} that has one ({@link FusedRecurrentLayer#floatPath}; element-wise
 * work in {@link FloatKernels}) against the double-precision Keras references and against the same layer's training-mode
 * forward pass in float (ND4J's ops): every data format, mask policy and output mode, a stored state
 * ({@code rnnTimeStep}), and repeated calls in one workspace. Rows: (cell, format, mask, carry, returnSequences).
 */
class FloatInferenceTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final int MB = 5, N_IN = 6, N = 8, T = 9;
    /** Float rounding over T steps against a double reference; the kernels' own error is 1.6e-7 per tanh. */
    private static final double TOLERANCE = 2e-5;

    /** The cells whose layers infer in float through {@link FloatKernels}. */
    static Stream<Cell> floatCells() {
        return Arrays.stream(Cell.values())
                .filter(c -> ((FusedRecurrentLayer<?>) setup(c, RNNFormat.NCW, true, true, null, null, new Random(0))
                        .net().getLayer(0)).floatPath());
    }

    static Stream<Arguments> fixtures() {
        Stream.Builder<Arguments> rows = Stream.builder();
        for (Cell layer : floatCells().toList()) {
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

    /** A float network around the cell with random parameters, and the reference output for x (if given). */
    private static Setup setup(Cell cell, RNNFormat format, boolean carry, boolean seq, double[][][] x,
                               double[][] mask, Random rng) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT).seed(1)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED).inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list()
                .layer(cell.builder(N_IN, N).dataFormat(format).carryStateOnMask(carry).returnSequences(seq).build())
                .layer(seq
                        ? new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                                .dataFormat(format).nIn(N).nOut(2).build()
                        : new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                                .nIn(N).nOut(2).build())
                .build());
        net.init();
        Map<String, double[][]> p = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : net.getLayer(0).paramTable().entrySet()) {
            String k = e.getKey();
            p.put(k, GruReference.randn(rng, k.equals("W") ? N_IN : k.equals("RW") ? N : 1, cell.gates * N,
                    k.endsWith("W") ? 0.6 : 0.5));
            e.getValue().assign(Nd4j.create(p.get(k)).reshape(e.getValue().shape()));
        }
        return new Setup(net, x == null ? null : cell.reference(x, p, mask, carry));
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
    void floatInferenceMatchesTheReferenceAndTheTrainingPass(Cell layer, RNNFormat format, boolean masked,
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
            assertEquals(Arrays.toString(training.shape()), Arrays.toString(out.shape()));
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
    @MethodSource("floatCells")
    void rnnTimeStepContinuesFromTheStoredState(Cell layer) {
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
        INDArray state = s.net().rnnGetPreviousState(0).get(FusedRecurrentLayer.STATE_KEY_PREV_ACTIVATION);
        for (int i = 0; i < MB; i++) {
            for (int k = 0; k < N; k++) {
                assertEquals(s.reference()[i][T - 1][k], state.getDouble(i, k), TOLERANCE);
            }
        }
    }
}

package reviewnet.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.deeplearning4j.nn.conf.constraint.NonNegativeConstraint;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
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
import reviewnet.nn.layers.Bidirectional;
import reviewnet.nn.layers.FusedRecurrent;
import reviewnet.testing.DefaultDataTypes;

/**
 * {@link Bidirectional} over every {@link Cell}: the forward pass against the cell's plain-Java reference (the forward
 * direction's last unmasked state on x, then the backward direction's on x and the mask reversed in time: Keras
 * {@code Bidirectional(cell)}, merge_mode='concat'), masking, float, workspaces, rejected settings; the configuration
 * through JSON and the parameters (two sets of the cell's, each initialized like the cell's). The gradient checks are
 * in {@link RecurrentGradientCheckTest}, the model zip round trip in {@link RecurrentSerializationTest}.
 */
class BidirectionalTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);

    private static final int MB = 3, N_IN = 5, N = 4, T = 7;

    private final Random rng = new Random(42);
    /** Per direction (0 forward, 1 backward) the cell's parameters by key, biases as one row. */
    private final List<Map<String, double[][]>> p = List.of(new LinkedHashMap<>(), new LinkedHashMap<>());

    private void setUp(Cell c) {
        for (Map<String, double[][]> d : p) {
            for (String k : c.paramKeys()) {
                d.put(k, GruReference.randn(rng, k.equals("W") ? N_IN : k.equals("RW") ? N : 1, c.gates * N,
                        k.endsWith("W") ? 0.6 : 0.5));
            }
        }
    }

    private MultiLayerNetwork net(Cell c, RNNFormat format, WorkspaceMode wsMode, DataType dataType) {
        MultiLayerNetwork net = single(c.bidirectional(N_IN, N).dataFormat(format).build(), dataType, wsMode);
        Map<String, INDArray> params = net.getLayer(0).paramTable();
        for (int d = 0; d < 2; d++) {
            for (Map.Entry<String, double[][]> e : p.get(d).entrySet()) {
                INDArray param = params.get((d == 0 ? "f" : "b") + e.getKey());
                param.assign(Nd4j.create(e.getValue()).reshape(param.shape()));
            }
        }
        return net;
    }

    private static MultiLayerNetwork single(Layer layer, DataType dataType, WorkspaceMode wsMode) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .dataType(dataType).seed(1).trainingWorkspaceMode(wsMode).inferenceWorkspaceMode(wsMode)
                .list()
                .layer(layer)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .nIn(layer instanceof Bidirectional ? 2 * N : N).nOut(2).build())
                .build());
        net.init();
        return net;
    }

    private static double[][][] reversed(double[][][] x) {
        double[][][] r = new double[x.length][][];
        for (int i = 0; i < x.length; i++) {
            r[i] = new double[x[i].length][];
            for (int t = 0; t < x[i].length; t++) {
                r[i][t] = x[i][x[i].length - 1 - t];
            }
        }
        return r;
    }

    /** [forward direction's last unmasked state | backward direction's, on the reversed sequence], [mb][2n]. */
    private double[][] reference(Cell c, double[][][] x, double[][] mask) {
        double[][] mr = null;
        if (mask != null) {
            mr = new double[mask.length][T];
            for (int i = 0; i < mask.length; i++) {
                for (int t = 0; t < T; t++) {
                    mr[i][t] = mask[i][T - 1 - t];
                }
            }
        }
        double[][] fwd = LstmReference.lastUnmasked(c.reference(x, p.get(0), mask, true), mask);
        double[][] bwd = LstmReference.lastUnmasked(c.reference(reversed(x), p.get(1), mr, true), mr);
        double[][] out = new double[x.length][2 * N];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(fwd[i], 0, out[i], 0, N);
            System.arraycopy(bwd[i], 0, out[i], N, N);
        }
        return out;
    }

    private static INDArray layerOut(MultiLayerNetwork net, INDArray in, double[][] mask, boolean training) {
        net.setLayerMaskArrays(mask == null ? null : Nd4j.create(mask).castTo(in.dataType()), null);
        INDArray out = net.feedForward(in, training).get(1);
        net.clearLayerMaskArrays();
        return out;
    }

    private static double maxAbsDiff(double[][] ref, INDArray out) {
        assertArrayEquals(new long[]{MB, 2 * N}, out.shape());
        double max = 0;
        for (int i = 0; i < MB; i++) {
            for (int k = 0; k < 2 * N; k++) {
                max = Math.max(max, Math.abs(ref[i][k] - out.getDouble(i, k)));
            }
        }
        return max;
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void matchesReferenceNcwNwcMaskedOrNotInferenceAndTraining(Cell c) {
        setUp(c);
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        for (double[][] mask : new double[][][]{null, RecurrentForwardTest.holesMask()}) {
            double[][] ref = reference(c, x, mask);
            for (RNNFormat f : RNNFormat.values()) {
                MultiLayerNetwork net = net(c, f, WorkspaceMode.ENABLED, DataType.DOUBLE);
                INDArray in = f == RNNFormat.NCW ? GruReference.toNcw(x) : GruReference.toNwc(x);
                for (boolean training : new boolean[]{false, true}) {
                    double diff = maxAbsDiff(ref, layerOut(net, in, mask, training));
                    assertTrue(diff < 1e-10, "max abs diff " + diff + " (" + f + ", mask " + (mask != null)
                            + ", training " + training + ")");
                }
            }
        }
    }

    /**
     * The backward half is the backward direction's state after reading x from the last step to the first, not the
     * backward parameters run forward over x.
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void directionsReadTheSequenceInOppositeOrders(Cell c) {
        setUp(c);
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        INDArray out = layerOut(net(c, RNNFormat.NCW, WorkspaceMode.ENABLED, DataType.DOUBLE), GruReference.toNcw(x),
                null, false);
        double[][] bwdForward = LstmReference.lastUnmasked(c.reference(x, p.get(1), null, true), null);
        double maxBwdVsForwardRead = 0;
        for (int i = 0; i < MB; i++) {
            for (int k = 0; k < N; k++) {
                maxBwdVsForwardRead = Math.max(maxBwdVsForwardRead, Math.abs(bwdForward[i][k] - out.getDouble(i, N + k)));
            }
        }
        assertTrue(maxBwdVsForwardRead > 1e-2, "backward half looks like a forward read: " + maxBwdVsForwardRead);
        assertTrue(maxAbsDiff(reference(c, x, null), out) < 1e-10);
    }

    /** Keras semantics with a mask: a padded, masked sequence gives what the unpadded sequence gives. */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void maskedPaddingEqualsUnpaddedSequence(Cell c) {
        setUp(c);
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = {{0, 0, 0, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1}};
        MultiLayerNetwork net = net(c, RNNFormat.NCW, WorkspaceMode.ENABLED, DataType.DOUBLE);
        INDArray masked = layerOut(net, GruReference.toNcw(x), mask, false);
        int[][] kept = {{3, 7}, {0, 4}, {0, 7}};
        for (int i = 0; i < MB; i++) {
            double[][][] one = {Arrays.copyOfRange(x[i], kept[i][0], kept[i][1])};
            INDArray single = net.feedForward(GruReference.toNcw(one), false).get(1);
            for (int k = 0; k < 2 * N; k++) {
                assertEquals(single.getDouble(0, k), masked.getDouble(i, k), 1e-12, "example " + i + " unit " + k);
            }
        }
    }

    /** FLOAT networks (the product's precision) agree with the double reference to float accuracy. */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void floatNetworkMatchesReference(Cell c) {
        setUp(c);
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        for (double[][] mask : new double[][][]{null, RecurrentForwardTest.holesMask()}) {
            MultiLayerNetwork net = net(c, RNNFormat.NCW, WorkspaceMode.ENABLED, DataType.FLOAT);
            for (boolean training : new boolean[]{false, true}) {
                INDArray out = layerOut(net, GruReference.toNcw(x).castTo(DataType.FLOAT), mask, training);
                assertEquals(DataType.FLOAT, out.dataType());
                assertTrue(maxAbsDiff(reference(c, x, mask), out) < 1e-5, "float diff " + maxAbsDiff(reference(c, x, mask), out));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void workspacesDoNotChangeOutput(Cell c) {
        setUp(c);
        INDArray in = GruReference.toNcw(GruReference.randn(rng, MB, T, N_IN, 1.0));
        INDArray mask = Nd4j.create(RecurrentForwardTest.holesMask());
        MultiLayerNetwork a = net(c, RNNFormat.NCW, WorkspaceMode.ENABLED, DataType.DOUBLE);
        MultiLayerNetwork b = net(c, RNNFormat.NCW, WorkspaceMode.NONE, DataType.DOUBLE);
        for (int rep = 0; rep < 3; rep++) {   // repeated calls reuse (and must not corrupt) workspace memory
            assertEquals(0.0, a.output(in, false, mask, null).sub(b.output(in, false, mask, null))
                    .amaxNumber().doubleValue(), 1e-12);
            assertEquals(0.0, a.output(in).sub(b.output(in)).amaxNumber().doubleValue(), 1e-12);
        }
    }

    @Test
    void outputTypeAndUnsupportedSettingsAndCalls() {
        Bidirectional layer = Cell.GRU.bidirectional(N_IN, N).build();
        assertEquals(InputType.feedForward(2 * N), layer.getOutputType(0, InputType.recurrent(N_IN, T)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cell.GRU.bidirectional(N_IN, N).returnSequences(true).build());
        assertTrue(e.getMessage().contains("returnSequences"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Cell.GRU.bidirectional(N_IN, N).weightNoise(new DropConnect(0.5)).build());
        MultiLayerNetwork net = single(layer, DataType.DOUBLE, WorkspaceMode.ENABLED);
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
                () -> net.rnnTimeStep(Nd4j.rand(DataType.DOUBLE, MB, N_IN, T)));
        assertTrue(u.getMessage().contains("whole sequence"), u.getMessage());
    }

    /**
     * JSON/YAML round trip with the cell's non-default settings, equals() looking at the cell, and each direction: the
     * cell with the layer's settings, returning its last state, without dropout.
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void jsonAndYamlRoundTrip(Cell c) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(c.bidirectional(6, 8, c.nonDefault(0, 0)).weightInitRecurrent(WeightInit.XAVIER)
                        .dataFormat(RNNFormat.NWC).dropOut(new Dropout(0.8)).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build())
                .setInputType(InputType.recurrent(6, RNNFormat.NWC))
                .build();
        String json = conf.toJson();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        assertEquals(conf, MultiLayerConfiguration.fromYaml(conf.toYaml()));
        assertEquals(16, ((DenseLayer) back.getConf(1).getLayer()).getNIn(), "the next layer sees both directions");

        Bidirectional bi = assertInstanceOf(Bidirectional.class, back.getConf(0).getLayer());
        FusedRecurrent d = bi.direction();
        assertEquals(c.builder(0, 0).build().getClass(), d.getClass());
        assertEquals(6, d.getNIn());
        assertEquals(8, d.getNOut());
        c.assertNonDefault(d);
        assertEquals(WeightInit.XAVIER.getWeightInitFunction(), d.getWeightInitFnRecurrent());
        assertEquals(RNNFormat.NWC, d.getRnnDataFormat());
        assertFalse(d.isReturnSequences());
        assertNull(d.getIDropout());
        if (c.changeOwnField(bi.getCell())) {
            assertNotEquals(conf, back);
        }
    }

    /**
     * Two parameter sets of the cell's, forward then backward, each with the cell's layout; the forward set is
     * initialized exactly as the cell's (same seed, same draws), the backward set the same way with the next draws.
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void parametersAreTwoCellSetsInitializedLikeTheCell(Cell c) {
        MultiLayerNetwork bi = single(c.bidirectional(N_IN, N).build(), DataType.FLOAT, WorkspaceMode.ENABLED);
        MultiLayerNetwork one = single(c.builder(N_IN, N).returnSequences(false).build(), DataType.FLOAT,
                WorkspaceMode.ENABLED);
        Map<String, INDArray> pb = bi.getLayer(0).paramTable();
        Map<String, INDArray> q = one.getLayer(0).paramTable();
        assertEquals(List.of(c.bidirectionalKeys()), List.copyOf(pb.keySet()));
        long cellParams = one.getLayer(0).numParams();
        assertEquals(2 * cellParams, bi.getLayer(0).numParams());
        for (String k : q.keySet()) {
            assertEquals(q.get(k), pb.get("f" + k), "forward " + k + " initialized like the cell's " + k);
            assertArrayEquals(q.get(k).shape(), pb.get("b" + k).shape(), "backward " + k + " shape");
        }
        INDArray bRw = pb.get("bRW").castTo(DataType.DOUBLE);
        assertEquals(0.0, bRw.mmul(bRw.transpose()).sub(Nd4j.eye(N).castTo(DataType.DOUBLE)).amaxNumber().doubleValue(),
                1e-5, "backward RW orthogonal like Keras");
        assertTrue(pb.get("bW").sub(pb.get("fW")).amaxNumber().doubleValue() > 1e-3, "directions drew their own weights");
        assertEquals(pb.get("fb"), pb.get("bb"), "both biases initialized alike");
        // layout: the flattened vector is [forward set | backward set], each in the cell's order
        assertEquals(one.getLayer(0).params().reshape(cellParams),
                bi.getLayer(0).params().reshape(2 * cellParams).get(NDArrayIndex.interval(0, cellParams)));
        BidirectionalParamInitializer init = (BidirectionalParamInitializer) c.bidirectional(N_IN, N).build().initializer();
        assertTrue(init.isWeightParam(null, "bRW"));
        assertTrue(init.isBiasParam(null, "fb"));
    }

    /** Input/recurrent weight constraints apply to both directions' W / RW. */
    @Test
    void weightConstraintsNameBothDirections() {
        Bidirectional g = Cell.GRU.bidirectional(N_IN, N).constrainInputWeights(new MaxNormConstraint(2.0, 1))
                .constrainRecurrent(new NonNegativeConstraint()).build();
        List<LayerConstraint> cs = g.getConstraints();
        assertEquals(2, cs.size());
        assertTrue(cs.stream().anyMatch(c -> c.getParams().equals(Set.of("fW", "bW"))), cs.toString());
        assertTrue(cs.stream().anyMatch(c -> c.getParams().equals(Set.of("fRW", "bRW"))), cs.toString());
    }
}

package reviewnet.nn.recurrent;

import reviewnet.nn.layers.BidirectionalGRU;
import reviewnet.nn.layers.GRU;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Forward pass of {@link BidirectionalGRU} against the plain-Java GRU reference ({@link GruReference}): the forward
 * direction's last (unmasked) state on x, concatenated with the backward direction's last (unmasked) state on x
 * reversed in time (mask reversed too), i.e. Keras {@code Bidirectional(GRU(n))} with merge_mode='concat'.
 */
public class BidirectionalGRUForwardTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);

    private static final int MB = 3, N_IN = 5, N = 4, T = 7;

    private Random rng;
    /** [direction] with 0 = forward, 1 = backward. */
    private final double[][][] w = new double[2][][], rw = new double[2][][];
    private final double[][] b = new double[2][], rb = new double[2][];

    @BeforeEach
    public void setUp() {
        rng = new Random(42);
        for (int d = 0; d < 2; d++) {
            w[d] = GruReference.randn(rng, N_IN, 3 * N, 0.6);
            rw[d] = GruReference.randn(rng, N, 3 * N, 0.6);
            b[d] = GruReference.randn(rng, 1, 3 * N, 0.5)[0];
            rb[d] = GruReference.randn(rng, 1, 3 * N, 0.5)[0];
        }
    }

    private MultiLayerNetwork net(RNNFormat format, WorkspaceMode wsMode, DataType dataType) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(dataType)
                .seed(1)
                .trainingWorkspaceMode(wsMode)
                .inferenceWorkspaceMode(wsMode)
                .list()
                .layer(new BidirectionalGRU.Builder(N_IN, N).dataFormat(format).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .nIn(2 * N).nOut(2).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        String[] prefixes = {BidirectionalParamInitializer.FORWARD_PREFIX, BidirectionalParamInitializer.BACKWARD_PREFIX};
        for (int d = 0; d < 2; d++) {
            String pre = prefixes[d];
            p.get(pre + FusedRecurrentParamInitializer.WEIGHT_KEY).assign(Nd4j.create(w[d]));
            p.get(pre + FusedRecurrentParamInitializer.RECURRENT_WEIGHT_KEY).assign(Nd4j.create(rw[d]));
            p.get(pre + FusedRecurrentParamInitializer.BIAS_KEY).assign(Nd4j.create(b[d]).reshape(1, 3 * N));
            p.get(pre + FusedRecurrentParamInitializer.RECURRENT_BIAS_KEY).assign(Nd4j.create(rb[d]).reshape(1, 3 * N));
        }
        return net;
    }

    /** [forward direction's last unmasked state | backward direction's, on the reversed sequence], [mb][2n]. */
    private double[][] reference(double[][][] x, double[][] mask) {
        double[][] fwd = LstmReference.lastUnmasked(GruReference.forward(x, w[0], rw[0], b[0], rb[0], mask, true, null), mask);
        double[][][] xr = new double[x.length][][];
        double[][] mr = mask == null ? null : new double[mask.length][];
        for (int i = 0; i < x.length; i++) {
            xr[i] = new double[T][];
            for (int t = 0; t < T; t++) {
                xr[i][t] = x[i][T - 1 - t];
            }
            if (mask != null) {
                mr[i] = new double[T];
                for (int t = 0; t < T; t++) {
                    mr[i][t] = mask[i][T - 1 - t];
                }
            }
        }
        double[][] bwd = LstmReference.lastUnmasked(GruReference.forward(xr, w[1], rw[1], b[1], rb[1], mr, true, null), mr);
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

    /** Post padding, pre padding and holes in the middle. */
    private static double[][] holesMask() {
        return new double[][]{
                {1, 1, 1, 1, 1, 0, 0},
                {0, 0, 1, 1, 1, 1, 1},
                {1, 0, 1, 1, 0, 0, 1}};
    }

    @Test
    public void matchesReferenceNcwNwcMaskedOrNotInferenceAndTraining() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        for (double[][] mask : new double[][][]{null, holesMask()}) {
            double[][] ref = reference(x, mask);
            for (RNNFormat f : RNNFormat.values()) {
                MultiLayerNetwork net = net(f, WorkspaceMode.ENABLED, DataType.DOUBLE);
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
     * The backward half is not trivially something else: the backward direction's state after reading x from the
     * last step to the first, which differs from the backward parameters run forward over x; and the forward half
     * differs from the forward parameters run over the reversed x.
     */
    @Test
    public void directionsReadTheSequenceInOppositeOrders() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        INDArray out = layerOut(net(RNNFormat.NCW, WorkspaceMode.ENABLED, DataType.DOUBLE), GruReference.toNcw(x), null, false);
        double[][] bwdForward = LstmReference.lastUnmasked(GruReference.forward(x, w[1], rw[1], b[1], rb[1], null, true, null), null);
        double[][] ref = reference(x, null);
        double maxBwdVsForwardRead = 0;
        for (int i = 0; i < MB; i++) {
            for (int k = 0; k < N; k++) {
                maxBwdVsForwardRead = Math.max(maxBwdVsForwardRead, Math.abs(bwdForward[i][k] - out.getDouble(i, N + k)));
            }
        }
        assertTrue(maxBwdVsForwardRead > 1e-2, "backward half looks like a forward read: " + maxBwdVsForwardRead);
        assertTrue(maxAbsDiff(ref, out) < 1e-10);
    }

    /** Keras semantics with a mask: a padded, masked sequence gives what the unpadded sequence gives. */
    @Test
    public void maskedPaddingEqualsUnpaddedSequence() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        double[][] mask = {
                {0, 0, 0, 1, 1, 1, 1},
                {1, 1, 1, 1, 0, 0, 0},
                {1, 1, 1, 1, 1, 1, 1}};
        MultiLayerNetwork net = net(RNNFormat.NCW, WorkspaceMode.ENABLED, DataType.DOUBLE);
        INDArray masked = layerOut(net, GruReference.toNcw(x), mask, false);
        int[][] kept = {{3, 7}, {0, 4}, {0, 7}};
        for (int i = 0; i < MB; i++) {
            double[][][] one = {java.util.Arrays.copyOfRange(x[i], kept[i][0], kept[i][1])};
            INDArray single = net.feedForward(GruReference.toNcw(one), false).get(1);
            for (int k = 0; k < 2 * N; k++) {
                assertEquals(single.getDouble(0, k), masked.getDouble(i, k), 1e-12, "example " + i + " unit " + k);
            }
        }
    }

    /** FLOAT networks (the product's precision) agree with the double reference to float accuracy. */
    @Test
    public void floatNetworkMatchesReference() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        for (double[][] mask : new double[][][]{null, holesMask()}) {
            double[][] ref = reference(x, mask);
            MultiLayerNetwork net = net(RNNFormat.NCW, WorkspaceMode.ENABLED, DataType.FLOAT);
            INDArray out = layerOut(net, GruReference.toNcw(x).castTo(DataType.FLOAT), mask, true);
            assertEquals(DataType.FLOAT, out.dataType());
            assertTrue(maxAbsDiff(ref, out) < 1e-5, "float diff " + maxAbsDiff(ref, out));
        }
    }

    @Test
    public void workspacesDoNotChangeOutput() {
        double[][][] x = GruReference.randn(rng, MB, T, N_IN, 1.0);
        INDArray in = GruReference.toNcw(x);
        INDArray mask = Nd4j.create(holesMask());
        MultiLayerNetwork a = net(RNNFormat.NCW, WorkspaceMode.ENABLED, DataType.DOUBLE);
        MultiLayerNetwork c = net(RNNFormat.NCW, WorkspaceMode.NONE, DataType.DOUBLE);
        for (int rep = 0; rep < 3; rep++) {   // repeated calls reuse (and must not corrupt) workspace memory
            assertEquals(0.0, a.output(in, false, mask, null).sub(c.output(in, false, mask, null))
                    .amaxNumber().doubleValue(), 1e-12);
            assertEquals(0.0, a.output(in).sub(c.output(in)).amaxNumber().doubleValue(), 1e-12);
        }
    }

    @Test
    public void outputTypeIsFeedForwardOfBothDirections() {
        BidirectionalGRU layer = new BidirectionalGRU.Builder(N_IN, N).build();
        assertEquals(InputType.feedForward(2 * N), layer.getOutputType(0, InputType.recurrent(N_IN, T)));
    }

    @Test
    public void unsupportedSettingsAndCallsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BidirectionalGRU.Builder(N_IN, N).returnSequences(true).build());
        assertTrue(e.getMessage().contains("returnSequences"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BidirectionalGRU.Builder(N_IN, N)
                .weightNoise(new org.deeplearning4j.nn.conf.weightnoise.DropConnect(0.5)).build());
        MultiLayerNetwork net = net(RNNFormat.NCW, WorkspaceMode.ENABLED, DataType.DOUBLE);
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
                () -> net.rnnTimeStep(Nd4j.rand(DataType.DOUBLE, MB, N_IN, T)));
        assertTrue(u.getMessage().contains("whole sequence"), u.getMessage());
    }
}

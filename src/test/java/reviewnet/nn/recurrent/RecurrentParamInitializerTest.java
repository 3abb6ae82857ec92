package reviewnet.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
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
import reviewnet.nn.layers.FusedLstm;
import reviewnet.nn.layers.FusedRecurrent;
import reviewnet.nn.layers.GRU;
import reviewnet.testing.DefaultDataTypes;

/**
 * The parameters of every {@link Cell} ({@link FusedRecurrentParamInitializer}): keys, shapes and count, their place
 * in the network's flat vector (views, not copies), Keras' initialization (Glorot uniform W with fanOut = gates·n,
 * orthogonal RW, the cell's biases), configured initializations and reproducibility; then what only one cell has.
 */
class RecurrentParamInitializerTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final int N_IN = 7, N = 16;

    private static MultiLayerNetwork net(FusedRecurrent layer) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(123)
                .list()
                .layer(layer)
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .nIn(layer.getNOut()).nOut(1).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static double maxAbsDiffFromIdentity(INDArray m) {
        INDArray d = m.castTo(DataType.DOUBLE).sub(Nd4j.eye(m.rows()).castTo(DataType.DOUBLE));
        return d.amaxNumber().doubleValue();
    }

    private static INDArray block(INDArray m, int k) {
        return m.get(NDArrayIndex.all(), NDArrayIndex.interval(k * N, (k + 1) * N));
    }

    /** Every entry of every bias's gate blocks is what the cell starts it at. */
    private static void assertBiases(Cell cell, Map<String, INDArray> p, double biasInit) {
        for (String k : cell.paramKeys()) {
            if (k.equals("W") || k.equals("RW")) {
                continue;
            }
            for (int g = 0; g < cell.gates; g++) {
                double expected = cell.defaultBias(g, biasInit);
                assertEquals(expected, block(p.get(k), g).minNumber().doubleValue(), 1e-7, k + " gate " + g);
                assertEquals(expected, block(p.get(k), g).maxNumber().doubleValue(), 1e-7, k + " gate " + g);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void defaultsShapesOrthogonalityAndBiases(Cell cell) {
        int g = cell.gates;
        String[] keys = cell.paramKeys();
        MultiLayerNetwork net = net(cell.builder(N_IN, N).build());
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        assertEquals(Arrays.asList(keys), Arrays.asList(p.keySet().toArray(new String[0])));
        assertEquals(Arrays.asList("W", "RW"), Arrays.asList(keys).subList(0, 2));
        assertArrayEquals(new long[]{N_IN, g * N}, p.get("W").shape());
        assertArrayEquals(new long[]{N, g * N}, p.get("RW").shape());
        for (int i = 2; i < keys.length; i++) {
            assertArrayEquals(new long[]{1, g * N}, p.get(keys[i]).shape(), keys[i]);
        }
        long numParams = (long) g * N * (N_IN + N + keys.length - 2);
        assertEquals(numParams, net.getLayer(0).numParams());
        assertEquals(numParams + N + 1, net.numParams());
        // the notebook's sizes, as Keras counts them (e.g. LSTM(128) on 128-dim embeddings: 131,584)
        FusedRecurrent notebook = cell.builder(128, 128).build();
        assertEquals((long) g * 128 * (128 + 128 + keys.length - 2), notebook.initializer().numParams(notebook));

        // Keras 'orthogonal' on the [n, g·n] matrix: orthonormal rows, RW·RWᵀ = I ...
        INDArray rw = p.get("RW");
        assertTrue(maxAbsDiffFromIdentity(rw.mmul(rw.transpose())) < 1e-5);
        if (g == 1) {
            assertTrue(maxAbsDiffFromIdentity(rw.transpose().mmul(rw)) < 1e-5);
        } else {
            // ... so ||RW||_F² = n, and (unlike the per-gate option) a single gate block is not orthogonal
            double fro = rw.castTo(DataType.DOUBLE).norm2Number().doubleValue();
            assertEquals(N, fro * fro, 1e-3);
            assertTrue(maxAbsDiffFromIdentity(block(rw, 0).transpose().mmul(block(rw, 0))) > 0.1);
        }
        assertBiases(cell, p, 0.0);

        // Glorot uniform with fanIn = nIn, fanOut = g·n (like Keras on the [nIn, g·n] kernel)
        INDArray w = p.get("W");
        double limit = Math.sqrt(6.0 / (N_IN + g * N));
        assertTrue(w.amaxNumber().doubleValue() <= limit + 1e-6);
        double var = w.castTo(DataType.DOUBLE).varNumber().doubleValue();
        assertEquals(limit * limit / 3, var, 0.35 * limit * limit / 3);

        // The views really are the network's parameters (a copy would break training); biases after W and RW
        INDArray flat = net.params();
        assertEquals(w.getDouble(0, 1), flat.getDouble(N_IN), 0.0);       // 'f' order: element (0,1) at N_IN
        assertEquals(rw.getDouble(1, 0), flat.getDouble((long) N_IN * g * N + 1), 0.0);
        p.get(keys[2]).putScalar(0, 3, 0.5);
        assertEquals(0.5, flat.getDouble((long) N_IN * g * N + (long) N * g * N + 3), 0.0);
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void configuredInitsAreRespected(Cell cell) {
        MultiLayerNetwork net = net(cell.builder(N_IN, N)
                .weightInit(WeightInit.ONES)
                .weightInitRecurrent(WeightInit.ZERO)
                .biasInit(0.25)
                .build());
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        assertEquals(1.0, p.get("W").minNumber().doubleValue(), 0.0);
        assertEquals(1.0, p.get("W").maxNumber().doubleValue(), 0.0);
        assertEquals(0.0, p.get("RW").amaxNumber().doubleValue(), 0.0);
        assertBiases(cell, p, 0.25);
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void seedMakesInitReproducible(Cell cell) {
        INDArray a = net(cell.builder(N_IN, N).build()).params();
        INDArray b = net(cell.builder(N_IN, N).build()).params();
        assertEquals(a, b);
    }

    @Test
    void lstmForgetGateBiasIsConfigurable() {
        INDArray b = net(new FusedLstm.Builder(N_IN, N).biasInit(0.25).forgetGateBiasInit(-0.5).build()).getLayer(0)
                .getParam("b");
        assertEquals(0.25, block(b, 0).minNumber().doubleValue(), 1e-7);
        assertEquals(-0.5, block(b, 1).maxNumber().doubleValue(), 1e-7);
        assertEquals(-0.5, block(b, 1).minNumber().doubleValue(), 1e-7);
        assertEquals(0.25, block(b, 3).maxNumber().doubleValue(), 1e-7);
    }

    @Test
    void gruOrthogonalPerGateBlocks() {
        INDArray rw = net(new GRU.Builder(N_IN, N).orthogonalPerGate(true).build()).getLayer(0).getParam("RW");
        for (int k = 0; k < 3; k++) {
            INDArray bk = block(rw, k);
            assertTrue(maxAbsDiffFromIdentity(bk.transpose().mmul(bk)) < 1e-5, "block " + k + "ᵀ·block");
            assertTrue(maxAbsDiffFromIdentity(bk.mmul(bk.transpose())) < 1e-5, "block " + k + "·blockᵀ");
        }
        // independent blocks
        assertTrue(block(rw, 0).sub(block(rw, 1)).amaxNumber().doubleValue() > 0.1);
    }

    @Test
    void staticOrthogonalHelper() {
        INDArray whole = FusedRecurrentParamInitializer.orthogonal(5, 3, false, DataType.DOUBLE);
        assertArrayEquals(new long[]{5, 15}, whole.shape());
        assertTrue(maxAbsDiffFromIdentity(whole.mmul(whole.transpose())) < 1e-12);
        INDArray per = FusedRecurrentParamInitializer.orthogonal(5, 3, true, DataType.DOUBLE);
        for (int k = 0; k < 3; k++) {
            INDArray bk = per.get(NDArrayIndex.all(), NDArrayIndex.interval(k * 5, (k + 1) * 5));
            assertTrue(maxAbsDiffFromIdentity(bk.transpose().mmul(bk)) < 1e-12);
        }
    }
}

package reviewnet.nn.recurrent;

import reviewnet.nn.layers.GRU;
import reviewnet.testing.DefaultDataTypes;

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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

public class GRUParamInitializerTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final int N_IN = 7, N = 16;

    @BeforeEach
    public void setUp() {
            }

    private static MultiLayerNetwork net(GRU gru) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(123)
                .list()
                .layer(gru)
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .nIn(N).nOut(1).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static double maxAbsDiffFromIdentity(INDArray m) {
        INDArray d = m.castTo(DataType.DOUBLE).sub(Nd4j.eye(m.rows()).castTo(DataType.DOUBLE));
        return d.amaxNumber().doubleValue();
    }

    private static INDArray block(INDArray rw, int k) {
        return rw.get(NDArrayIndex.all(), NDArrayIndex.interval(k * N, (k + 1) * N));
    }

    @Test
    public void defaultsShapesOrthogonalityAndZeroBiases() {
        MultiLayerNetwork net = net(new GRU.Builder(N_IN, N).build());
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        assertEquals(Arrays.asList("W", "RW", "b", "rb"), Arrays.asList(p.keySet().toArray(new String[0])));
        assertArrayEquals(new long[]{N_IN, 3 * N}, p.get("W").shape());
        assertArrayEquals(new long[]{N, 3 * N}, p.get("RW").shape());
        assertArrayEquals(new long[]{1, 3 * N}, p.get("b").shape());
        assertArrayEquals(new long[]{1, 3 * N}, p.get("rb").shape());
        assertEquals((long) N_IN * 3 * N + (long) N * 3 * N + 6L * N, net.getLayer(0).numParams());
        assertEquals(net.getLayer(0).numParams() + N + 1, net.numParams());

        // Keras 'orthogonal' on the [n, 3n] matrix: orthonormal rows, RW·RWᵀ = I ...
        INDArray rw = p.get("RW");
        assertTrue(maxAbsDiffFromIdentity(rw.mmul(rw.transpose())) < 1e-5);
        // ... so ||RW||_F² = n, and (unlike the per-gate option) a single gate block is not orthogonal
        double fro = rw.castTo(DataType.DOUBLE).norm2Number().doubleValue();
        assertEquals(N, fro * fro, 1e-3);
        assertTrue(maxAbsDiffFromIdentity(block(rw, 0).transpose().mmul(block(rw, 0))) > 0.1);

        assertEquals(0.0, p.get("b").amaxNumber().doubleValue(), 0.0);
        assertEquals(0.0, p.get("rb").amaxNumber().doubleValue(), 0.0);

        // Glorot uniform with fanIn = nIn, fanOut = 3n (like Keras on the [nIn, 3n] kernel)
        INDArray w = p.get("W");
        double limit = Math.sqrt(6.0 / (N_IN + 3 * N));
        assertTrue(w.amaxNumber().doubleValue() <= limit + 1e-6);
        double var = w.castTo(DataType.DOUBLE).varNumber().doubleValue();
        assertEquals(limit * limit / 3, var, 0.35 * limit * limit / 3);

        // The views really are the network's parameters (a copy would break training)
        INDArray flat = net.params();
        assertEquals(w.getDouble(0, 1), flat.getDouble(N_IN), 0.0);       // 'f' order: element (0,1) at N_IN
        assertEquals(rw.getDouble(1, 0), flat.getDouble((long) N_IN * 3 * N + 1), 0.0);
    }

    @Test
    public void orthogonalPerGateBlocks() {
        MultiLayerNetwork net = net(new GRU.Builder(N_IN, N).orthogonalPerGate(true).build());
        INDArray rw = net.getLayer(0).getParam("RW");
        for (int k = 0; k < 3; k++) {
            INDArray bk = block(rw, k);
            assertTrue(maxAbsDiffFromIdentity(bk.transpose().mmul(bk)) < 1e-5, "block " + k + "ᵀ·block");
            assertTrue(maxAbsDiffFromIdentity(bk.mmul(bk.transpose())) < 1e-5, "block " + k + "·blockᵀ");
        }
        // independent blocks
        assertTrue(block(rw, 0).sub(block(rw, 1)).amaxNumber().doubleValue() > 0.1);
    }

    @Test
    public void configuredInitsAreRespected() {
        MultiLayerNetwork net = net(new GRU.Builder(N_IN, N)
                .weightInit(WeightInit.ONES)
                .weightInitRecurrent(WeightInit.ZERO)
                .biasInit(0.25)
                .build());
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        assertEquals(1.0, p.get("W").minNumber().doubleValue(), 0.0);
        assertEquals(1.0, p.get("W").maxNumber().doubleValue(), 0.0);
        assertEquals(0.0, p.get("RW").amaxNumber().doubleValue(), 0.0);
        assertEquals(0.25, p.get("b").minNumber().doubleValue(), 1e-7);
        assertEquals(0.25, p.get("rb").maxNumber().doubleValue(), 1e-7);
    }

    @Test
    public void seedMakesInitReproducible() {
        INDArray a = net(new GRU.Builder(N_IN, N).build()).params();
        INDArray b = net(new GRU.Builder(N_IN, N).build()).params();
        assertEquals(a, b);
    }

    @Test
    public void staticOrthogonalHelper() {
        INDArray whole = GRUParamInitializer.orthogonal(5, 3, false, DataType.DOUBLE);
        assertArrayEquals(new long[]{5, 15}, whole.shape());
        assertTrue(maxAbsDiffFromIdentity(whole.mmul(whole.transpose())) < 1e-12);
        INDArray per = GRUParamInitializer.orthogonal(5, 3, true, DataType.DOUBLE);
        for (int k = 0; k < 3; k++) {
            INDArray bk = per.get(NDArrayIndex.all(), NDArrayIndex.interval(k * 5, (k + 1) * 5));
            assertTrue(maxAbsDiffFromIdentity(bk.transpose().mmul(bk)) < 1e-12);
        }
    }
}

package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedLstm;
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

public class FusedLstmParamInitializerTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final int N_IN = 7, N = 16;

    @BeforeEach
    public void setUp() {
            }

    private static MultiLayerNetwork net(FusedLstm lstm) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(123)
                .list()
                .layer(lstm)
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .nIn(lstm.getNOut()).nOut(1).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static double maxAbsDiffFromIdentity(INDArray m) {
        INDArray d = m.castTo(DataType.DOUBLE).sub(Nd4j.eye(m.rows()).castTo(DataType.DOUBLE));
        return d.amaxNumber().doubleValue();
    }

    private static INDArray gateBlock(INDArray b, int k) {
        return b.get(NDArrayIndex.all(), NDArrayIndex.interval(k * N, (k + 1) * N));
    }

    @Test
    public void defaultsShapesOrthogonalityAndKerasBiases() {
        MultiLayerNetwork net = net(new FusedLstm.Builder(N_IN, N).build());
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        assertEquals(Arrays.asList("W", "RW", "b"), Arrays.asList(p.keySet().toArray(new String[0])));
        assertArrayEquals(new long[]{N_IN, 4 * N}, p.get("W").shape());
        assertArrayEquals(new long[]{N, 4 * N}, p.get("RW").shape());
        assertArrayEquals(new long[]{1, 4 * N}, p.get("b").shape());
        assertEquals(4L * (N_IN * N + N * N + N), net.getLayer(0).numParams());
        assertEquals(net.getLayer(0).numParams() + N + 1, net.numParams());

        // Keras 'orthogonal' on the [n, 4n] matrix: orthonormal rows, RW·RWᵀ = I
        INDArray rw = p.get("RW");
        assertTrue(maxAbsDiffFromIdentity(rw.mmul(rw.transpose())) < 1e-5);

        // unit_forget_bias: forget block 1, i / c / o blocks 0
        INDArray b = p.get("b");
        for (int k = 0; k < 4; k++) {
            double expected = k == 1 ? 1.0 : 0.0;
            assertEquals(expected, gateBlock(b, k).minNumber().doubleValue(), 0.0, "gate " + k);
            assertEquals(expected, gateBlock(b, k).maxNumber().doubleValue(), 0.0, "gate " + k);
        }

        // Glorot uniform with fanIn = nIn, fanOut = 4n (like Keras on the [nIn, 4n] kernel)
        INDArray w = p.get("W");
        double limit = Math.sqrt(6.0 / (N_IN + 4 * N));
        assertTrue(w.amaxNumber().doubleValue() <= limit + 1e-6);
        double var = w.castTo(DataType.DOUBLE).varNumber().doubleValue();
        assertEquals(limit * limit / 3, var, 0.35 * limit * limit / 3);

        // The views really are the network's parameters; b comes after W and RW in the flat vector
        INDArray flat = net.params();
        assertEquals(w.getDouble(0, 1), flat.getDouble(N_IN), 0.0);       // 'f' order: element (0,1) at N_IN
        assertEquals(rw.getDouble(1, 0), flat.getDouble((long) N_IN * 4 * N + 1), 0.0);
        assertEquals(1.0, flat.getDouble((long) N_IN * 4 * N + (long) N * 4 * N + N), 0.0);
    }

    /** The notebook's sizes: as many parameters as Keras' LSTM(128) on 128-dim embeddings. */
    @Test
    public void notebookParameterCount() {
        FusedLstm l = new FusedLstm.Builder(128, 128).build();
        assertEquals(131_584L, l.initializer().numParams(l));
    }

    @Test
    public void configuredInitsAreRespected() {
        MultiLayerNetwork net = net(new FusedLstm.Builder(N_IN, N)
                .weightInit(WeightInit.ONES)
                .weightInitRecurrent(WeightInit.ZERO)
                .biasInit(0.25)
                .forgetGateBiasInit(-0.5)
                .build());
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        assertEquals(1.0, p.get("W").minNumber().doubleValue(), 0.0);
        assertEquals(1.0, p.get("W").maxNumber().doubleValue(), 0.0);
        assertEquals(0.0, p.get("RW").amaxNumber().doubleValue(), 0.0);
        INDArray b = p.get("b");
        assertEquals(0.25, gateBlock(b, 0).minNumber().doubleValue(), 1e-7);
        assertEquals(-0.5, gateBlock(b, 1).maxNumber().doubleValue(), 1e-7);
        assertEquals(0.25, gateBlock(b, 3).maxNumber().doubleValue(), 1e-7);
    }

    @Test
    public void seedMakesInitReproducible() {
        INDArray a = net(new FusedLstm.Builder(N_IN, N).build()).params();
        INDArray b = net(new FusedLstm.Builder(N_IN, N).build()).params();
        assertEquals(a, b);
    }
}

package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedSimpleRnn;
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
import org.nd4j.linalg.lossfunctions.LossFunctions;

public class FusedSimpleRnnParamInitializerTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final int N_IN = 7, N = 16;

    @BeforeEach
    public void setUp() {
            }

    private static MultiLayerNetwork net(FusedSimpleRnn rnn) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(123)
                .list()
                .layer(rnn)
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .nIn(rnn.getNOut()).nOut(1).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static double maxAbsDiffFromIdentity(INDArray m) {
        INDArray d = m.castTo(DataType.DOUBLE).sub(Nd4j.eye(m.rows()).castTo(DataType.DOUBLE));
        return d.amaxNumber().doubleValue();
    }

    @Test
    public void defaultsShapesOrthogonalityAndZeroBias() {
        MultiLayerNetwork net = net(new FusedSimpleRnn.Builder(N_IN, N).build());
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        assertEquals(Arrays.asList("W", "RW", "b"), Arrays.asList(p.keySet().toArray(new String[0])));
        assertArrayEquals(new long[]{N_IN, N}, p.get("W").shape());
        assertArrayEquals(new long[]{N, N}, p.get("RW").shape());
        assertArrayEquals(new long[]{1, N}, p.get("b").shape());
        assertEquals((long) N_IN * N + (long) N * N + N, net.getLayer(0).numParams());
        assertEquals(net.getLayer(0).numParams() + N + 1, net.numParams());

        // Keras 'orthogonal': RW·RWᵀ = RWᵀ·RW = I
        INDArray rw = p.get("RW");
        assertTrue(maxAbsDiffFromIdentity(rw.mmul(rw.transpose())) < 1e-5);
        assertTrue(maxAbsDiffFromIdentity(rw.transpose().mmul(rw)) < 1e-5);
        assertEquals(0.0, p.get("b").amaxNumber().doubleValue(), 0.0);

        // Glorot uniform with fanIn = nIn, fanOut = n
        INDArray w = p.get("W");
        double limit = Math.sqrt(6.0 / (N_IN + N));
        assertTrue(w.amaxNumber().doubleValue() <= limit + 1e-6);
        double var = w.castTo(DataType.DOUBLE).varNumber().doubleValue();
        assertEquals(limit * limit / 3, var, 0.35 * limit * limit / 3);

        // The views really are the network's parameters (a copy would break training)
        INDArray flat = net.params();
        assertEquals(w.getDouble(0, 1), flat.getDouble(N_IN), 0.0);       // 'f' order: element (0,1) at N_IN
        assertEquals(rw.getDouble(1, 0), flat.getDouble((long) N_IN * N + 1), 0.0);
        p.get("b").putScalar(0, 3, 0.5);
        assertEquals(0.5, flat.getDouble((long) N_IN * N + (long) N * N + 3), 0.0);
    }

    /** The notebook's sizes: 128·128 + 128·128 + 128 = 32,896 parameters, like Keras and DL4J's SimpleRnn. */
    @Test
    public void notebookParameterCount() {
        FusedSimpleRnn rnn = new FusedSimpleRnn.Builder(128, 128).build();
        assertEquals(32_896L, rnn.initializer().numParams(rnn));
        assertEquals(32_896L, net(rnn).getLayer(0).numParams());
    }

    @Test
    public void configuredInitsAreRespected() {
        MultiLayerNetwork net = net(new FusedSimpleRnn.Builder(N_IN, N)
                .weightInit(WeightInit.ONES)
                .weightInitRecurrent(WeightInit.ZERO)
                .biasInit(0.25)
                .build());
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        assertEquals(1.0, p.get("W").minNumber().doubleValue(), 0.0);
        assertEquals(1.0, p.get("W").maxNumber().doubleValue(), 0.0);
        assertEquals(0.0, p.get("RW").amaxNumber().doubleValue(), 0.0);
        assertEquals(0.25, p.get("b").minNumber().doubleValue(), 1e-7);
        assertEquals(0.25, p.get("b").maxNumber().doubleValue(), 1e-7);
    }

    @Test
    public void seedMakesInitReproducible() {
        INDArray a = net(new FusedSimpleRnn.Builder(N_IN, N).build()).params();
        INDArray b = net(new FusedSimpleRnn.Builder(N_IN, N).build()).params();
        assertEquals(a, b);
    }
}

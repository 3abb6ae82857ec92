package reviewnet.nn.conv;

import reviewnet.nn.layers.MultiWidthConv1D;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

public class MultiWidthConv1DParamInitializerTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final int N_IN = 32, FILTERS = 40;
    private static final List<Integer> WIDTHS = List.of(3, 4, 5);

    private static MultiLayerNetwork net() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(123)
                .list()
                .layer(new MultiWidthConv1D.Builder().widths(WIDTHS).filters(FILTERS).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.SIGMOID)
                        .nOut(1).build())
                .setInputType(InputType.recurrent(N_IN, 20))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    public void layoutCountAndKerasGlorotUniform() {
        MultiLayerNetwork net = net();
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        assertEquals(List.of("W0", "b0", "W1", "b1", "W2", "b2"), List.copyOf(p.keySet()));
        long expected = 0;
        for (int j = 0; j < WIDTHS.size(); j++) {
            int w = WIDTHS.get(j);
            INDArray kernel = p.get("W" + j);
            assertArrayEquals(new long[]{w, N_IN, FILTERS}, kernel.shape());
            assertArrayEquals(new long[]{1, FILTERS}, p.get("b" + j).shape());
            expected += (long) w * N_IN * FILTERS + FILTERS;
            // Keras Conv1D: fanIn = nIn·w, fanOut = filters·w, U(±√(6 / (fanIn + fanOut)))
            double limit = Math.sqrt(6.0 / ((N_IN + FILTERS) * w));
            double amax = kernel.amaxNumber().doubleValue();
            assertTrue(amax <= limit && amax > 0.95 * limit, "width " + w + ": max |W| " + amax + ", limit " + limit);
            assertEquals(0.0, kernel.meanNumber().doubleValue(), limit / 20, "width " + w);
            double std = kernel.stdNumber().doubleValue();
            assertEquals(limit / Math.sqrt(3), std, limit / 20, "width " + w);
            assertEquals(0.0, p.get("b" + j).amaxNumber().doubleValue(), 0.0);
        }
        assertEquals(expected, net.getLayer(0).numParams());
        assertEquals(expected + WIDTHS.size() * FILTERS + 1, net.numParams());
    }

    /** The parameter and gradient tables are views of the network's flattened vectors, in the documented order. */
    @Test
    public void tablesAreViewsOfTheFlatVectors() {
        MultiLayerNetwork net = net();
        net.initGradientsView();
        INDArray flat = net.getLayer(0).params();
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        p.get("W1").putScalar(new long[]{1, 2, 3}, 42.0);
        long offsetW1 = 3L * N_IN * FILTERS + FILTERS;
        assertEquals(42.0, flat.getDouble(offsetW1 + (1L * N_IN + 2) * FILTERS + 3), 0.0);
        p.get("b2").putScalar(0, 4, 7.0);
        long offsetB2 = offsetW1 + 4L * N_IN * FILTERS + FILTERS + 5L * N_IN * FILTERS;
        assertEquals(7.0, flat.getDouble(offsetB2 + 4), 0.0);

        INDArray gradFlat = net.getLayer(0).getGradientsViewArray();
        MultiWidthConv1DParamInitializer.getInstance()
                .getGradientsFromFlattened(net.getLayer(0).conf(), gradFlat).get("b0").putScalar(0, 1, 3.0);
        assertEquals(3.0, gradFlat.getDouble(3L * N_IN * FILTERS + 1), 0.0);
    }
}

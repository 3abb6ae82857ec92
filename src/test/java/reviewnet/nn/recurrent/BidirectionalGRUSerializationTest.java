package reviewnet.nn.recurrent;

import reviewnet.nn.layers.BidirectionalGRU;
import reviewnet.nn.layers.GRU;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.deeplearning4j.nn.conf.constraint.NonNegativeConstraint;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitXavierUniform;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link BidirectionalGRU}'s configuration (JSON/YAML round trip, equals, the per-direction GRU configuration), its
 * parameters (keys, layout, initialization exactly like our GRU's) and a model zip round trip.
 */
public class BidirectionalGRUSerializationTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final int N_IN = 6, N = 8;

    /** Non-default settings throughout, NWC, then Dense layers. */
    private static MultiLayerConfiguration conf() {
        return new NeuralNetConfiguration.Builder()
                .seed(42)
                .updater(new Adam(1e-3))
                .list()
                .layer(new BidirectionalGRU.Builder()
                        .nIn(N_IN).nOut(N)
                        .gateActivationFunction(Activation.HARDSIGMOID)
                        .orthogonalPerGate(true)
                        .weightInitRecurrent(WeightInit.XAVIER)
                        .dataFormat(RNNFormat.NWC)
                        .dropOut(new Dropout(0.8))
                        .build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build())
                .setInputType(InputType.recurrent(N_IN, RNNFormat.NWC))
                .build();
    }

    @Test
    public void jsonAndYamlRoundTrip() {
        MultiLayerConfiguration conf = conf();
        String json = conf.toJson();
        assertTrue(json.contains("\"reviewnet.nn.layers.BidirectionalGRU\""), "custom layer serialized by class name");
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        assertEquals(conf, MultiLayerConfiguration.fromYaml(conf.toYaml()));

        BidirectionalGRU g = assertInstanceOf(BidirectionalGRU.class, back.getConf(0).getLayer());
        assertEquals(N_IN, g.getNIn());
        assertEquals(N, g.getNOut());
        assertEquals(2 * N, ((DenseLayer) back.getConf(1).getLayer()).getNIn(), "the next layer sees both directions");
        assertInstanceOf(ActivationTanH.class, g.getActivationFn());
        assertInstanceOf(ActivationHardSigmoid.class, g.getGateActivationFn());
        assertTrue(g.isOrthogonalPerGate());
        assertFalse(g.isReturnSequences());
        assertTrue(g.isCarryStateOnMask());
        assertInstanceOf(WeightInitXavierUniform.class, g.getWeightInitFn());
        assertEquals(WeightInit.XAVIER.getWeightInitFunction(), g.getWeightInitFnRecurrent());
        assertEquals(RNNFormat.NWC, g.getRnnDataFormat());
        assertEquals(new Dropout(0.8), g.getIDropout());
        assertEquals(new Adam(1e-3), g.getIUpdater());

        // each direction is a GRU with these settings, returning its last state, without dropout
        GRU d = g.direction();
        assertEquals(N_IN, d.getNIn());
        assertEquals(N, d.getNOut());
        assertInstanceOf(ActivationHardSigmoid.class, d.getGateActivationFn());
        assertInstanceOf(ActivationTanH.class, d.getActivationFn());
        assertTrue(d.isOrthogonalPerGate());
        assertEquals(WeightInit.XAVIER.getWeightInitFunction(), d.getWeightInitFnRecurrent());
        assertEquals(RNNFormat.NWC, d.getRnnDataFormat());
        assertFalse(d.isReturnSequences());
        assertEquals(null, d.getIDropout());

        // equals() looks at the layer's own fields
        MultiLayerConfiguration other = MultiLayerConfiguration.fromJson(json);
        ((BidirectionalGRU) other.getConf(0).getLayer()).setOrthogonalPerGate(false);
        assertNotEquals(conf, other);

        // the deserialized configuration builds a working network
        MultiLayerNetwork net = new MultiLayerNetwork(back);
        net.init();
        assertEquals(2, net.output(Nd4j.rand(DataType.FLOAT, 3, 4, N_IN)).size(1));
    }

    private static MultiLayerNetwork single(Layer recurrent, int outputSize) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(123)
                .list()
                .layer(recurrent)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .nIn(outputSize).nOut(1).build())
                .build());
        net.init();
        return net;
    }

    /**
     * Two GRU parameter sets, forward then backward, each with the GRU's layout; the forward set is initialized
     * exactly as a GRU's (same seed, same draws), the backward set the same way with the following draws.
     */
    @Test
    public void parametersAreTwoGruSetsInitializedLikeOurGru() {
        MultiLayerNetwork bi = single(new BidirectionalGRU.Builder(N_IN, N).build(), 2 * N);
        MultiLayerNetwork gru = single(new GRU.Builder(N_IN, N).returnSequences(false).build(), N);
        Map<String, INDArray> p = bi.getLayer(0).paramTable();
        Map<String, INDArray> q = gru.getLayer(0).paramTable();
        assertEquals(List.of("fW", "fRW", "fb", "frb", "bW", "bRW", "bb", "brb"), List.copyOf(p.keySet()));
        long gruParams = 3L * N * (N_IN + N + 2);
        assertEquals(gruParams, gru.getLayer(0).numParams());
        assertEquals(2 * gruParams, bi.getLayer(0).numParams());

        for (String k : q.keySet()) {
            assertEquals(q.get(k), p.get("f" + k), "forward " + k + " initialized like the GRU's " + k);
            assertEquals(List.of(q.get(k).shape()[0], q.get(k).shape()[1]),
                    List.of(p.get("b" + k).shape()[0], p.get("b" + k).shape()[1]), "backward " + k + " shape");
        }
        INDArray bRw = p.get("bRW").castTo(DataType.DOUBLE);
        assertEquals(0.0, bRw.mmul(bRw.transpose()).sub(Nd4j.eye(N).castTo(DataType.DOUBLE)).amaxNumber().doubleValue(),
                1e-5, "backward RW orthogonal like Keras");
        assertTrue(p.get("bW").sub(p.get("fW")).amaxNumber().doubleValue() > 1e-3, "directions drew their own weights");
        assertEquals(0.0, p.get("bb").amaxNumber().doubleValue(), 0.0);
        assertEquals(0.0, p.get("brb").amaxNumber().doubleValue(), 0.0);

        // layout: the flattened vector is [forward GRU | backward GRU], each in the GRU's order (W, RW, b, rb)
        INDArray flat = bi.getLayer(0).params();
        assertEquals(gru.getLayer(0).params().reshape(gruParams), flat.reshape(2 * gruParams)
                .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, gruParams)));
        assertTrue(((BidirectionalParamInitializer) new BidirectionalGRU().initializer()).isWeightParam(null, "bRW"));
        assertTrue(((BidirectionalParamInitializer) new BidirectionalGRU().initializer()).isBiasParam(null, "frb"));
    }

    /** Input/recurrent weight constraints apply to both directions' W / RW. */
    @Test
    public void weightConstraintsNameBothDirections() {
        BidirectionalGRU g = (BidirectionalGRU) new BidirectionalGRU.Builder(N_IN, N)
                .constrainInputWeights(new MaxNormConstraint(2.0, 1))
                .constrainRecurrent(new NonNegativeConstraint())
                .build();
        List<LayerConstraint> cs = g.getConstraints();
        assertEquals(2, cs.size());
        assertTrue(cs.stream().anyMatch(c -> c.getParams().equals(Set.of("fW", "bW"))), cs.toString());
        assertTrue(cs.stream().anyMatch(c -> c.getParams().equals(Set.of("fRW", "bRW"))), cs.toString());
    }

    @Test
    public void modelSerializerSaveLoad(@TempDir File dir) throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(conf());
        net.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 5, N_IN);    // NWC [mb, T, nIn]
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 2);
        y.putScalar(0, 0, 1).putScalar(1, 1, 1).putScalar(2, 0, 1).putScalar(3, 1, 1);
        for (int i = 0; i < 3; i++) {            // some updater state worth saving
            net.fit(new DataSet(x, y));
        }
        INDArray before = net.output(x);

        File f = new File(dir, "bigru.zip");
        ModelSerializer.writeModel(net, f, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(f, true);

        assertEquals(net.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertEquals(net.params(), restored.params());
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        assertEquals(0.0, before.sub(restored.output(x)).amaxNumber().doubleValue(), 0.0);

        // training continues identically from the restored state
        Nd4j.getRandom().setSeed(7);   // same dropout masks for both
        net.fit(new DataSet(x, y));
        Nd4j.getRandom().setSeed(7);
        restored.fit(new DataSet(x, y));
        assertEquals(0.0, net.params().sub(restored.params()).amaxNumber().doubleValue(), 1e-6);
    }
}

package reviewnet.nn.recurrent;

import reviewnet.nn.layers.GRU;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitXavierUniform;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

public class GRUSerializationTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    @BeforeEach
    public void setUp() {
            }

    /** The product's shape: GRU inside LastTimeStep, then Dense layers; non-default GRU settings throughout. */
    private static MultiLayerConfiguration conf() {
        return new NeuralNetConfiguration.Builder()
                .seed(42)
                .updater(new Adam(1e-3))
                .list()
                .layer(new LastTimeStep(new GRU.Builder()
                        .nIn(6).nOut(8)
                        .gateActivationFunction(Activation.HARDSIGMOID)
                        .carryStateOnMask(false)
                        .orthogonalPerGate(true)
                        .weightInitRecurrent(WeightInit.XAVIER)
                        .dataFormat(RNNFormat.NWC)
                        .dropOut(new Dropout(0.8))
                        .build()))
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build())
                .setInputType(InputType.recurrent(6, RNNFormat.NWC))
                .build();
    }

    @Test
    public void jsonRoundTrip() {
        MultiLayerConfiguration conf = conf();
        String json = conf.toJson();
        assertTrue(json.contains("\"reviewnet.nn.layers.GRU\""), "custom layer serialized by class name");
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());

        LastTimeStep lts = (LastTimeStep) back.getConf(0).getLayer();
        GRU g = assertInstanceOf(GRU.class, lts.getUnderlying());
        assertEquals(6, g.getNIn());
        assertEquals(8, g.getNOut());
        assertInstanceOf(ActivationTanH.class, g.getActivationFn());
        assertInstanceOf(ActivationHardSigmoid.class, g.getGateActivationFn());
        assertFalse(g.isCarryStateOnMask());
        assertTrue(g.isOrthogonalPerGate());
        assertInstanceOf(WeightInitXavierUniform.class, g.getWeightInitFn());
        assertEquals(WeightInit.XAVIER.getWeightInitFunction(), g.getWeightInitFnRecurrent());
        assertEquals(RNNFormat.NWC, g.getRnnDataFormat());
        assertEquals(new Dropout(0.8), g.getIDropout());
        assertEquals(new Adam(1e-3), g.getIUpdater());

        // equals() looks at the GRU's own fields (so the assertEquals above is meaningful)
        MultiLayerConfiguration other = MultiLayerConfiguration.fromJson(json);
        ((GRU) ((LastTimeStep) other.getConf(0).getLayer()).getUnderlying()).setCarryStateOnMask(true);
        assertNotEquals(conf, other);

        // and the deserialized configuration builds a working network
        MultiLayerNetwork net = new MultiLayerNetwork(back);
        net.init();
        assertEquals(2, net.output(Nd4j.rand(DataType.FLOAT, 3, 4, 6)).size(1));
    }

    /** Stacked: full-sequence GRU → last-step GRU (returnSequences=false) → Dense → softmax. */
    private static MultiLayerConfiguration lastStepConf() {
        return new NeuralNetConfiguration.Builder()
                .seed(42)
                .updater(new Adam(1e-3))
                .list()
                .layer(new GRU.Builder().nIn(6).nOut(8).dataFormat(RNNFormat.NWC).build())
                .layer(new GRU.Builder().nOut(7).returnSequences(false).dataFormat(RNNFormat.NWC).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build())
                .setInputType(InputType.recurrent(6, RNNFormat.NWC))
                .build();
    }

    @Test
    public void jsonRoundTripOfReturnSequences() {
        MultiLayerConfiguration conf = lastStepConf();
        String json = conf.toJson();
        assertTrue(json.contains("\"returnSequences\" : false"), json);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        assertTrue(assertInstanceOf(GRU.class, back.getConf(0).getLayer()).isReturnSequences());
        GRU last = assertInstanceOf(GRU.class, back.getConf(1).getLayer());
        assertFalse(last.isReturnSequences());
        assertTrue(last.isCarryStateOnMask());
        assertEquals(8, last.getNIn());
        assertEquals(7, ((DenseLayer) back.getConf(2).getLayer()).getNIn());

        // equals() looks at the setting
        MultiLayerConfiguration other = MultiLayerConfiguration.fromJson(json);
        ((GRU) other.getConf(1).getLayer()).setReturnSequences(true);
        assertNotEquals(conf, other);

        // a configuration written before the setting existed (no property) returns sequences
        String legacy = json.replace("\"returnSequences\" : true,", "").replace("\"returnSequences\" : false,", "");
        assertFalse(legacy.contains("returnSequences"), "test must strip the property");
        MultiLayerConfiguration old = MultiLayerConfiguration.fromJson(legacy);
        assertTrue(((GRU) old.getConf(1).getLayer()).isReturnSequences());

        MultiLayerNetwork net = new MultiLayerNetwork(back);
        net.init();
        assertEquals(2, net.output(Nd4j.rand(DataType.FLOAT, 3, 4, 6)).size(1));
        assertEquals(conf, MultiLayerConfiguration.fromYaml(conf.toYaml()));
    }

    /**
     * A model zip written by the code before returnSequences existed (GRU → LastTimeStep(GRU) → softmax, float,
     * Adam; see the resource) still loads, returns sequences where it did and gives the output it gave then.
     */
    @Test
    public void modelSavedBeforeReturnSequencesStillLoads(@TempDir File dir) throws Exception {
        String base = "/reviewnet/nn/layers/gru-saved-before-return-sequences";
        File zip = new File(dir, "old.zip");
        try (InputStream in = getClass().getResourceAsStream(base + ".zip")) {
            assertNotNull(in);
            Files.copy(in, zip.toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
        String expected;
        try (InputStream in = getClass().getResourceAsStream(base + ".output.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        assertTrue(assertInstanceOf(GRU.class, net.getLayerWiseConfigurations().getConf(0).getLayer()).isReturnSequences());
        LastTimeStep lts = assertInstanceOf(LastTimeStep.class, net.getLayerWiseConfigurations().getConf(1).getLayer());
        assertTrue(((GRU) lts.getUnderlying()).isReturnSequences());

        INDArray x = Nd4j.linspace(-1L, 1L, 36L, DataType.FLOAT).reshape(2, 3, 6);   // as when it was written
        float[] out = net.output(x).data().asFloat();
        String[] want = expected.substring(1, expected.length() - 1).split(",\\s*");
        assertEquals(want.length, out.length);
        for (int i = 0; i < out.length; i++) {
            assertEquals(Float.parseFloat(want[i]), out[i], 1e-5, "output " + i);
        }
    }

    @Test
    public void yamlRoundTrip() {
        MultiLayerConfiguration conf = conf();
        assertEquals(conf, MultiLayerConfiguration.fromYaml(conf.toYaml()));
    }

    @Test
    public void modelSerializerSaveLoad(@TempDir File dir) throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(conf());
        net.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 5, 6);    // NWC [mb, T, nIn]
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 2);
        y.putScalar(0, 0, 1).putScalar(1, 1, 1).putScalar(2, 0, 1).putScalar(3, 1, 1);
        for (int i = 0; i < 3; i++) {            // some updater state worth saving
            net.fit(new DataSet(x, y));
        }
        INDArray before = net.output(x);

        File f = new File(dir, "gru.zip");
        ModelSerializer.writeModel(net, f, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(f, true);

        assertEquals(net.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertEquals(net.params(), restored.params());
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        INDArray after = restored.output(x);
        assertEquals(0.0, before.sub(after).amaxNumber().doubleValue(), 0.0);

        // training continues identically from the restored state
        Nd4j.getRandom().setSeed(7);   // same dropout masks for both
        net.fit(new DataSet(x, y));
        Nd4j.getRandom().setSeed(7);
        restored.fit(new DataSet(x, y));
        assertEquals(0.0, net.params().sub(restored.params()).amaxNumber().doubleValue(), 1e-6);
    }
}

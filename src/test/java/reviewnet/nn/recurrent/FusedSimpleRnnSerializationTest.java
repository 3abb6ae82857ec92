package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedSimpleRnn;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitXavierUniform;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

public class FusedSimpleRnnSerializationTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    @BeforeEach
    public void setUp() {
            }

    /** The product's shape (last step only, then Dense layers), with non-default settings throughout. */
    private static MultiLayerConfiguration conf() {
        return new NeuralNetConfiguration.Builder()
                .seed(42)
                .updater(new Adam(1e-3))
                .list()
                .layer(new FusedSimpleRnn.Builder()
                        .nIn(6).nOut(8)
                        .activation(Activation.SOFTSIGN)
                        .returnSequences(false)
                        .weightInitRecurrent(WeightInit.XAVIER)
                        .dataFormat(RNNFormat.NWC)
                        .dropOut(new Dropout(0.8))
                        .build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build())
                .setInputType(InputType.recurrent(6, RNNFormat.NWC))
                .build();
    }

    @Test
    public void jsonRoundTrip() {
        MultiLayerConfiguration conf = conf();
        String json = conf.toJson();
        assertTrue(json.contains("\"reviewnet.nn.layers.FusedSimpleRnn\""), "custom layer serialized by class name");
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());

        FusedSimpleRnn r = assertInstanceOf(FusedSimpleRnn.class, back.getConf(0).getLayer());
        assertEquals(6, r.getNIn());
        assertEquals(8, r.getNOut());
        assertInstanceOf(ActivationSoftSign.class, r.getActivationFn());
        assertFalse(r.isReturnSequences());
        assertTrue(r.isCarryStateOnMask());
        assertInstanceOf(WeightInitXavierUniform.class, r.getWeightInitFn());
        assertEquals(WeightInit.XAVIER.getWeightInitFunction(), r.getWeightInitFnRecurrent());
        assertEquals(RNNFormat.NWC, r.getRnnDataFormat());
        assertEquals(new Dropout(0.8), r.getIDropout());
        assertEquals(new Adam(1e-3), r.getIUpdater());
        // no preprocessor between the last-step output and the Dense layer
        assertEquals(null, back.getInputPreProcess(1));

        // equals() looks at the layer's own fields (so the assertEquals above is meaningful)
        MultiLayerConfiguration other = MultiLayerConfiguration.fromJson(json);
        ((FusedSimpleRnn) other.getConf(0).getLayer()).setReturnSequences(true);
        assertNotEquals(conf, other);
        other = MultiLayerConfiguration.fromJson(json);
        ((FusedSimpleRnn) other.getConf(0).getLayer()).setCarryStateOnMask(false);
        assertNotEquals(conf, other);

        // and the deserialized configuration builds a working network
        MultiLayerNetwork net = new MultiLayerNetwork(back);
        net.init();
        assertEquals(2, net.output(Nd4j.rand(DataType.FLOAT, 3, 4, 6)).size(1));
    }

    @Test
    public void yamlRoundTrip() {
        MultiLayerConfiguration conf = conf();
        assertEquals(conf, MultiLayerConfiguration.fromYaml(conf.toYaml()));
    }

    @Test
    public void lastStepOnlyNeedsCarriedState() {
        FusedSimpleRnn.Builder b = new FusedSimpleRnn.Builder(3, 4).returnSequences(false).carryStateOnMask(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);   // as for all fused layers
        assertTrue(e.getMessage().contains("carryStateOnMask"));
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

        File f = new File(dir, "simple-rnn.zip");
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

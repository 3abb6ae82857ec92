package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedLstm;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

public class FusedLstmSerializationTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    @BeforeEach
    public void setUp() {
            }

    /** Stacked: full-sequence LSTM (non-default settings) → last-step LSTM → Dense → softmax. */
    private static MultiLayerConfiguration conf() {
        return new NeuralNetConfiguration.Builder()
                .seed(42)
                .updater(new Adam(1e-3))
                .list()
                .layer(new FusedLstm.Builder()
                        .nIn(6).nOut(8)
                        .carryStateOnMask(false)
                        .forgetGateBiasInit(2.5)
                        .weightInitRecurrent(WeightInit.XAVIER)
                        .dataFormat(RNNFormat.NWC)
                        .dropOut(new Dropout(0.8))
                        .build())
                .layer(new FusedLstm.Builder().nOut(7).returnSequences(false).dataFormat(RNNFormat.NWC).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build())
                .setInputType(InputType.recurrent(6, RNNFormat.NWC))
                .build();
    }

    @Test
    public void jsonRoundTrip() {
        MultiLayerConfiguration conf = conf();
        String json = conf.toJson();
        assertTrue(json.contains("\"reviewnet.nn.layers.FusedLstm\""), "custom layer serialized by class name");
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());

        FusedLstm l0 = assertInstanceOf(FusedLstm.class, back.getConf(0).getLayer());
        assertEquals(6, l0.getNIn());
        assertEquals(8, l0.getNOut());
        assertInstanceOf(ActivationTanH.class, l0.getActivationFn());
        assertFalse(l0.isCarryStateOnMask());
        assertTrue(l0.isReturnSequences());
        assertEquals(2.5, l0.getForgetGateBiasInit(), 0.0);
        assertInstanceOf(WeightInitXavierUniform.class, l0.getWeightInitFn());
        assertEquals(WeightInit.XAVIER.getWeightInitFunction(), l0.getWeightInitFnRecurrent());
        assertEquals(RNNFormat.NWC, l0.getRnnDataFormat());
        assertEquals(new Dropout(0.8), l0.getIDropout());
        assertEquals(new Adam(1e-3), l0.getIUpdater());
        FusedLstm l1 = assertInstanceOf(FusedLstm.class, back.getConf(1).getLayer());
        assertFalse(l1.isReturnSequences());
        assertEquals(8, l1.getNIn());
        assertEquals(7, ((DenseLayer) back.getConf(2).getLayer()).getNIn());

        // equals() looks at the layer's own fields (so the assertEquals above is meaningful)
        for (int field = 0; field < 3; field++) {
            MultiLayerConfiguration other = MultiLayerConfiguration.fromJson(json);
            FusedLstm o = (FusedLstm) other.getConf(0).getLayer();
            switch (field) {
                case 0 -> o.setCarryStateOnMask(true);
                case 1 -> o.setReturnSequences(false);
                default -> o.setForgetGateBiasInit(1.0);
            }
            assertNotEquals(conf, other, "field " + field);
        }

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

        File f = new File(dir, "lstm.zip");
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

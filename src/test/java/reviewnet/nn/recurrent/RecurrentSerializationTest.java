package reviewnet.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.stream.Stream;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitXavierUniform;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import reviewnet.nn.layers.FusedRecurrent;
import reviewnet.testing.DefaultDataTypes;

/**
 * Every {@link Cell}'s configuration through JSON, YAML and ModelSerializer: the class name in the JSON, every
 * setting restored (the shared ones and the cell's own), equals() looking at them, the default of a property a
 * configuration was saved without, and a saved network that predicts and trains on exactly as before.
 */
class RecurrentSerializationTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    /** Stacked: full-sequence cell (non-default settings) → last-step cell → Dense → softmax, NWC. */
    private static MultiLayerConfiguration conf(Cell cell) {
        return new NeuralNetConfiguration.Builder()
                .seed(42)
                .updater(new Adam(1e-3))
                .list()
                .layer(cell.nonDefault(6, 8)
                        .carryStateOnMask(false)
                        .weightInitRecurrent(WeightInit.XAVIER)
                        .dataFormat(RNNFormat.NWC)
                        .dropOut(new Dropout(0.8))
                        .build())
                .layer(cell.builder(0, 7).returnSequences(false).dataFormat(RNNFormat.NWC).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build())
                .setInputType(InputType.recurrent(6, RNNFormat.NWC))
                .build();
    }

    private static FusedRecurrent layer(MultiLayerConfiguration conf, int i) {
        return (FusedRecurrent) conf.getConf(i).getLayer();
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void jsonAndYamlRoundTrip(Cell cell) {
        MultiLayerConfiguration conf = conf(cell);
        String json = conf.toJson();
        String className = layer(conf, 0).getClass().getName();
        assertTrue(json.contains("\"" + className + "\""), "custom layer serialized by class name");
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        assertEquals(conf, MultiLayerConfiguration.fromYaml(conf.toYaml()));

        FusedRecurrent l0 = assertInstanceOf(layer(conf, 0).getClass(), layer(back, 0));
        assertEquals(6, l0.getNIn());
        assertEquals(8, l0.getNOut());
        assertFalse(l0.isCarryStateOnMask());
        assertTrue(l0.isReturnSequences());
        cell.assertNonDefault(l0);
        assertInstanceOf(WeightInitXavierUniform.class, l0.getWeightInitFn());
        assertEquals(WeightInit.XAVIER.getWeightInitFunction(), l0.getWeightInitFnRecurrent());
        assertEquals(RNNFormat.NWC, l0.getRnnDataFormat());
        assertEquals(new Dropout(0.8), l0.getIDropout());
        assertEquals(new Adam(1e-3), l0.getIUpdater());
        FusedRecurrent l1 = layer(back, 1);
        assertFalse(l1.isReturnSequences());
        assertTrue(l1.isCarryStateOnMask());
        assertEquals(8, l1.getNIn());
        assertEquals(7, ((DenseLayer) back.getConf(2).getLayer()).getNIn());
        assertNull(back.getInputPreProcess(2), "no preprocessor between the last-step output and the Dense layer");

        // equals() looks at the layer's own fields (so the assertEquals above is meaningful)
        for (int field = 0; field < 3; field++) {
            MultiLayerConfiguration other = MultiLayerConfiguration.fromJson(json);
            switch (field) {
                case 0 -> layer(other, 0).setCarryStateOnMask(true);
                case 1 -> layer(other, 1).setReturnSequences(true);
                default -> {
                    if (!cell.changeOwnField(layer(other, 0))) {
                        continue;
                    }
                }
            }
            assertNotEquals(conf, other, "field " + field);
        }

        // a configuration written before returnSequences existed (no property) returns sequences
        String legacy = json.replace("\"returnSequences\" : true,", "").replace("\"returnSequences\" : false,", "");
        assertFalse(legacy.contains("returnSequences"), "test must strip the property");
        assertTrue(layer(MultiLayerConfiguration.fromJson(legacy), 1).isReturnSequences());

        // inside DL4J's LastTimeStep
        MultiLayerConfiguration wrapped = new NeuralNetConfiguration.Builder().list()
                .layer(new LastTimeStep(cell.nonDefault(6, 8).build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build())
                .setInputType(InputType.recurrent(6))
                .build();
        MultiLayerConfiguration wrappedBack = MultiLayerConfiguration.fromJson(wrapped.toJson());
        assertEquals(wrapped, wrappedBack);
        Layer underlying = ((LastTimeStep) wrappedBack.getConf(0).getLayer()).getUnderlying();
        cell.assertNonDefault(assertInstanceOf(FusedRecurrent.class, underlying));

        // the deserialized configuration builds a working network
        MultiLayerNetwork net = new MultiLayerNetwork(back);
        net.init();
        assertEquals(2, net.output(Nd4j.rand(DataType.FLOAT, 3, 4, 6)).size(1));
    }

    /** The model zip round trip also of a bidirectional layer over the cell (non-default settings, NWC) → Dense. */
    static Stream<Arguments> saveLoadCases() {
        return Cell.withEach(new Object[]{false}, new Object[]{true});
    }

    @ParameterizedTest(name = "{0} bidirectional={1}")
    @MethodSource("saveLoadCases")
    void modelSerializerSaveLoad(Cell cell, boolean bidirectional, @TempDir File dir) throws Exception {
        MultiLayerConfiguration conf = !bidirectional ? conf(cell) : new NeuralNetConfiguration.Builder()
                .seed(42)
                .updater(new Adam(1e-3))
                .list()
                .layer(cell.bidirectional(6, 8, cell.nonDefault(0, 0)).dataFormat(RNNFormat.NWC)
                        .dropOut(new Dropout(0.8)).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build())
                .setInputType(InputType.recurrent(6, RNNFormat.NWC))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 5, 6);    // NWC [mb, T, nIn]
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 2);
        y.putScalar(0, 0, 1).putScalar(1, 1, 1).putScalar(2, 0, 1).putScalar(3, 1, 1);
        for (int i = 0; i < 3; i++) {            // some updater state worth saving
            net.fit(new DataSet(x, y));
        }
        INDArray before = net.output(x);

        File f = new File(dir, cell + (bidirectional ? "-bi" : "") + ".zip");
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

package reviewnet.nn.layers;

import reviewnet.nn.conv.MultiWidthConv1DLayer;
import reviewnet.nn.embedding.BagEmbeddingLayer;
import reviewnet.nn.embedding.FastEmbeddingLayer;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInitXavierUniform;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The custom layers' configurations through JSON and YAML (serialized by class name, equal, the same JSON again, the
 * layer's own fields restored) and whole networks through ModelSerializer (same parameters, updater state, output,
 * and training continuing identically).
 */
public class CustomLayerSerializationTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final INDArray INDICES = Nd4j.create(new float[][]{{1, 2, 3, 4, 5, 6, 7, 8},
            {19, 0, 0, 3, 3, 3, 11, 2}, {5, 5, 5, 5, 1, 1, 1, 1}, {0, 0, 0, 0, 0, 9, 9, 9}});

    /**
     * A network around the layer at {@code index}, its labels for {@link #INDICES}, the layer's implementation, and
     * checks of the restored configuration's own fields.
     */
    record Case(String name, Supplier<MultiLayerConfiguration> conf, int index, INDArray labels,
                Class<?> implementation, Consumer<MultiLayerConfiguration> fields) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static MultiLayerConfiguration conf(int tLen, Layer... layers) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(42).updater(new Adam(1e-3))
                .list();
        for (Layer l : layers) {
            list.layer(l);
        }
        return list.overrideNinUponBuild(false).setInputType(InputType.recurrent(1, tLen)).build();
    }

    static Stream<Case> cases() {
        INDArray binary = Nd4j.create(new float[][]{{1}, {0}, {1}, {0}});
        Nd4j.getRandom().setSeed(5);
        return Stream.of(
                new Case("FastEmbedding", () -> conf(8,
                        new FastEmbedding.Builder(20, 5).inputLength(8).outputDataFormat(RNNFormat.NWC).build(),
                        new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nOut(2)
                                .dataFormat(RNNFormat.NWC).build()),
                        0, Nd4j.rand(DataType.FLOAT, 4, 8, 2), FastEmbeddingLayer.class, back -> {
                            FastEmbedding l = (FastEmbedding) back.getConf(0).getLayer();
                            assertEquals(RNNFormat.NWC, l.getOutputFormat());
                            assertEquals(8, l.getInputLength());
                            assertEquals(20, l.getNIn());
                        }),
                new Case("BagEmbedding", () -> conf(8,
                        new BagEmbedding.Builder(20, 3).pooling(BagEmbedding.Pooling.SQRT_COUNT).build(),
                        new OutputLayer.Builder(LossFunction.XENT).activation(Activation.SIGMOID).nOut(1).build()),
                        0, binary, BagEmbeddingLayer.class, back -> assertEquals(BagEmbedding.Pooling.SQRT_COUNT,
                                ((BagEmbedding) back.getConf(0).getLayer()).getPooling())),
                // embedding → dropout → MultiWidthConv1D (non-default widths, filters, bias init) → dropout → sigmoid
                new Case("MultiWidthConv1D", () -> conf(8,
                        new FastEmbedding.Builder(20, 6).inputLength(8).build(),
                        new DropoutLayer.Builder(0.8).build(),
                        new MultiWidthConv1D.Builder().widths(2, 4).filters(5).biasInit(0.25).build(),
                        new DropoutLayer.Builder(0.5).build(),
                        new OutputLayer.Builder(LossFunction.XENT).activation(Activation.SIGMOID).nOut(1).build()),
                        2, binary, MultiWidthConv1DLayer.class, CustomLayerSerializationTest::convFields));
    }

    private static void convFields(MultiLayerConfiguration back) {
        MultiWidthConv1D l = assertInstanceOf(MultiWidthConv1D.class, back.getConf(2).getLayer());
        assertEquals(List.of(2, 4), l.getWidths());
        assertEquals(5, l.getFilters());
        assertEquals(6, l.getNIn());
        assertEquals(10, l.getNOut());
        assertEquals(0.25, l.getBiasInit(), 0.0);
        assertInstanceOf(ActivationReLU.class, l.getActivationFn());
        assertInstanceOf(WeightInitXavierUniform.class, l.getWeightInitFn());
        assertEquals(new Adam(1e-3), l.getIUpdater());
        assertEquals(new Dropout(0.5), ((DropoutLayer) back.getConf(3).getLayer()).getIDropout());
        assertEquals(10, ((OutputLayer) back.getConf(4).getLayer()).getNIn());
        // equals() looks at the layer's own fields (so the round trip's assertEquals is meaningful)
        String json = back.toJson();
        MultiLayerConfiguration otherWidths = MultiLayerConfiguration.fromJson(json);
        ((MultiWidthConv1D) otherWidths.getConf(2).getLayer()).setWidths(List.of(2, 3));
        assertNotEquals(back, otherWidths, "widths");
        MultiLayerConfiguration otherFilters = MultiLayerConfiguration.fromJson(json);
        ((MultiWidthConv1D) otherFilters.getConf(2).getLayer()).setFilters(4);
        assertNotEquals(back, otherFilters, "filters");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    public void roundTrips(Case c, @TempDir File dir) throws Exception {
        MultiLayerConfiguration conf = c.conf.get();
        String json = conf.toJson();
        String className = "\"" + conf.getConf(c.index).getLayer().getClass().getName() + "\"";
        assertTrue(json.contains(className), "custom layer serialized by class name");
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        assertEquals(conf, MultiLayerConfiguration.fromYaml(conf.toYaml()));
        c.fields.accept(back);

        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        for (int i = 0; i < 3; i++) {            // some updater state worth saving
            net.fit(INDICES, c.labels);
        }
        MultiLayerNetwork fromJson = new MultiLayerNetwork(back);
        fromJson.init(net.params().dup(), false);
        assertEquals(net.output(INDICES), fromJson.output(INDICES));

        File file = new File(dir, "net.zip");
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertInstanceOf(c.implementation, restored.getLayer(c.index));
        assertEquals(conf, restored.getLayerWiseConfigurations());
        assertEquals(net.params(), restored.params());
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        assertEquals(net.output(INDICES), restored.output(INDICES));
        // training continues identically from the restored state (the same dropout masks for both)
        Nd4j.getRandom().setSeed(7);
        net.fit(INDICES, c.labels);
        Nd4j.getRandom().setSeed(7);
        restored.fit(INDICES, c.labels);
        assertEquals(net.params(), restored.params());
    }
}

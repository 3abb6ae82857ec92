package reviewnet.nn.conv;

import reviewnet.nn.layers.FastEmbedding;
import reviewnet.nn.layers.MultiWidthConv1D;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInitXavierUniform;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

public class MultiWidthConv1DSerializationTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    /** Embedding → dropout → MultiWidthConv1D (non-default widths, filters, bias init) → dropout → sigmoid. */
    private static MultiLayerConfiguration conf() {
        return new NeuralNetConfiguration.Builder()
                .seed(42)
                .updater(new Adam(1e-3))
                .list()
                .layer(new FastEmbedding.Builder(20, 6).inputLength(8).build())
                .layer(new DropoutLayer.Builder(0.8).build())
                .layer(new MultiWidthConv1D.Builder().widths(2, 4).filters(5).biasInit(0.25).build())
                .layer(new DropoutLayer.Builder(0.5).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.SIGMOID)
                        .nOut(1).build())
                .overrideNinUponBuild(false)
                .setInputType(InputType.recurrent(1, 8))
                .build();
    }

    @Test
    public void jsonRoundTrip() {
        MultiLayerConfiguration conf = conf();
        String json = conf.toJson();
        assertTrue(json.contains("\"reviewnet.nn.layers.MultiWidthConv1D\""), "custom layer serialized by class name");
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());

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

        // equals() looks at the layer's own fields (so the assertEquals above is meaningful)
        for (int field = 0; field < 2; field++) {
            MultiLayerConfiguration other = MultiLayerConfiguration.fromJson(json);
            MultiWidthConv1D o = (MultiWidthConv1D) other.getConf(2).getLayer();
            if (field == 0) {
                o.setWidths(List.of(2, 3));
            } else {
                o.setFilters(4);
            }
            assertNotEquals(conf, other, "field " + field);
        }

        MultiLayerNetwork a = new MultiLayerNetwork(conf);
        a.init();
        MultiLayerNetwork b = new MultiLayerNetwork(back);
        b.init(a.params().dup(), false);
        INDArray in = Nd4j.create(new float[][]{{1, 2, 3, 4, 5, 6, 7, 8}, {19, 0, 0, 3, 3, 3, 11, 2}});
        assertEquals(a.output(in), b.output(in));
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
        INDArray x = Nd4j.create(new float[][]{{1, 2, 3, 4, 5, 6, 7, 8}, {19, 0, 0, 3, 3, 3, 11, 2},
                {5, 5, 5, 5, 1, 1, 1, 1}, {0, 0, 0, 0, 0, 9, 9, 9}});
        INDArray y = Nd4j.create(new float[][]{{1}, {0}, {1}, {0}});
        for (int i = 0; i < 3; i++) {            // some updater state worth saving
            net.fit(new DataSet(x, y));
        }
        INDArray before = net.output(x);

        File f = new File(dir, "cnn-max.zip");
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

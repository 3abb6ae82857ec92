package reviewnet.eval;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import reviewnet.config.ModelSettings;
import reviewnet.nn.Architectures;
import reviewnet.nn.SequenceClassifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BinaryCrossEntropyTest {

    @ParameterizedTest
    @CsvSource({
            "1, 0.9, 0.105360516",
            "0, 0.9, 2.302585093",
            "1, 0.5, 0.693147181",
            "0, 0.0, 0.000010000",   // clipped at 1e-5: -ln(1 - 1e-5)
            "1, 0.0, 11.512925465"}) // -ln(1e-5)
    void oneExample(float label, float probability, double expected) {
        BinaryCrossEntropy loss = new BinaryCrossEntropy();
        loss.eval(Nd4j.create(new float[] {label}, new long[] {1, 1}),
                Nd4j.create(new float[] {probability}, new long[] {1, 1}));
        assertEquals(expected, loss.mean(), 1e-6);
    }

    @Test
    void mergedMeanIsTheMeanOverAllExamples() {
        BinaryCrossEntropy a = new BinaryCrossEntropy();
        a.eval(Nd4j.create(new float[] {1, 0}, new long[] {2, 1}), Nd4j.create(new float[] {0.9f, 0.9f}, new long[] {2, 1}));
        BinaryCrossEntropy b = new BinaryCrossEntropy();
        b.eval(Nd4j.create(new float[] {1}, new long[] {1, 1}), Nd4j.create(new float[] {0.5f}, new long[] {1, 1}));
        a.merge(b);
        assertEquals(3, a.count());
        assertEquals((0.105360516 + 2.302585093 + 0.693147181) / 3, a.mean(), 1e-6);
    }

    @Test
    void equalsTheNetworkScore() {
        ModelSettings model = new ModelSettings(300, 20, 8, 8, 0.2, 4, 3, 2);
        MultiLayerNetwork network = new MultiLayerNetwork(SequenceClassifier.configuration(Architectures.get("gru"),
                model, 1e-3, 3));
        network.init();
        Nd4j.getRandom().setSeed(11);
        DataSet data = new DataSet(Nd4j.rand(17, 20).muli(299).castTo(org.nd4j.linalg.api.buffer.DataType.INT32)
                .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT),
                Nd4j.rand(17, 1).gt(0.5).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        for (int i = 0; i < 30; i++) {
            network.fit(data); // move the outputs away from 0.5
        }
        BinaryCrossEntropy loss = new BinaryCrossEntropy();
        loss.eval(data.getLabels(), network.output(data.getFeatures(), false));
        assertEquals(network.score(data, false), loss.mean(), 1e-5);
    }
}

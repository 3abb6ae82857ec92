package reviewnet.nn.embedding;

import reviewnet.nn.layers.BagEmbedding;
import reviewnet.nn.layers.FastEmbedding;
import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** The embedding layers' input: indices outside [0, V), NaN and wrong shapes rejected, fractions truncated. */
public class EmbeddingIndicesTest {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.FLOAT);

    private static final int V = 11, MB = 3, T = 7;

    private static INDArray indices() {
        return Nd4j.create(new float[][]{
                {0, 3, 3, 10, 7, 3, 3},
                {10, 10, 2, 0, 5, 5, 9},
                {4, 3, 8, 6, 0, 10, 3}});
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    public void invalidIndicesAreRejected(boolean bag) {
        Layer embedding = bag ? new BagEmbedding.Builder(V, 5).build()
                : new FastEmbedding.Builder(V, 5).inputLength(T).build();
        Layer output = bag ? new OutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nOut(2).build()
                : new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nOut(2).build();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(42).list()
                .layer(embedding).layer(output)
                .overrideNinUponBuild(false).setInputType(InputType.recurrent(1, T)).build());
        net.init();
        INDArray tooLarge = indices().dup();
        tooLarge.putScalar(2, 4, V);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.output(tooLarge));
        assertTrue(e.getMessage().contains("invalid word index 11.0 at example 2, step 4"), e.getMessage());
        INDArray negative = indices().dup();
        negative.putScalar(0, 0, -1);
        assertThrows(IllegalArgumentException.class, () -> net.output(negative));
        INDArray nan = indices().dup();
        nan.putScalar(1, 1, Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> net.output(nan));
        // fractions are truncated, as in DL4J's layer: 2.7 is word 2
        INDArray fraction = indices().dup();
        fraction.putScalar(1, 2, 2.7);
        assertEquals(net.output(indices()), net.output(fraction));
        // and in training
        INDArray labels = bag ? Nd4j.rand(DataType.FLOAT, MB, 2) : Nd4j.rand(DataType.FLOAT, MB, 2, T);
        assertThrows(IllegalArgumentException.class, () -> net.fit(tooLarge, labels));
        // wrong rank / shape
        assertThrows(IllegalArgumentException.class, () -> net.output(indices().reshape(MB, T, 1)));
    }
}

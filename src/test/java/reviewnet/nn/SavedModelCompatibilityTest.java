package reviewnet.nn;

import reviewnet.nn.layers.BagEmbedding;
import reviewnet.nn.layers.BidirectionalGRU;
import reviewnet.nn.layers.FastEmbedding;
import reviewnet.nn.layers.FusedLstm;
import reviewnet.nn.layers.FusedSimpleRnn;
import reviewnet.nn.layers.GRU;
import reviewnet.nn.layers.MultiWidthConv1D;
import reviewnet.nn.layers.SeededDropout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import reviewnet.nn.layers.GRU;

/**
 * Models saved before the network code was regrouped (issue 24) still load and give the same outputs: registry
 * champions and compared models are DL4J {@code model.zip} files whose JSON names our configuration classes by fully
 * qualified name ({@code reviewnet.nn.layers.GRU}, {@code FusedLstm}, {@code FusedSimpleRnn}, {@code BidirectionalGRU},
 * {@code FastEmbedding}, {@code BagEmbedding}, {@code MultiWidthConv1D}, {@code SeededDropout},
 * {@code reviewnet.nn.FlattenPreProcessor}) and their JSON properties.
 * <p>
 * The resources under {@code reviewnet/nn/saved/} were written by the code of commit 62eb257 (before the change):
 * every architecture of {@link Architectures} at tiny sizes (float, trained one step, so that biases and the Adam
 * state are not zero), and each recurrent kind with non-default settings (double, NWC, reset on mask, other
 * activations, inside {@code LastTimeStep}, trained one masked step), each with an input, a mask where there was one,
 * and the output the saved network gave.
 */
class SavedModelCompatibilityTest {

    static Stream<String> savedModels() {
        return Stream.concat(Architectures.names().stream(),
                Stream.of("gru-settings", "lstm-settings", "simple-rnn-settings", "bigru-settings"));
    }

    @ParameterizedTest
    @MethodSource("savedModels")
    void modelSavedBeforeTheChangeLoadsAndGivesTheSameOutput(String name, @TempDir Path dir) throws IOException {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(copy(name + ".zip", dir).toFile(), true);
        INDArray input = Nd4j.createFromNpyFile(copy(name + "-input.npy", dir).toFile());
        INDArray expected = Nd4j.createFromNpyFile(copy(name + "-output.npy", dir).toFile());
        INDArray mask = name.endsWith("-settings")
                ? Nd4j.createFromNpyFile(copy(name + "-mask.npy", dir).toFile()) : null;

        INDArray output = net.output(input, false, mask, null);

        assertArrayEquals(expected.shape(), output.shape(), name);
        double diff = output.castTo(expected.dataType()).sub(expected).amaxNumber().doubleValue();
        assertTrue(diff < 1e-6, name + ": outputs differ by " + diff);
    }

    /**
     * A model zip written by the code before returnSequences existed (GRU → LastTimeStep(GRU) → softmax, float,
     * Adam; see the resource) still loads, returns sequences where it did and gives the output it gave then.
     */
    @Test
    void gruSavedBeforeReturnSequencesExistedStillLoads(@TempDir Path dir) throws IOException {
        String base = "/reviewnet/nn/layers/gru-saved-before-return-sequences";
        Path zip = dir.resolve("old.zip");
        try (InputStream in = getClass().getResourceAsStream(base + ".zip")) {
            assertNotNull(in);
            Files.copy(in, zip, StandardCopyOption.REPLACE_EXISTING);
        }
        String expected;
        try (InputStream in = getClass().getResourceAsStream(base + ".output.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), true);
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

    private static Path copy(String resource, Path dir) throws IOException {
        Path target = dir.resolve(resource);
        try (InputStream in = SavedModelCompatibilityTest.class.getResourceAsStream("saved/" + resource)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }
}

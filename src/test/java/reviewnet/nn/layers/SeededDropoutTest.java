package reviewnet.nn.layers;

import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import reviewnet.config.ModelSettings;
import reviewnet.nn.Architectures;
import reviewnet.nn.SequenceClassifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seeded dropout: a mask that is a function of (seed, epoch, iteration, activations), with dropout's semantics. */
class SeededDropoutTest {

    static float[] activations(long seed, int n) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** Rows: (what differs from the reference draw, whether the mask must be the same). */
    @ParameterizedTest(name = "{0}: same mask = {1}")
    @CsvSource({"nothing, true", "iteration, false", "epoch, false", "activations, false", "seed, false"})
    void theMaskIsAFunctionOfSeedEpochIterationAndActivations(String differs, boolean same) {
        float[] x = activations(1, 4096);
        float[] reference = new SeededDropout(0.8, 42).mask(x, 7, 1);
        float[] other = switch (differs) {
            case "nothing" -> new SeededDropout(0.8, 42).mask(x.clone(), 7, 1);
            case "iteration" -> new SeededDropout(0.8, 42).mask(x, 8, 1);
            case "epoch" -> new SeededDropout(0.8, 42).mask(x, 7, 2);
            case "activations" -> new SeededDropout(0.8, 42).mask(activations(2, 4096), 7, 1);
            case "seed" -> new SeededDropout(0.8, 43).mask(x, 7, 1);
            default -> throw new IllegalArgumentException(differs);
        };
        assertEquals(same, java.util.Arrays.equals(reference, other));
    }

    /** Inverted dropout: about `retain` of the activations kept, scaled by 1/retain; backprop through the same mask. */
    @ParameterizedTest
    @CsvSource({"0.8", "0.5", "1.0"})
    void keepsTheRetainShareScaledAndBackpropagatesThroughTheSameMask(double retain) {
        int n = 100_000;
        INDArray x = Nd4j.createFromArray(activations(3, n)).reshape(10, 100, 100).castTo(DataType.FLOAT);
        SeededDropout dropout = new SeededDropout(retain, 42);
        INDArray y = dropout.applyDropout(x, x.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces());
        float[] in = x.data().asFloat();
        float[] out = y.dup('c').data().asFloat();
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (out[i] != 0f) {
                kept++;
                assertEquals(in[i] / retain, out[i], 1e-5 * Math.abs(in[i] / retain) + 1e-7);
            }
        }
        assertEquals(retain, kept / (double) n, 0.005, "share kept");
        INDArray ones = Nd4j.ones(DataType.FLOAT, 10, 100, 100);
        INDArray grad = dropout.backprop(ones, ones.ulike(), 0, 0);
        float[] g = grad.dup('c').data().asFloat();
        for (int i = 0; i < n; i++) {
            assertEquals(out[i] == 0f ? 0f : (float) (1 / retain), g[i], 1e-6f);
        }
    }

    /**
     * Rows: (layout of the activations, whether the result overwrites them). The float path works on the native
     * buffers in the arrays' own layouts; whatever the layout it gives the reference mask of the values in 'c' order,
     * and backprop (epsilon in yet another layout) goes through the same mask.
     */
    @ParameterizedTest(name = "{0}, in place = {1}")
    @CsvSource({"c, false", "c, true", "permuted, false", "permuted, true", "f, false", "offset-view, false",
            "offset-view, true"})
    void theFloatPathGivesTheReferenceMaskInAnyLayout(String layout, boolean inPlace) {
        INDArray base = Nd4j.createFromArray(activations(5, 6 * 7 * 9)).castTo(DataType.FLOAT);
        INDArray x = switch (layout) {
            case "c" -> base.reshape('c', 6, 7, 9);
            case "permuted" -> base.reshape('c', 6, 9, 7).permute(0, 2, 1);      // the embedding's NCW view
            case "f" -> base.reshape('c', 6, 7, 9).dup('f');
            case "offset-view" -> Nd4j.concat(0, Nd4j.ones(DataType.FLOAT, 6, 7, 9), base.reshape('c', 6, 7, 9))
                    .get(NDArrayIndex.interval(6, 12), NDArrayIndex.all(), NDArrayIndex.all());
            default -> throw new IllegalArgumentException(layout);
        };
        float[] values = x.dup('c').data().asFloat();
        SeededDropout dropout = new SeededDropout(0.7, 42);
        float[] mask = dropout.mask(values, 5, 2);
        INDArray y = dropout.applyDropout(x, inPlace ? x : x.ulike(), 5, 2, LayerWorkspaceMgr.noWorkspaces());
        float[] out = y.dup('c').data().asFloat();
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i] * mask[i], out[i], 0f, "element " + i);
        }
        INDArray epsilon = Nd4j.createFromArray(activations(6, values.length)).castTo(DataType.FLOAT)
                .reshape('c', x.shape()).dup('f');
        float[] e = epsilon.dup('c').data().asFloat();
        float[] g = dropout.backprop(epsilon, epsilon.ulike(), 5, 2).dup('c').data().asFloat();
        for (int i = 0; i < values.length; i++) {
            assertEquals(e[i] * mask[i], g[i], 0f, "gradient element " + i);
        }
    }

    /** Every dropout layer of a network uses it (each with its own seed) and it survives the JSON of the configuration. */
    @Test
    void networksUseItAndItsConfigurationRoundTrips() {
        ModelSettings model = ModelSettings.from(reviewnet.config.JobConfig.resolve(
                com.typesafe.config.ConfigFactory.empty()));
        MultiLayerConfiguration conf = SequenceClassifier.configuration(Architectures.get("cnn-max"), model, 1e-3, 42);
        List<SeededDropout> dropouts = conf.getConfs().stream().map(c -> c.getLayer())
                .filter(l -> l instanceof DropoutLayer).map(l -> assertInstanceOf(SeededDropout.class, l.getIDropout()))
                .toList();
        assertEquals(2, dropouts.size(), "the shared front's and cnn-max's own");
        assertFalse(dropouts.get(0).equals(dropouts.get(1)), "each dropout layer its own seed");
        assertTrue(dropouts.stream().allMatch(d -> Math.abs(d.retain() - (1 - model.dropout())) < 1e-12));
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf.toJson(), back.toJson());
        float[] x = activations(4, 256);
        SeededDropout restored = (SeededDropout) back.getConf(1).getLayer().getIDropout();
        assertArrayEquals(dropouts.get(0).mask(x, 3, 1), restored.mask(x, 3, 1));
    }
}

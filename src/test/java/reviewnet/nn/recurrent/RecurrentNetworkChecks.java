package reviewnet.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Network-level checks shared by the recurrent layers' integration tests. */
final class RecurrentNetworkChecks {

    private RecurrentNetworkChecks() {
    }

    static double maxDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    /**
     * A network whose recurrent layer returns only the last step ({@code own}) gives exactly what the same network
     * with {@code LastTimeStep} around the full-sequence layer ({@code wrapped}) gives with the same parameters:
     * outputs (with and without the masks), scores, every parameter's gradient and, after fitting both on each data
     * set, the parameters. Double precision, tolerance 1e-12.
     */
    static void assertLastStepOnlyEqualsWrapper(MultiLayerNetwork wrapped, MultiLayerNetwork own, List<DataSet> data) {
        assertEquals(wrapped.numParams(), own.numParams());
        own.setParams(wrapped.params().dup());
        for (DataSet ds : data) {
            INDArray mask = ds.getFeaturesMaskArray();
            assertTrue(maxDiff(wrapped.output(ds.getFeatures(), false, mask, null),
                    own.output(ds.getFeatures(), false, mask, null)) < 1e-12, "output with mask");
            assertTrue(maxDiff(wrapped.output(ds.getFeatures()), own.output(ds.getFeatures())) < 1e-12, "output");

            for (MultiLayerNetwork net : new MultiLayerNetwork[]{wrapped, own}) {
                net.setInput(ds.getFeatures());
                net.setLabels(ds.getLabels());
                net.setLayerMaskArrays(mask, null);
                net.computeGradientAndScore();
                net.clearLayerMaskArrays();
            }
            assertEquals(wrapped.score(), own.score(), 1e-12);
            assertTrue(wrapped.getFlattenedGradients().amaxNumber().doubleValue() > 1e-4, "gradients ~0");
            for (String key : wrapped.paramTable().keySet()) {
                assertTrue(maxDiff(wrapped.gradient().getGradientFor(key), own.gradient().getGradientFor(key)) < 1e-12,
                        "gradient of " + key);
            }

            wrapped.fit(ds);
            own.fit(ds);
            assertTrue(maxDiff(wrapped.params(), own.params()) < 1e-12, "parameters after fit");
        }
    }
}

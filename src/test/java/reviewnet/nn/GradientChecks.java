package reviewnet.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/** DL4J's numerical gradient check (central differences, epsilon 1e-6; the network in double precision). */
public final class GradientChecks {

    private GradientChecks() {
    }

    /**
     * Asserts that every parameter's analytic gradient matches central differences, after guarding against a vacuous
     * pass: the gradients of {@code params} (e.g. "0_W") must be clearly non-zero. {@code mask}: input and label mask,
     * or null.
     */
    public static void assertGradientsMatch(MultiLayerNetwork net, INDArray in, INDArray labels, INDArray mask,
                                            double maxRelError, double minAbsoluteError, String... params) {
        net.setInput(in);
        net.setLabels(labels);
        net.setLayerMaskArrays(mask, mask);
        net.computeGradientAndScore();
        for (String p : params) {
            double amax = net.gradient().getGradientFor(p).amaxNumber().doubleValue();
            assertTrue(amax > 1e-3, p + " gradient is ~0: " + amax);
        }
        net.clearLayerMaskArrays();
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net).input(in).labels(labels).inputMask(mask).labelMask(mask)
                .epsilon(1e-6).maxRelError(maxRelError).minAbsoluteError(minAbsoluteError)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
        assertTrue(ok, "gradient check failed");
    }
}

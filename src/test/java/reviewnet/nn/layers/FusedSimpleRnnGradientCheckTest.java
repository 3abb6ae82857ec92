package reviewnet.nn.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Numerical gradient checks (DL4J GradientCheckUtil: central differences, double precision) of W, RW and b, with and
 * without masks, NCW and NWC, below an RnnOutputLayer, inside DL4J's LastTimeStep wrapper and with
 * returnSequences(false). The epsilon w.r.t. the layer input is covered by the stacked case: the lower layer's
 * parameter gradients are only correct if the upper layer's input epsilon is.
 */
public class FusedSimpleRnnGradientCheckTest {

    private static final double EPS = 1e-6;
    private static final double MAX_REL_ERROR = 1e-3;
    private static final double MIN_ABS_ERROR = 1e-8;

    private static final int MB = 3, N_IN = 3, N = 4, T = 6;

    private DataType savedDefault, savedFloat;

    @BeforeEach
    public void setUp() {
        savedDefault = Nd4j.dataType();
        savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(12345);
    }

    @AfterEach
    public void restoreDataTypes() {
        Nd4j.setDefaultDataTypes(savedDefault, savedFloat);
    }

    private static NeuralNetConfiguration.ListBuilder base() {
        return new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .seed(12345)
                .updater(new NoOp())
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list();
    }

    private static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        // Non-zero biases (default init is 0) so that the bias term is exercised.
        Random rng = new Random(7);
        for (int i = 0; i < net.getnLayers(); i++) {
            INDArray p = net.getLayer(i).paramTable().get("b");
            for (long j = 0; j < p.length(); j++) {
                p.putScalar(j, 0.5 * rng.nextGaussian());
            }
        }
        return net;
    }

    private static FusedSimpleRnn.Builder rnn(int nIn, int nOut, RNNFormat format, boolean carry) {
        return new FusedSimpleRnn.Builder(nIn, nOut).dataFormat(format).carryStateOnMask(carry);
    }

    /** 3 patterns: full length, post padding, pre padding + hole. */
    private static INDArray mask() {
        return Nd4j.create(new double[][]{
                {1, 1, 1, 1, 1, 1},
                {1, 1, 1, 1, 0, 0},
                {0, 1, 1, 0, 1, 1}});
    }

    private static INDArray input(RNNFormat f) {
        return f == RNNFormat.NCW ? Nd4j.rand(DataType.DOUBLE, MB, N_IN, T).subi(0.5).muli(2)
                : Nd4j.rand(DataType.DOUBLE, MB, T, N_IN).subi(0.5).muli(2);
    }

    private static void check(MultiLayerNetwork net, INDArray in, INDArray labels, INDArray inMask, INDArray labelMask) {
        // Guard against a vacuous pass: the layer's analytic gradients must be clearly non-zero.
        net.setInput(in);
        net.setLabels(labels);
        net.setLayerMaskArrays(inMask, labelMask);
        net.computeGradientAndScore();
        Gradient g = net.gradient();
        for (String k : new String[]{"W", "RW", "b"}) {
            double amax = g.getGradientFor("0_" + k).amaxNumber().doubleValue();
            assertTrue(amax > 1e-4, "gradient of 0_" + k + " is ~0: " + amax);
        }
        net.clearLayerMaskArrays();

        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net).input(in).labels(labels).inputMask(inMask).labelMask(labelMask)
                .epsilon(EPS).maxRelError(MAX_REL_ERROR).minAbsoluteError(MIN_ABS_ERROR)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
        assertTrue(ok, "gradient check failed");
    }

    private static INDArray rnnLabels(RNNFormat f, int nOut) {
        return f == RNNFormat.NCW ? Nd4j.rand(DataType.DOUBLE, MB, nOut, T) : Nd4j.rand(DataType.DOUBLE, MB, T, nOut);
    }

    private static INDArray classLabels() {
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, MB, 3);
        for (int i = 0; i < MB; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        return labels;
    }

    private void rnnOutputCase(RNNFormat f, boolean useMask, boolean carry) {
        MultiLayerConfiguration conf = base()
                .layer(rnn(N_IN, N, f, carry).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.TANH)
                        .dataFormat(f).nIn(N).nOut(2).build())
                .build();
        INDArray m = useMask ? mask() : null;
        check(init(conf), input(f), rnnLabels(f, 2), m, m);
    }

    @Test
    public void rnnOutputNoMask() {
        rnnOutputCase(RNNFormat.NCW, false, true);
    }

    @Test
    public void rnnOutputMaskCarryState() {
        rnnOutputCase(RNNFormat.NCW, true, true);
    }

    @Test
    public void rnnOutputMaskResetState() {
        rnnOutputCase(RNNFormat.NCW, true, false);
    }

    @Test
    public void rnnOutputNwcMask() {
        rnnOutputCase(RNNFormat.NWC, true, true);
    }

    private void lastStepCase(boolean wrapper, boolean useMask, boolean carry, RNNFormat f) {
        FusedSimpleRnn layer = rnn(N_IN, N, f, carry).returnSequences(wrapper).build();
        MultiLayerConfiguration conf = base()
                .layer(wrapper ? new LastTimeStep(layer) : layer)
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(N).nOut(3).build())
                .build();
        check(init(conf), input(f), classLabels(), useMask ? mask() : null, null);
    }

    @Test
    public void lastTimeStepNoMask() {
        lastStepCase(true, false, true, RNNFormat.NCW);
    }

    @Test
    public void lastTimeStepMaskCarryState() {
        lastStepCase(true, true, true, RNNFormat.NCW);
    }

    @Test
    public void lastTimeStepMaskResetState() {
        lastStepCase(true, true, false, RNNFormat.NCW);
    }

    @Test
    public void returnLastNoMask() {
        lastStepCase(false, false, true, RNNFormat.NCW);
    }

    @Test
    public void returnLastMask() {
        lastStepCase(false, true, true, RNNFormat.NCW);
    }

    @Test
    public void returnLastNwcMask() {
        lastStepCase(false, true, true, RNNFormat.NWC);
    }

    /** Activations other than exactly tanh take the generic (IActivation-based) path. */
    @Test
    public void genericActivationPath() {
        for (boolean sequences : new boolean[]{true, false}) {
            FusedSimpleRnn layer = rnn(N_IN, N, RNNFormat.NCW, true).activation(Activation.SOFTSIGN)
                    .returnSequences(sequences).build();
            MultiLayerConfiguration conf = base()
                    .layer(layer)
                    .layer(sequences
                            ? new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.TANH).nIn(N).nOut(2).build()
                            : new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(N).nOut(3).build())
                    .build();
            INDArray m = mask();
            check(init(conf), input(RNNFormat.NCW), sequences ? rnnLabels(RNNFormat.NCW, 2) : classLabels(), m,
                    sequences ? m : null);
        }
    }

    /** Stacked, the upper one with input dropout and returnSequences(false): checks its input epsilon. */
    @Test
    public void stackedChecksInputEpsilonWithDropout() {
        Layer l0 = rnn(N_IN, 5, RNNFormat.NCW, true).build();
        Layer l1 = rnn(5, N, RNNFormat.NCW, true).returnSequences(false).dropOut(0.6).build();
        MultiLayerConfiguration conf = base()
                .layer(l0)
                .layer(l1)
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(N).nOut(3).build())
                .setInputType(InputType.recurrent(N_IN))
                .build();
        MultiLayerNetwork net = init(conf);
        INDArray in = input(RNNFormat.NCW);
        INDArray labels = classLabels();
        INDArray m = mask();
        Nd4j.getRandom().setSeed(777);
        net.setInput(in);
        net.setLabels(labels);
        net.setLayerMaskArrays(m, null);
        net.computeGradientAndScore();
        net.clearLayerMaskArrays();
        double amax = net.gradient().getGradientFor("0_W").amaxNumber().doubleValue();
        assertTrue(amax > 1e-4, "lower layer gradient ~0: " + amax);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net).input(in).labels(labels).inputMask(m)
                .epsilon(EPS).maxRelError(MAX_REL_ERROR).minAbsoluteError(MIN_ABS_ERROR)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false)
                .callEachIter(n -> Nd4j.getRandom().setSeed(777)));   // same dropout mask in every pass
        assertTrue(ok, "stacked gradient check failed");
    }
}

package reviewnet.nn.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
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
 * Numerical gradient checks (DL4J GradientCheckUtil: central differences, double precision) of W, RW and b of
 * {@link FusedLstm}: with and without masks (carried and reset state), NCW and NWC, below an RnnOutputLayer, inside
 * DL4J's LastTimeStep and with returnSequences=false. The epsilon w.r.t. the layer input is covered by the stacked
 * case: the lower layer's gradients are only correct if the upper layer's input epsilon is.
 */
public class FusedLstmGradientCheckTest {

    private static final double EPS = 1e-6;
    private static final double MAX_REL_ERROR = 1e-3;
    private static final double MIN_ABS_ERROR = 1e-8;

    private static final int MB = 3, N_IN = 3, N = 4, T = 6;

    private DataType defaultType;

    @BeforeEach
    public void setUp() {
        defaultType = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(12345);
    }

    @AfterEach
    public void restoreDefaultType() {
        Nd4j.setDefaultDataTypes(defaultType, defaultType);
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
        // Random biases (default: 0, forget gate 1) so that every gate works away from its initial point.
        Random rng = new Random(7);
        for (int i = 0; i < net.getnLayers(); i++) {
            for (Map.Entry<String, INDArray> e : net.getLayer(i).paramTable().entrySet()) {
                if (e.getKey().equals("b")) {
                    INDArray p = e.getValue();
                    for (long j = 0; j < p.length(); j++) {
                        p.putScalar(j, 0.5 * rng.nextGaussian());
                    }
                }
            }
        }
        return net;
    }

    private static FusedLstm lstm(int nIn, int nOut, RNNFormat format, boolean carry) {
        return new FusedLstm.Builder(nIn, nOut).dataFormat(format).carryStateOnMask(carry).build();
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

    private static INDArray classLabels() {
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, MB, 3);
        for (int i = 0; i < MB; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        return labels;
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

    private void rnnOutputCase(RNNFormat f, boolean useMask, boolean carry) {
        MultiLayerConfiguration conf = base()
                .layer(lstm(N_IN, N, f, carry))
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.TANH)
                        .dataFormat(f).nIn(N).nOut(2).build())
                .build();
        MultiLayerNetwork net = init(conf);
        INDArray m = useMask ? mask() : null;
        check(net, input(f), rnnLabels(f, 2), m, m);
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

    private void lastTimeStepCase(boolean useMask, boolean carry) {
        MultiLayerConfiguration conf = base()
                .layer(new LastTimeStep(lstm(N_IN, N, RNNFormat.NCW, carry)))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(N).nOut(3).build())
                .build();
        check(init(conf), input(RNNFormat.NCW), classLabels(), useMask ? mask() : null, null);
    }

    @Test
    public void lastTimeStepWrapperMaskCarryState() {
        lastTimeStepCase(true, true);
    }

    @Test
    public void lastTimeStepWrapperMaskResetState() {
        lastTimeStepCase(true, false);
    }

    private void lastStepOnlyCase(boolean useMask, RNNFormat f) {
        MultiLayerConfiguration conf = base()
                .layer(new FusedLstm.Builder(N_IN, N).dataFormat(f).returnSequences(false).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(N).nOut(3).build())
                .build();
        check(init(conf), input(f), classLabels(), useMask ? mask() : null, null);
    }

    @Test
    public void lastStepOnlyNoMask() {
        lastStepOnlyCase(false, RNNFormat.NCW);
    }

    @Test
    public void lastStepOnlyMask() {
        lastStepOnlyCase(true, RNNFormat.NCW);
    }

    @Test
    public void lastStepOnlyNwcMask() {
        lastStepOnlyCase(true, RNNFormat.NWC);
    }

    /** LSTM → LSTM(last step) → OutputLayer: the lower layer's gradients depend on the upper layer's input epsilon. */
    @Test
    public void stackedChecksInputEpsilon() {
        Layer l0 = lstm(N_IN, 5, RNNFormat.NCW, true);
        Layer l1 = new FusedLstm.Builder(5, N).returnSequences(false).build();
        MultiLayerConfiguration conf = base()
                .layer(l0)
                .layer(l1)
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(N).nOut(3).build())
                .setInputType(InputType.recurrent(N_IN))
                .build();
        check(init(conf), input(RNNFormat.NCW), classLabels(), mask(), null);
    }

    /** Input dropout: the dropout mask must be applied to the input and to the input epsilon. */
    @Test
    public void stackedWithInputDropout() {
        MultiLayerConfiguration conf = base()
                .layer(lstm(N_IN, 5, RNNFormat.NCW, true))
                .layer(new FusedLstm.Builder(5, N).dropOut(0.6).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nIn(N).nOut(2).build())
                .build();
        MultiLayerNetwork net = init(conf);
        INDArray in = input(RNNFormat.NCW);
        INDArray labels = rnnLabels(RNNFormat.NCW, 2);
        Nd4j.getRandom().setSeed(777);
        net.setInput(in);
        net.setLabels(labels);
        net.computeGradientAndScore();
        double amax = net.gradient().getGradientFor("0_W").amaxNumber().doubleValue();
        assertTrue(amax > 1e-4, "lower layer gradient ~0: " + amax);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net).input(in).labels(labels)
                .epsilon(EPS).maxRelError(MAX_REL_ERROR).minAbsoluteError(MIN_ABS_ERROR)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false)
                .callEachIter(n -> Nd4j.getRandom().setSeed(777)));   // same dropout mask in every pass
        assertTrue(ok, "gradient check with dropout failed");
    }
}

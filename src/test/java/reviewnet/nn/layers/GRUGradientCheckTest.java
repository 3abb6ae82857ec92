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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Numerical gradient checks (DL4J GradientCheckUtil: central differences, double precision) of all four GRU
 * parameters, with and without masks, NCW and NWC, below an RnnOutputLayer and inside DL4J's LastTimeStep wrapper.
 * The epsilon w.r.t. the GRU input is covered by the GRU-on-GRU case: the lower GRU's parameter gradients are only
 * correct if the upper GRU's input epsilon is.
 */
public class GRUGradientCheckTest {

    private static final double EPS = 1e-6;
    private static final double MAX_REL_ERROR = 1e-3;
    private static final double MIN_ABS_ERROR = 1e-8;

    private static final int MB = 3, N_IN = 3, N = 4, T = 6;

    @BeforeEach
    public void setUp() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(12345);
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
        // Non-zero biases (default init is 0) so that every term, incl. r ⊙ (h·RW_h + rb_h), is exercised.
        Random rng = new Random(7);
        for (int i = 0; i < net.getnLayers(); i++) {
            for (Map.Entry<String, INDArray> e : net.getLayer(i).paramTable().entrySet()) {
                if (e.getKey().endsWith("b")) {
                    INDArray p = e.getValue();
                    for (long j = 0; j < p.length(); j++) {
                        p.putScalar(j, 0.5 * rng.nextGaussian());
                    }
                }
            }
        }
        return net;
    }

    private static GRU gru(int nIn, int nOut, RNNFormat format, boolean carry) {
        return new GRU.Builder(nIn, nOut).dataFormat(format).carryStateOnMask(carry).build();
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
        // Guard against a vacuous pass: the GRU's analytic gradients must be clearly non-zero.
        net.setInput(in);
        net.setLabels(labels);
        net.setLayerMaskArrays(inMask, labelMask);
        net.computeGradientAndScore();
        Gradient g = net.gradient();
        for (String k : new String[]{"W", "RW", "b", "rb"}) {
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
                .layer(gru(N_IN, N, f, carry))
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
        lastTimeStepCase(useMask, carry, RNNFormat.NCW);
    }

    private void lastTimeStepCase(boolean useMask, boolean carry, RNNFormat f) {
        MultiLayerConfiguration conf = base()
                .layer(new LastTimeStep(gru(N_IN, N, f, carry)))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(N).nOut(3).build())
                .build();
        MultiLayerNetwork net = init(conf);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, MB, 3);
        for (int i = 0; i < MB; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        check(net, input(f), labels, useMask ? mask() : null, null);
    }

    @Test
    public void lastTimeStepNoMask() {
        lastTimeStepCase(false, true);
    }

    @Test
    public void lastTimeStepMaskCarryState() {
        lastTimeStepCase(true, true);
    }

    @Test
    public void lastTimeStepMaskResetState() {
        lastTimeStepCase(true, false);
    }

    @Test
    public void lastTimeStepNwcMask() {
        lastTimeStepCase(true, true, RNNFormat.NWC);
    }

    /** DL4J's Bidirectional wrapper around the GRU (it reverses the time axis itself, incl. masks). */
    @Test
    public void bidirectionalWrapper() {
        MultiLayerConfiguration conf = base()
                .layer(new org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional(
                        org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode.CONCAT, gru(N_IN, N, RNNFormat.NCW, true)))
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nIn(2 * N).nOut(2).build())
                .setInputType(InputType.recurrent(N_IN))   // else RnnOutputLayer has no data format (DL4J M2)
                .build();
        MultiLayerNetwork net = init(conf);
        INDArray m = mask();
        INDArray in = input(RNNFormat.NCW);
        INDArray labels = rnnLabels(RNNFormat.NCW, 2);
        net.setInput(in);
        net.setLabels(labels);
        net.setLayerMaskArrays(m, m);
        net.computeGradientAndScore();
        for (String k : new String[]{"0_fW", "0_fRW", "0_fb", "0_frb", "0_bW", "0_bRW", "0_bb", "0_brb"}) {
            assertTrue(net.gradient().getGradientFor(k).amaxNumber().doubleValue() > 1e-4, k);
        }
        net.clearLayerMaskArrays();
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net).input(in).labels(labels).inputMask(m).labelMask(m)
                .epsilon(EPS).maxRelError(MAX_REL_ERROR).minAbsoluteError(MIN_ABS_ERROR)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
        assertTrue(ok, "Bidirectional(GRU) gradient check failed");
    }

    /** Activations other than exactly sigmoid/tanh take the generic (IActivation-based) path. */
    @Test
    public void genericActivationPath() {
        GRU g = new GRU.Builder(N_IN, N)
                .activation(new org.nd4j.linalg.activations.impl.ActivationSoftSign())
                .gateActivationFunction(new org.nd4j.linalg.activations.impl.ActivationSigmoid() { })
                .build();
        MultiLayerConfiguration conf = base()
                .layer(g)
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.TANH).nIn(N).nOut(2).build())
                .build();
        MultiLayerNetwork net = init(conf);
        INDArray m = mask();
        check(net, input(RNNFormat.NCW), rnnLabels(RNNFormat.NCW, 2), m, m);
    }

    /** Input dropout on the upper GRU: the dropout mask must be applied to its input and to its input epsilon. */
    @Test
    public void stackedWithInputDropout() {
        MultiLayerConfiguration conf = base()
                .layer(gru(N_IN, 5, RNNFormat.NCW, true))
                .layer(new GRU.Builder(5, N).dropOut(0.6).build())
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
        assertTrue(amax > 1e-4, "lower GRU gradient ~0: " + amax);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net).input(in).labels(labels)
                .epsilon(EPS).maxRelError(MAX_REL_ERROR).minAbsoluteError(MIN_ABS_ERROR)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false)
                .callEachIter(n -> Nd4j.getRandom().setSeed(777)));   // same dropout mask in every pass
        assertTrue(ok, "gradient check with dropout failed");
    }

    /** ComputationGraph: GRU layer vertex → DL4J's LastTimeStepVertex (mask-aware) → OutputLayer. */
    @Test
    public void computationGraphWithLastTimeStepVertex() {
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .seed(12345)
                .updater(new NoOp())
                .graphBuilder()
                .addInputs("in")
                .addLayer("gru", gru(N_IN, N, RNNFormat.NCW, true), "in")
                .addVertex("last", new org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex("in"), "gru")
                .addLayer("out", new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(N).nOut(3).build(), "last")
                .setOutputs("out")
                .build();
        org.deeplearning4j.nn.graph.ComputationGraph cg = new org.deeplearning4j.nn.graph.ComputationGraph(conf);
        cg.init();
        Random rng = new Random(3);
        for (Map.Entry<String, INDArray> e : cg.getLayer("gru").paramTable().entrySet()) {
            if (e.getKey().endsWith("b")) {
                for (long j = 0; j < e.getValue().length(); j++) {
                    e.getValue().putScalar(j, 0.5 * rng.nextGaussian());
                }
            }
        }
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, MB, 3);
        for (int i = 0; i < MB; i++) {
            labels.putScalar(i, (i + 1) % 3, 1.0);
        }
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(cg).inputs(new INDArray[]{input(RNNFormat.NCW)}).labels(new INDArray[]{labels})
                .inputMask(new INDArray[]{mask()})
                .epsilon(EPS).maxRelError(MAX_REL_ERROR).minAbsoluteError(MIN_ABS_ERROR)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
        assertTrue(ok, "ComputationGraph gradient check failed");
    }

    /** GRU → GRU → RnnOutputLayer: the lower GRU's gradients depend on the upper GRU's epsilon w.r.t. its input. */
    @Test
    public void stackedGruChecksInputEpsilon() {
        Layer l0 = gru(N_IN, 5, RNNFormat.NCW, true);
        Layer l1 = gru(5, N, RNNFormat.NCW, true);
        MultiLayerConfiguration conf = base()
                .layer(l0)
                .layer(l1)
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nIn(N).nOut(2).build())
                .setInputType(InputType.recurrent(N_IN))
                .build();
        MultiLayerNetwork net = init(conf);
        INDArray m = mask();
        check(net, input(RNNFormat.NCW), rnnLabels(RNNFormat.NCW, 2), m, m);
    }
}

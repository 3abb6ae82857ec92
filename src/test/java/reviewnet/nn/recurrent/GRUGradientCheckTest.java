package reviewnet.nn.recurrent;

import reviewnet.nn.layers.GRU;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Numerical gradient checks of all four GRU parameters, with and without masks, NCW and NWC, below an
 * RnnOutputLayer, inside DL4J's LastTimeStep wrapper and with returnSequences(false). The epsilon w.r.t. the GRU
 * input is covered by the GRU-on-GRU cases: the lower GRU's parameter gradients are only correct if the upper GRU's
 * input epsilon is.
 */
public class GRUGradientCheckTest extends RecurrentGradientChecks {

    @Override
    protected String[] paramKeys() {
        return new String[]{"W", "RW", "b", "rb"};
    }

    private static GRU gru(int nIn, int nOut, RNNFormat format, boolean carry) {
        return new GRU.Builder(nIn, nOut).dataFormat(format).carryStateOnMask(carry).build();
    }

    private void rnnOutputCase(RNNFormat f, boolean useMask, boolean carry) {
        checkSequenceOutput(gru(N_IN, N, f, carry), f, useMask);
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

    private void lastTimeStepCase(boolean useMask, boolean carry, RNNFormat f) {
        checkLastStepOutput(new LastTimeStep(gru(N_IN, N, f, carry)), f, useMask);
    }

    @Test
    public void lastTimeStepNoMask() {
        lastTimeStepCase(false, true, RNNFormat.NCW);
    }

    @Test
    public void lastTimeStepMaskCarryState() {
        lastTimeStepCase(true, true, RNNFormat.NCW);
    }

    @Test
    public void lastTimeStepMaskResetState() {
        lastTimeStepCase(true, false, RNNFormat.NCW);
    }

    @Test
    public void lastTimeStepNwcMask() {
        lastTimeStepCase(true, true, RNNFormat.NWC);
    }

    private void lastStepOnlyCase(boolean useMask, RNNFormat f) {
        checkLastStepOutput(new GRU.Builder(N_IN, N).dataFormat(f).returnSequences(false).build(), f, useMask);
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

    /** The generic (IActivation-based) path with returnSequences(false). */
    @Test
    public void lastStepOnlyGenericActivationPath() {
        checkLastStepOutput(new GRU.Builder(N_IN, N)
                .activation(new org.nd4j.linalg.activations.impl.ActivationSoftSign())
                .gateActivationFunction(new org.nd4j.linalg.activations.impl.ActivationSigmoid() { })
                .returnSequences(false).build(), RNNFormat.NCW, true);
    }

    /** GRU → GRU(last step) → OutputLayer: the lower GRU's gradients depend on the upper GRU's input epsilon. */
    @Test
    public void stackedLastStepOnlyChecksInputEpsilon() {
        MultiLayerConfiguration conf = base()
                .layer(gru(N_IN, 5, RNNFormat.NCW, true))
                .layer(new GRU.Builder(5, N).returnSequences(false).build())
                .layer(classOutput(N))
                .setInputType(InputType.recurrent(N_IN))
                .build();
        check(init(conf), input(RNNFormat.NCW), classLabels(), mask(), null);
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
        checkSequenceOutput(g, RNNFormat.NCW, true);
    }

    /** Input dropout on the upper GRU: the dropout mask must be applied to its input and to its input epsilon. */
    @Test
    public void stackedWithInputDropout() {
        MultiLayerConfiguration conf = base()
                .layer(gru(N_IN, 5, RNNFormat.NCW, true))
                .layer(new GRU.Builder(5, N).dropOut(0.6).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nIn(N).nOut(2).build())
                .build();
        checkWithDropout(init(conf), input(RNNFormat.NCW), rnnLabels(RNNFormat.NCW, 2), null);
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

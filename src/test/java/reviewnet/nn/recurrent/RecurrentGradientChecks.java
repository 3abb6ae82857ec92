package reviewnet.nn.recurrent;

import reviewnet.testing.DefaultDataTypes;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Shared scaffolding of the recurrent layers' gradient-check tests (DL4J GradientCheckUtil: central differences,
 * double precision): ND4J's default data types set to double for each test and restored afterwards, a small
 * network builder, random biases, the standard mask/input/label fixtures and the check itself, which first guards
 * against a vacuous pass (the checked layer's analytic gradients must be clearly non-zero).
 */
abstract class RecurrentGradientChecks {

    @RegisterExtension
    final DefaultDataTypes dataTypes = DefaultDataTypes.of(DataType.DOUBLE);

    static final double EPS = 1e-6;
    static final double MAX_REL_ERROR = 1e-3;
    static final double MIN_ABS_ERROR = 1e-8;

    static final int MB = 3, N_IN = 3, N = 4, T = 6;

    /** Parameter keys of layer 0 whose gradients must be non-zero, e.g. W, RW, b. */
    protected abstract String[] paramKeys();

    @BeforeEach
    public void seedRandom() {
        Nd4j.getRandom().setSeed(12345);
    }

    static NeuralNetConfiguration.ListBuilder base() {
        return new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .seed(12345)
                .updater(new NoOp())
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list();
    }

    /** The network with random biases (default: 0, LSTM forget gate 1) so that every bias term is exercised. */
    static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
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

    /** 3 patterns: full length, post padding, pre padding + hole. */
    static INDArray mask() {
        return Nd4j.create(new double[][]{
                {1, 1, 1, 1, 1, 1},
                {1, 1, 1, 1, 0, 0},
                {0, 1, 1, 0, 1, 1}});
    }

    static INDArray input(RNNFormat f) {
        return f == RNNFormat.NCW ? Nd4j.rand(DataType.DOUBLE, MB, N_IN, T).subi(0.5).muli(2)
                : Nd4j.rand(DataType.DOUBLE, MB, T, N_IN).subi(0.5).muli(2);
    }

    static INDArray rnnLabels(RNNFormat f, int nOut) {
        return f == RNNFormat.NCW ? Nd4j.rand(DataType.DOUBLE, MB, nOut, T) : Nd4j.rand(DataType.DOUBLE, MB, T, nOut);
    }

    /** One-hot labels of 3 classes, [MB, 3]. */
    static INDArray classLabels() {
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, MB, 3);
        for (int i = 0; i < MB; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        return labels;
    }

    /** RnnOutputLayer(MSE, tanh) with nOut 2 in format f. */
    static Layer rnnOutput(int nIn, RNNFormat f) {
        return new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.TANH).dataFormat(f).nIn(nIn).nOut(2).build();
    }

    /** OutputLayer(MCXENT, softmax) with 3 classes. */
    static Layer classOutput(int nIn) {
        return new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(nIn).nOut(3).build();
    }

    /** layer (full sequence, format f) → RnnOutputLayer, with or without the standard mask on input and labels. */
    void checkSequenceOutput(Layer layer, RNNFormat f, boolean useMask) {
        MultiLayerConfiguration conf = base().layer(layer).layer(rnnOutput(N, f)).build();
        INDArray m = useMask ? mask() : null;
        check(init(conf), input(f), rnnLabels(f, 2), m, m);
    }

    /** layer (last step: returnSequences=false or a LastTimeStep wrapper) → OutputLayer, optional input mask. */
    void checkLastStepOutput(Layer layer, RNNFormat f, boolean useMask) {
        checkLastStepOutput(layer, N, f, useMask);
    }

    /** The same for a layer whose feed-forward output has {@code outputSize} columns (e.g. 2·N, bidirectional). */
    void checkLastStepOutput(Layer layer, int outputSize, RNNFormat f, boolean useMask) {
        MultiLayerConfiguration conf = base().layer(layer).layer(classOutput(outputSize)).build();
        check(init(conf), input(f), classLabels(), useMask ? mask() : null, null);
    }

    void check(MultiLayerNetwork net, INDArray in, INDArray labels, INDArray inMask, INDArray labelMask) {
        String[] keys = paramKeys().clone();
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "0_" + keys[i];
        }
        check(net, in, labels, inMask, labelMask, keys);
    }

    /** The check, guarded by the given gradients (network keys such as {@code 1_W}) being clearly non-zero. */
    void check(MultiLayerNetwork net, INDArray in, INDArray labels, INDArray inMask, INDArray labelMask,
               String[] nonZeroGradients) {
        net.setInput(in);
        net.setLabels(labels);
        net.setLayerMaskArrays(inMask, labelMask);
        net.computeGradientAndScore();
        Gradient g = net.gradient();
        for (String k : nonZeroGradients) {
            double amax = g.getGradientFor(k).amaxNumber().doubleValue();
            assertTrue(amax > 1e-4, "gradient of " + k + " is ~0: " + amax);
        }
        net.clearLayerMaskArrays();
        assertTrue(GradientCheckUtil.checkGradients(config(net, in, labels, inMask, labelMask)), "gradient check failed");
    }

    /**
     * Gradient check with dropout in the network: the same dropout masks in every pass (seed 777 before each), so
     * the dropout mask must be applied to the layer input and to its input epsilon.
     */
    static void checkWithDropout(MultiLayerNetwork net, INDArray in, INDArray labels, INDArray inMask) {
        Nd4j.getRandom().setSeed(777);
        net.setInput(in);
        net.setLabels(labels);
        net.setLayerMaskArrays(inMask, null);
        net.computeGradientAndScore();
        net.clearLayerMaskArrays();
        double amax = net.gradient().getGradientFor("0_W").amaxNumber().doubleValue();
        assertTrue(amax > 1e-4, "lower layer gradient ~0: " + amax);
        assertTrue(GradientCheckUtil.checkGradients(config(net, in, labels, inMask, null)
                .callEachIter(n -> Nd4j.getRandom().setSeed(777))), "gradient check with dropout failed");
    }

    private static GradientCheckUtil.MLNConfig config(MultiLayerNetwork net, INDArray in, INDArray labels,
                                                      INDArray inMask, INDArray labelMask) {
        return new GradientCheckUtil.MLNConfig()
                .net(net).input(in).labels(labels).inputMask(inMask).labelMask(labelMask)
                .epsilon(EPS).maxRelError(MAX_REL_ERROR).minAbsoluteError(MIN_ABS_ERROR)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false);
    }
}

package reviewnet.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.junit.jupiter.api.Test;
import reviewnet.nn.layers.FastEmbedding;
import reviewnet.nn.layers.FusedRecurrent;

/**
 * Numerical gradient checks (DL4J GradientCheckUtil, double precision) of every parameter of every {@link Cell}:
 * with and without masks (carried and reset state), NCW and NWC, below an RnnOutputLayer, inside DL4J's LastTimeStep,
 * with returnSequences=false, with the generic activation path, inside DL4J's Bidirectional and in a
 * ComputationGraph. The epsilon w.r.t. the layer input is covered by the stacked cases: the lower layer's gradients are
 * only correct if the upper layer's input epsilon is; the dropout cases check that the dropout mask is applied to the
 * input and to the input epsilon.
 */
class RecurrentGradientCheckTest extends RecurrentGradientChecks {

    private String[] keys;

    @Override
    protected String[] paramKeys() {
        return keys;
    }

    private FusedRecurrent layer(Cell c, int nIn, int nOut, RNNFormat f, boolean carry) {
        keys = c.paramKeys();
        return c.builder(nIn, nOut).dataFormat(f).carryStateOnMask(carry).build();
    }

    static Stream<Arguments> sequenceCases() {
        return Cell.withEach(new Object[]{RNNFormat.NCW, false, true}, new Object[]{RNNFormat.NCW, true, true},
                new Object[]{RNNFormat.NCW, true, false}, new Object[]{RNNFormat.NWC, true, true});
    }

    @ParameterizedTest(name = "{0} {1} mask={2} carry={3}")
    @MethodSource("sequenceCases")
    void sequenceOutput(Cell c, RNNFormat f, boolean mask, boolean carry) {
        checkSequenceOutput(layer(c, N_IN, N, f, carry), f, mask);
    }

    @ParameterizedTest(name = "{0} {1} mask={2} carry={3}")
    @MethodSource("sequenceCases")
    void lastTimeStepWrapper(Cell c, RNNFormat f, boolean mask, boolean carry) {
        checkLastStepOutput(new LastTimeStep(layer(c, N_IN, N, f, carry)), f, mask);
    }

    static Stream<Arguments> lastStepCases() {
        return Cell.withEach(new Object[]{RNNFormat.NCW, false}, new Object[]{RNNFormat.NCW, true},
                new Object[]{RNNFormat.NWC, true});
    }

    @ParameterizedTest(name = "{0} {1} mask={2}")
    @MethodSource("lastStepCases")
    void lastStepOnly(Cell c, RNNFormat f, boolean mask) {
        keys = c.paramKeys();
        checkLastStepOutput(c.builder(N_IN, N).dataFormat(f).returnSequences(false).build(), f, mask);
    }

    /** Activations other than the fast path's exact sigmoid/tanh take the generic (IActivation-based) path. */
    @ParameterizedTest(name = "{0} returnSequences={1}")
    @MethodSource("genericCases")
    void genericActivationPath(Cell c, boolean sequences) {
        assumeTrue(c.genericActivations(N_IN, N) != null, c + " has only its standard activations");
        keys = c.paramKeys();
        FusedRecurrent layer = c.genericActivations(N_IN, N).returnSequences(sequences).build();
        if (sequences) {
            checkSequenceOutput(layer, RNNFormat.NCW, true);
        } else {
            checkLastStepOutput(layer, RNNFormat.NCW, true);
        }
    }

    static Stream<Arguments> genericCases() {
        return Cell.withEach(new Object[]{true}, new Object[]{false});
    }

    /** cell → cell (last step) → OutputLayer, masked. */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void stackedLastStepOnlyChecksInputEpsilon(Cell c) {
        MultiLayerConfiguration conf = base()
                .layer(layer(c, N_IN, 5, RNNFormat.NCW, true))
                .layer(c.builder(5, N).returnSequences(false).build())
                .layer(classOutput(N))
                .setInputType(InputType.recurrent(N_IN))
                .build();
        check(init(conf), input(RNNFormat.NCW), classLabels(), mask(), null);
    }

    /** cell → cell → RnnOutputLayer, masked input and labels. */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void stackedSequencesChecksInputEpsilon(Cell c) {
        MultiLayerConfiguration conf = base()
                .layer(layer(c, N_IN, 5, RNNFormat.NCW, true))
                .layer(layer(c, 5, N, RNNFormat.NCW, true))
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nIn(N).nOut(2).build())
                .setInputType(InputType.recurrent(N_IN))
                .build();
        INDArray m = mask();
        check(init(conf), input(RNNFormat.NCW), rnnLabels(RNNFormat.NCW, 2), m, m);
    }

    /** Input dropout on the upper layer (full sequence). */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void stackedWithInputDropout(Cell c) {
        MultiLayerConfiguration conf = base()
                .layer(layer(c, N_IN, 5, RNNFormat.NCW, true))
                .layer(c.builder(5, N).dropOut(0.6).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nIn(N).nOut(2).build())
                .build();
        checkWithDropout(init(conf), input(RNNFormat.NCW), rnnLabels(RNNFormat.NCW, 2), null);
    }

    /** Input dropout on the upper layer, which returns only its last step; masked. */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void stackedLastStepOnlyWithInputDropout(Cell c) {
        MultiLayerConfiguration conf = base()
                .layer(layer(c, N_IN, 5, RNNFormat.NCW, true))
                .layer(c.builder(5, N).returnSequences(false).dropOut(0.6).build())
                .layer(classOutput(N))
                .setInputType(InputType.recurrent(N_IN))
                .build();
        checkWithDropout(init(conf), input(RNNFormat.NCW), classLabels(), mask());
    }

    /** Our Bidirectional over the cell, both directions' parameters: with and without a mask (reversed), NCW and NWC. */
    @ParameterizedTest(name = "{0} {1} mask={2}")
    @MethodSource("lastStepCases")
    void bidirectional(Cell c, RNNFormat f, boolean mask) {
        keys = c.bidirectionalKeys();
        checkLastStepOutput(c.bidirectional(N_IN, N).dataFormat(f).build(), 2 * N, f, mask);
    }

    /**
     * cell → Bidirectional(cell) → OutputLayer, masked: the lower layer's gradients are right only if the input
     * epsilon is, both directions' shares reversed correctly in time.
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void stackedBidirectionalChecksInputEpsilon(Cell c) {
        MultiLayerConfiguration conf = base()
                .layer(layer(c, N_IN, 2, RNNFormat.NCW, true))
                .layer(c.bidirectional(2, N).build())
                .layer(classOutput(2 * N))
                .setInputType(InputType.recurrent(N_IN))
                .build();
        check(init(conf), input(RNNFormat.NCW), classLabels(), mask(), null, Stream.concat(
                Arrays.stream(c.paramKeys()).map(k -> "0_" + k), Stream.of("1_fW", "1_bW", "1_fRW", "1_bRW"))
                .toArray(String[]::new));
    }

    /** Input dropout, NWC: one dropout mask for both directions, the backward share reversed along NWC's time axis. */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void stackedBidirectionalNwcWithInputDropout(Cell c) {
        MultiLayerConfiguration conf = base()
                .layer(layer(c, N_IN, 2, RNNFormat.NWC, true))
                .layer(c.bidirectional(2, N).dataFormat(RNNFormat.NWC).dropOut(0.6).build())
                .layer(classOutput(2 * N))
                .build();
        checkWithDropout(init(conf), input(RNNFormat.NWC), classLabels(), mask());
    }

    /** The product's network in small: FastEmbedding → Bidirectional(GRU) → Dense(1, sigmoid) with XENT. */
    @Test
    void embeddingBidirectionalGruSigmoidOutput() {
        int vocabulary = 7, embedding = 3;
        MultiLayerConfiguration conf = base()
                .layer(new FastEmbedding.Builder(vocabulary, embedding).inputLength(T)
                        .weightInit(new UniformDistribution(-1, 1)).build())
                .layer(Cell.GRU.bidirectional(0, N).build())
                .layer(new OutputLayer.Builder(LossFunction.XENT).activation(Activation.SIGMOID).nOut(1).build())
                .overrideNinUponBuild(false)    // keep the embedding's nIn, as SequenceClassifier does
                .setInputType(InputType.recurrent(1, T))
                .build();
        INDArray in = Nd4j.create(new double[][]{{0, 2, 2, 5, 2, 6}, {5, 5, 1, 0, 3, 1}, {4, 2, 3, 3, 0, 6}});
        check(init(conf), in, Nd4j.create(new double[][]{{1}, {0}, {1}}), null, null, Stream.concat(Stream.of("0_W"),
                Arrays.stream(Cell.GRU.bidirectionalKeys()).map(k -> "1_" + k)).toArray(String[]::new));
    }

    /** DL4J's Bidirectional wrapper around the cell (it reverses the time axis itself, incl. masks). */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void dl4jBidirectionalWrapper(Cell c) {
        MultiLayerConfiguration conf = base()
                .layer(new org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional(
                        org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode.CONCAT, layer(c, N_IN, N, RNNFormat.NCW, true)))
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).nIn(2 * N).nOut(2).build())
                .setInputType(InputType.recurrent(N_IN))   // else RnnOutputLayer has no data format (DL4J M2)
                .build();
        String[] keys = Stream.of("0_f", "0_b")
                .flatMap(prefix -> Arrays.stream(c.paramKeys()).map(k -> prefix + k)).toArray(String[]::new);
        INDArray m = mask();
        check(init(conf), input(RNNFormat.NCW), rnnLabels(RNNFormat.NCW, 2), m, m, keys);
    }

    /** ComputationGraph: the cell as a layer vertex → DL4J's LastTimeStepVertex (mask-aware) → OutputLayer. */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void computationGraphWithLastTimeStepVertex(Cell c) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .seed(12345)
                .updater(new NoOp())
                .graphBuilder()
                .addInputs("in")
                .addLayer("rnn", layer(c, N_IN, N, RNNFormat.NCW, true), "in")
                .addVertex("last", new LastTimeStepVertex("in"), "rnn")
                .addLayer("out", new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(N).nOut(3).build(), "last")
                .setOutputs("out")
                .build();
        ComputationGraph cg = new ComputationGraph(conf);
        cg.init();
        Random rng = new Random(3);
        for (Map.Entry<String, INDArray> e : cg.getLayer("rnn").paramTable().entrySet()) {
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
}

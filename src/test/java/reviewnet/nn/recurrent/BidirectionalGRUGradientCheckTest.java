package reviewnet.nn.recurrent;

import reviewnet.nn.layers.BidirectionalGRU;
import reviewnet.nn.layers.FastEmbedding;
import reviewnet.nn.layers.GRU;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Numerical gradient checks (double precision) of both directions' parameters of {@link BidirectionalGRU}, with and
 * without masks, NCW and NWC; its epsilon w.r.t. the input through a GRU below it (the lower GRU's gradients are
 * only right if that epsilon is, both directions' shares reversed correctly in time) and through input dropout; and
 * the product's shape in small: embedding → BidirectionalGRU → Dense(1, sigmoid).
 */
public class BidirectionalGRUGradientCheckTest extends RecurrentGradientChecks {

    @Override
    protected String[] paramKeys() {
        return new String[]{"fW", "fRW", "fb", "frb", "bW", "bRW", "bb", "brb"};
    }

    /** GRU below the bidirectional layer: its gradients (and the upper layer's) must be non-zero. */
    private static final String[] STACKED_KEYS = {"0_W", "0_RW", "0_b", "0_rb", "1_fW", "1_bW", "1_fRW", "1_bRW"};

    private static BidirectionalGRU bigru(int nIn, int nOut, RNNFormat f) {
        return (BidirectionalGRU) new BidirectionalGRU.Builder(nIn, nOut).dataFormat(f).build();
    }

    @Test
    public void noMask() {
        checkLastStepOutput(bigru(N_IN, N, RNNFormat.NCW), 2 * N, RNNFormat.NCW, false);
    }

    /** Full length, post padding, pre padding with a hole: the backward direction reads the reversed mask. */
    @Test
    public void masked() {
        checkLastStepOutput(bigru(N_IN, N, RNNFormat.NCW), 2 * N, RNNFormat.NCW, true);
    }

    @Test
    public void nwcMask() {
        checkLastStepOutput(bigru(N_IN, N, RNNFormat.NWC), 2 * N, RNNFormat.NWC, true);
    }

    /** GRU (full sequence) → BidirectionalGRU → OutputLayer: checks the bidirectional layer's input epsilon. */
    @Test
    public void stackedChecksInputEpsilon() {
        MultiLayerConfiguration conf = base()
                .layer(new GRU.Builder(N_IN, 5).build())
                .layer(new BidirectionalGRU.Builder(5, N).build())
                .layer(classOutput(2 * N))
                .setInputType(InputType.recurrent(N_IN))
                .build();
        check(init(conf), input(RNNFormat.NCW), classLabels(), mask(), null, STACKED_KEYS);
    }

    /**
     * Input dropout, NWC: one dropout mask for both directions, applied to the input and to the input epsilon, whose
     * backward-direction share is reversed along NWC's time axis.
     */
    @Test
    public void stackedNwcWithInputDropout() {
        MultiLayerConfiguration conf = base()
                .layer(new GRU.Builder(N_IN, 5).dataFormat(RNNFormat.NWC).build())
                .layer(new BidirectionalGRU.Builder(5, N).dataFormat(RNNFormat.NWC).dropOut(0.6).build())
                .layer(classOutput(2 * N))
                .build();
        checkWithDropout(init(conf), input(RNNFormat.NWC), classLabels(), mask());
    }

    /** The product's network in small: FastEmbedding → BidirectionalGRU → Dense(1, sigmoid) with XENT. */
    @Test
    public void embeddingBidirectionalGruSigmoidOutput() {
        int vocabulary = 7, embedding = 3;
        MultiLayerConfiguration conf = base()
                .layer(new FastEmbedding.Builder(vocabulary, embedding).inputLength(T)
                        .weightInit(new UniformDistribution(-1, 1)).build())
                .layer(new BidirectionalGRU.Builder().nOut(N).build())
                .layer(new OutputLayer.Builder(LossFunction.XENT).activation(Activation.SIGMOID).nOut(1).build())
                .overrideNinUponBuild(false)    // keep the embedding's nIn, as SequenceClassifier does
                .setInputType(InputType.recurrent(1, T))
                .build();
        MultiLayerNetwork net = init(conf);
        INDArray in = Nd4j.create(new double[][]{
                {0, 2, 2, 5, 2, 6},
                {5, 5, 1, 0, 3, 1},
                {4, 2, 3, 3, 0, 6}});
        INDArray labels = Nd4j.create(new double[][]{{1}, {0}, {1}});
        net.setInput(in);
        net.setLabels(labels);
        net.computeGradientAndScore();
        for (String k : new String[]{"0_W", "1_fW", "1_fRW", "1_fb", "1_frb", "1_bW", "1_bRW", "1_bb", "1_brb"}) {
            double amax = net.gradient().getGradientFor(k).amaxNumber().doubleValue();
            assertTrue(amax > 1e-4, "gradient of " + k + " is ~0: " + amax);
        }
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net).input(in).labels(labels)
                .epsilon(EPS).maxRelError(MAX_REL_ERROR).minAbsoluteError(MIN_ABS_ERROR)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false)),
                "gradient check failed");
        assertTrue(net.getLayer(1).getParam("fW").dataType() == DataType.DOUBLE);
    }
}

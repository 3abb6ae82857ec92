package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedLstm;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Numerical gradient checks of W, RW and b of {@link FusedLstm}: with and without masks (carried and reset state),
 * NCW and NWC, below an RnnOutputLayer, inside DL4J's LastTimeStep and with returnSequences=false. The epsilon w.r.t.
 * the layer input is covered by the stacked case: the lower layer's gradients are only correct if the upper layer's
 * input epsilon is.
 */
public class FusedLstmGradientCheckTest extends RecurrentGradientChecks {

    @Override
    protected String[] paramKeys() {
        return new String[]{"W", "RW", "b"};
    }

    private static FusedLstm lstm(int nIn, int nOut, RNNFormat format, boolean carry) {
        return new FusedLstm.Builder(nIn, nOut).dataFormat(format).carryStateOnMask(carry).build();
    }

    @Test
    public void rnnOutputNoMask() {
        checkSequenceOutput(lstm(N_IN, N, RNNFormat.NCW, true), RNNFormat.NCW, false);
    }

    @Test
    public void rnnOutputMaskCarryState() {
        checkSequenceOutput(lstm(N_IN, N, RNNFormat.NCW, true), RNNFormat.NCW, true);
    }

    @Test
    public void rnnOutputMaskResetState() {
        checkSequenceOutput(lstm(N_IN, N, RNNFormat.NCW, false), RNNFormat.NCW, true);
    }

    @Test
    public void rnnOutputNwcMask() {
        checkSequenceOutput(lstm(N_IN, N, RNNFormat.NWC, true), RNNFormat.NWC, true);
    }

    @Test
    public void lastTimeStepWrapperMaskCarryState() {
        checkLastStepOutput(new LastTimeStep(lstm(N_IN, N, RNNFormat.NCW, true)), RNNFormat.NCW, true);
    }

    @Test
    public void lastTimeStepWrapperMaskResetState() {
        checkLastStepOutput(new LastTimeStep(lstm(N_IN, N, RNNFormat.NCW, false)), RNNFormat.NCW, true);
    }

    private void lastStepOnlyCase(boolean useMask, RNNFormat f) {
        checkLastStepOutput(new FusedLstm.Builder(N_IN, N).dataFormat(f).returnSequences(false).build(), f, useMask);
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
        MultiLayerConfiguration conf = base()
                .layer(lstm(N_IN, 5, RNNFormat.NCW, true))
                .layer(new FusedLstm.Builder(5, N).returnSequences(false).build())
                .layer(classOutput(N))
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
        checkWithDropout(init(conf), input(RNNFormat.NCW), rnnLabels(RNNFormat.NCW, 2), null);
    }
}

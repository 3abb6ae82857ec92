package reviewnet.nn.recurrent;

import reviewnet.nn.layers.FusedSimpleRnn;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Numerical gradient checks of W, RW and b, with and without masks, NCW and NWC, below an RnnOutputLayer, inside
 * DL4J's LastTimeStep wrapper and with returnSequences(false). The epsilon w.r.t. the layer input is covered by the
 * stacked case: the lower layer's parameter gradients are only correct if the upper layer's input epsilon is.
 */
public class FusedSimpleRnnGradientCheckTest extends RecurrentGradientChecks {

    @Override
    protected String[] paramKeys() {
        return new String[]{"W", "RW", "b"};
    }

    private static FusedSimpleRnn.Builder rnn(int nIn, int nOut, RNNFormat format, boolean carry) {
        return new FusedSimpleRnn.Builder(nIn, nOut).dataFormat(format).carryStateOnMask(carry);
    }

    private void rnnOutputCase(RNNFormat f, boolean useMask, boolean carry) {
        checkSequenceOutput(rnn(N_IN, N, f, carry).build(), f, useMask);
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
        checkLastStepOutput(wrapper ? new LastTimeStep(layer) : layer, f, useMask);
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
            if (sequences) {
                checkSequenceOutput(layer, RNNFormat.NCW, true);
            } else {
                checkLastStepOutput(layer, RNNFormat.NCW, true);
            }
        }
    }

    /** Stacked, the upper one with input dropout and returnSequences(false): checks its input epsilon. */
    @Test
    public void stackedChecksInputEpsilonWithDropout() {
        MultiLayerConfiguration conf = base()
                .layer(rnn(N_IN, 5, RNNFormat.NCW, true).build())
                .layer(rnn(5, N, RNNFormat.NCW, true).returnSequences(false).dropOut(0.6).build())
                .layer(classOutput(N))
                .setInputType(InputType.recurrent(N_IN))
                .build();
        INDArray m = mask();
        checkWithDropout(init(conf), input(RNNFormat.NCW), classLabels(), m);
    }
}

package reviewnet.nn;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Keras {@code Flatten} after a 1D convolution: recurrent activations [batch, channels, steps] (NCW) become
 * feed-forward [batch, channels × steps]. DL4J's own RNN-to-feed-forward preprocessor would instead treat every
 * step as an example. Without a mask (sequences are padded to a fixed length).
 */
public class FlattenPreProcessor implements InputPreProcessor {
    private final long channels;
    private final long steps;

    public FlattenPreProcessor(@JsonProperty("channels") long channels, @JsonProperty("steps") long steps) {
        this.channels = channels;
        this.steps = steps;
    }

    public long getChannels() {
        return channels;
    }

    public long getSteps() {
        return steps;
    }

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        if (input.rank() != 3 || input.size(1) != channels || input.size(2) != steps) {
            throw new IllegalStateException("expected activations [batch, " + channels + ", " + steps + "], got "
                    + java.util.Arrays.toString(input.shape()));
        }
        INDArray c = input.dup('c');
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, c.reshape('c', input.size(0), channels * steps));
    }

    @Override
    public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        INDArray c = output.dup('c');
        return workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, c.reshape('c', output.size(0), channels, steps));
    }

    @Override
    public InputPreProcessor clone() {
        return new FlattenPreProcessor(channels, steps);
    }

    @Override
    public InputType getOutputType(InputType inputType) {
        return InputType.feedForward(channels * steps);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        return new Pair<>(null, currentMaskState);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlattenPreProcessor f && f.channels == channels && f.steps == steps;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(channels * 31 + steps);
    }
}

package reviewnet.nn.embedding;

import reviewnet.nn.layers.FastEmbedding;

import java.util.Arrays;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Implementation of {@link FastEmbedding}: the forward pass gathers rows of W, the backward pass zeroes the gradient
 * view and scatter-adds the epsilon rows into it ({@link EmbeddingRows}), word by word.
 * <p>
 * The output is a new [minibatch, T, nOut] 'c' array in the ACTIVATIONS workspace, returned as is for NWC and as its
 * [minibatch, nOut, T] permuted view for NCW (the physical layout of DL4J's layer). Epsilon whose (example, step)
 * rows of nOut are contiguous is read in place, any other is first copied into that layout. The indices are read
 * from the input in both passes, so backprop keeps no state from the forward pass.
 */
public class FastEmbeddingLayer extends AbstractEmbeddingLayer<FastEmbedding> {

    private static final Logger LOG = LoggerFactory.getLogger(FastEmbeddingLayer.class);

    public FastEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    /** The mask [mb, T] as example-major values, or null without a mask. */
    private double[] mask(EmbeddingIndices ix) {
        if (maskArray == null) {
            return null;
        }
        if (maskArray.rank() != 2 || maskArray.size(0) != ix.mb || maskArray.size(1) != ix.tLen) {
            throw new IllegalStateException(where() + ": per-time-step mask of shape "
                    + "[minibatch, T] = [" + ix.mb + ", " + ix.tLen + "] expected, got "
                    + Arrays.toString(maskArray.shape()));
        }
        return maskArray.reshape('c', new long[]{maskArray.length()}).toDoubleVector();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        EmbeddingIndices ix = indices();
        int n = (int) layerConf().getNOut();
        INDArray w = getParamWithNoise(FastEmbeddingParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                new long[]{ix.mb, ix.tLen, n}, 'c');
        EmbeddingRows.gather(EmbeddingRows.Table.of(w), ix, mask(ix), false,
                new EmbeddingRows.Steps(EmbeddingRows.Buffer.of(out), ix.tLen * n, n), n, false);
        LOG.trace("{}: gathered {} rows of {} from a vocabulary of {}", layerId(), ix.idx.length, n, w.size(0));
        return layerConf().getOutputFormat() == RNNFormat.NCW ? out.permute(0, 2, 1) : out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        EmbeddingIndices ix = indices();
        double[] mask = mask(ix);
        int n = (int) layerConf().getNOut();
        boolean ncw = layerConf().getOutputFormat() == RNNFormat.NCW;
        checkEpsilon(epsilon, ncw ? new long[]{ix.mb, n, ix.tLen} : new long[]{ix.mb, ix.tLen, n});
        INDArray eps = epsilon.dataType() == dataType ? epsilon : epsilon.castTo(dataType);
        // as [mb, T, n]: read in place when each (example, step) row of n is contiguous, else copied into that layout
        INDArray rows = ncw ? eps.permute(0, 2, 1) : eps;
        if (rows.stride(2) != 1) {
            INDArray copy = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType,
                    new long[]{ix.mb, ix.tLen, n}, 'c');
            rows = copy.assign(rows);
        }
        return scatterGradient(new EmbeddingRows.Steps(EmbeddingRows.Buffer.of(rows), (int) rows.stride(0),
                (int) rows.stride(1)), ix, mask, false);
    }
}

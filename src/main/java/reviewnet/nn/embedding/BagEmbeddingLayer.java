package reviewnet.nn.embedding;

import reviewnet.nn.layers.BagEmbedding;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Implementation of {@link BagEmbedding}: the forward pass sums the rows of W of each example's non-zero indices and
 * scales the sum ({@link BagEmbedding#scale}); the backward pass scatter-adds epsilon × that scale into the rows of
 * those indices ({@link EmbeddingRows}). Sums and products in double, stored in the network's data type.
 */
public class BagEmbeddingLayer extends AbstractEmbeddingLayer<BagEmbedding> {

    public BagEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    @Override
    EmbeddingIndices indices() {
        if (maskArray != null) {
            throw new IllegalStateException(where() + ": mask arrays are not supported; padding is index 0 and is "
                    + "left out of the average");
        }
        return super.indices();
    }

    /** The scale of each example ({@link BagEmbedding#scale} of its count of non-padding indices). */
    private double[] scales(EmbeddingIndices ix) {
        double[] scales = new double[ix.mb];
        for (int i = 0, r = 0; i < ix.mb; i++) {
            int count = 0;
            for (int t = 0; t < ix.tLen; t++, r++) {
                if (ix.idx[r] != 0) {
                    count++;
                }
            }
            scales[i] = layerConf().scale(count);
        }
        return scales;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        EmbeddingIndices ix = indices();
        double[] scales = scales(ix);
        int n = (int) layerConf().getNOut();
        INDArray w = getParamWithNoise(FastEmbeddingParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        double[] sums = new double[ix.mb * n];
        // every step of example i adds to the same row i of the sums
        EmbeddingRows.gather(EmbeddingRows.Table.of(w), ix, null, true,
                new EmbeddingRows.Steps(EmbeddingRows.Buffer.of(sums), n, 0), n, true);
        for (int k = 0; k < sums.length; k++) {
            sums[k] *= scales[k / n];
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[]{ix.mb, n}, 'c');
        return out.assign(Nd4j.createFromArray(sums).reshape(ix.mb, n).castTo(dataType));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        EmbeddingIndices ix = indices();
        double[] scales = scales(ix);
        int n = (int) layerConf().getNOut();
        checkEpsilon(epsilon, ix.mb, n);
        double[] eps = epsilon.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] scale = new double[ix.idx.length];
        for (int r = 0; r < scale.length; r++) {
            scale[r] = scales[r / ix.tLen];
        }
        // every step of example i reads the same row i of epsilon
        return scatterGradient(new EmbeddingRows.Steps(EmbeddingRows.Buffer.of(eps), n, 0), ix, scale, true);
    }
}

package reviewnet.nn.embedding;

import reviewnet.nn.layers.BagEmbedding;

import java.util.Arrays;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Implementation of {@link BagEmbedding}: the forward pass sums the rows of W of each example's non-zero indices and
 * scales the sum (1/n or 1/√n); the backward pass zeroes the gradient and scatter-adds epsilon × that scale into the
 * rows of those indices. Like {@link FastEmbeddingLayer}, plain loops over the buffers (work in doubles, stored in the network's
 * data type): the work is a few hundred thousand loads and adds per minibatch plus the gradient's memset.
 */
public class BagEmbeddingLayer extends BaseLayer<BagEmbedding> {

    public BagEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasBias() {
        return false;
    }

    private EmbeddingIndices indices() {
        if (maskArray != null) {
            throw new IllegalStateException("BagEmbedding (" + layerId() + "): mask arrays are not supported; padding "
                    + "is index 0 and is left out of the average");
        }
        return EmbeddingIndices.read(input, layerConf().getNIn(), "BagEmbedding (" + layerId() + ")");
    }

    /** How many non-padding indices each example has. */
    private static int[] counts(EmbeddingIndices ix) {
        int[] n = new int[ix.mb];
        for (int i = 0, r = 0; i < ix.mb; i++) {
            for (int t = 0; t < ix.tLen; t++, r++) {
                if (ix.idx[r] != 0) {
                    n[i]++;
                }
            }
        }
        return n;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        EmbeddingIndices ix = indices();
        int[] counts = counts(ix);
        int n = (int) layerConf().getNOut();
        INDArray w = getParamWithNoise(FastEmbeddingParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        int ws0 = (int) w.stride(0), ws1 = (int) w.stride(1);
        double[] sums = new double[ix.mb * n];
        Weights weights = Weights.of(w);
        for (int i = 0, r = 0; i < ix.mb; i++) {
            int o = i * n;
            for (int t = 0; t < ix.tLen; t++, r++) {
                int v = ix.idx[r];
                if (v != 0) {
                    int src = v * ws0;
                    for (int j = 0; j < n; j++) {
                        sums[o + j] += weights.get(src + j * ws1);
                    }
                }
            }
            double scale = layerConf().scale(counts[i]);
            for (int j = 0; j < n; j++) {
                sums[o + j] *= scale;
            }
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[]{ix.mb, n}, 'c');
        return out.assign(org.nd4j.linalg.factory.Nd4j.createFromArray(sums).reshape(ix.mb, n).castTo(dataType));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        EmbeddingIndices ix = indices();
        int[] counts = counts(ix);
        int n = (int) layerConf().getNOut();
        if (!Arrays.equals(epsilon.shape(), new long[]{ix.mb, n})) {
            throw new IllegalStateException("BagEmbedding (" + layerId() + "): epsilon of shape [" + ix.mb + ", " + n
                    + "] expected, got " + Arrays.toString(epsilon.shape()));
        }
        double[] eps = epsilon.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        INDArray g = gradientViews.get(FastEmbeddingParamInitializer.WEIGHT_KEY);
        // the updater reads (and overwrites) the whole view, so all of it is written each time
        Pointer.memset(g.data().addressPointer(), 0, g.length() * g.data().getElementSize());
        int gs0 = (int) g.stride(0), gs1 = (int) g.stride(1);
        Weights grads = Weights.of(g);
        for (int i = 0, r = 0; i < ix.mb; i++) {
            double scale = layerConf().scale(counts[i]);
            int e = i * n;
            for (int t = 0; t < ix.tLen; t++, r++) {
                int v = ix.idx[r];
                if (v != 0) {
                    int dst = v * gs0;
                    for (int j = 0; j < n; j++) {
                        grads.add(dst + j * gs1, eps[e + j] * scale);
                    }
                }
            }
        }
        Gradient ret = new DefaultGradient(gradientsFlattened);
        ret.gradientForVariable().put(FastEmbeddingParamInitializer.WEIGHT_KEY, g);
        weightNoiseParams.clear();
        // indices have no gradient
        return new Pair<>(ret, null);
    }

    /** A FLOAT or DOUBLE array's buffer, read and updated in doubles (index 0 = the array's first element). */
    private interface Weights {
        double get(int k);

        void add(int k, double value);

        static Weights of(INDArray a) {
            if (a.dataType() == DataType.FLOAT) {
                java.nio.FloatBuffer b = a.data().asNioFloat().slice();
                return new Weights() {
                    public double get(int k) {
                        return b.get(k);
                    }

                    public void add(int k, double value) {
                        b.put(k, (float) (b.get(k) + value));
                    }
                };
            }
            java.nio.DoubleBuffer b = a.data().asNioDouble().slice();
            return new Weights() {
                public double get(int k) {
                    return b.get(k);
                }

                public void add(int k, double value) {
                    b.put(k, b.get(k) + value);
                }
            };
        }
    }
}

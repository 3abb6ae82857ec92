package reviewnet.nn.layers;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Implementation of {@link FastEmbedding}: the forward pass gathers rows of W, the backward pass zeroes the gradient
 * view and scatter-adds the epsilon rows into it, both as plain Java loops over the arrays' buffers.
 *
 * <h3>Why loops</h3>
 * DL4J 1.0.0-M2's {@code EmbeddingSequenceLayer} recomputes the whole forward pass in backprop and then scatters with
 * {@code scatterUpdate} over the TADs of the 'f' ordered weight gradient; {@code pullRows} in the forward pass also
 * works per TAD. At the product's sizes (3,200 indices per minibatch, 128 features, 20,000 words) that costs far more
 * than the memory traffic: the work itself is a 10 MB memset and 409,600 loads/adds. Java loops over the
 * {@link java.nio.Buffer NIO views} of the native buffers do exactly that work (the JIT turns the absolute get/put into
 * plain loads and stores), without per-row INDArray views or ops.
 *
 * <h3>Layout</h3>
 * W is [nIn, nOut] 'f' ordered (DL4J's layout), so the vector of word v is strided by nIn while a feature column
 * W[:, j] is contiguous (nIn values, 80 KB for 20,000 floats). Both loops therefore run column by column: for each
 * feature j, all indices of the minibatch read (forward) or update (backward) the same column, which stays in cache,
 * instead of touching nOut cache lines spread over the whole 10 MB matrix per word.
 * <p>
 * The output is a new [minibatch, T, nOut] 'c' array in the ACTIVATIONS workspace, returned as is for NWC and as its
 * [minibatch, nOut, T] permuted view for NCW: the same physical layout as DL4J's layer, which the following layers'
 * copies are tuned for (see {@link FusedSimpleRnnLayer}). Epsilon may arrive in any layout: the backward loop reads
 * it through its strides.
 * <p>
 * The indices are read from the input in both passes (a few microseconds), so backprop does not depend on state kept
 * from the forward pass.
 */
public class FastEmbeddingLayer extends BaseLayer<FastEmbedding> {

    private static final Logger LOG = LoggerFactory.getLogger(FastEmbeddingLayer.class);

    public FastEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasBias() {
        return false;
    }

    /** The word indices of the input, example-major ({@code i·T + t}), and the sequence length. */
    private static final class Indices {
        final int[] idx;
        final int mb, tLen;

        Indices(int[] idx, int mb, int tLen) {
            this.idx = idx;
            this.mb = mb;
            this.tLen = tLen;
        }
    }

    /**
     * Reads and checks the indices: [mb, T] or [mb, 1, T], values in [0, nIn). Fractions are truncated to the word
     * index, as DL4J's layer does (so float noise such as 26.000002 is word 26).
     */
    private Indices indices() {
        INDArray in = input;
        boolean valid = in.rank() == 2 || (in.rank() == 3 && in.size(1) == 1);
        if (!valid) {
            throw new IllegalArgumentException("FastEmbedding (" + layerId() + "): input of shape [minibatch, T] or "
                    + "[minibatch, 1, T] expected, got " + Arrays.toString(in.shape()));
        }
        long mb = in.size(0);
        long tLen = in.size(in.rank() - 1);
        if (mb * tLen > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("FastEmbedding (" + layerId() + "): too many indices: " + mb * tLen);
        }
        double[] v = in.reshape('c', new long[]{mb * tLen}).toDoubleVector();
        long nIn = layerConf().getNIn();
        int[] idx = new int[v.length];
        for (int r = 0; r < v.length; r++) {
            double d = v[r];
            int k = (int) d;
            if (!(d >= 0) || k >= nIn) {
                throw new IllegalArgumentException("FastEmbedding (" + layerId() + "): invalid word index " + d
                        + " at example " + r / tLen + ", step " + r % tLen + ": indices must be in [0, " + (nIn - 1)
                        + "]");
            }
            idx[r] = k;
        }
        return new Indices(idx, (int) mb, (int) tLen);
    }

    /** The mask [mb, T] as example-major values, or null without a mask. */
    private double[] maskValues(Indices ix) {
        if (maskArray == null) {
            return null;
        }
        if (maskArray.rank() != 2 || maskArray.size(0) != ix.mb || maskArray.size(1) != ix.tLen) {
            throw new IllegalStateException("FastEmbedding (" + layerId() + "): per-time-step mask of shape "
                    + "[minibatch, T] = [" + ix.mb + ", " + ix.tLen + "] expected, got "
                    + Arrays.toString(maskArray.shape()));
        }
        return maskArray.reshape('c', new long[]{maskArray.length()}).toDoubleVector();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        Indices ix = indices();
        double[] mask = maskValues(ix);
        int n = (int) layerConf().getNOut();
        INDArray w = getParamWithNoise(FastEmbeddingParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                new long[]{ix.mb, ix.tLen, n}, 'c');
        int nIn = (int) w.size(0);
        int ws0 = (int) w.stride(0), ws1 = (int) w.stride(1);
        if (dataType == DataType.FLOAT) {
            gather(floats(w), ws0, ws1, ix.idx, mask, floats(out), n);
        } else {
            gather(doubles(w), ws0, ws1, ix.idx, mask, doubles(out), n);
        }
        LOG.trace("{}: gathered {} rows of {} from a vocabulary of {}", layerId(), ix.idx.length, n, nIn);
        return layerConf().getOutputFormat() == RNNFormat.NCW ? out.permute(0, 2, 1) : out;
    }

    /** out[r·n + j] = W[idx[r], j] (· mask[r]), column by column (see the class comment). */
    private static void gather(FloatBuffer w, int ws0, int ws1, int[] idx, double[] mask, FloatBuffer out, int n) {
        int rows = idx.length;
        for (int j = 0; j < n; j++) {
            int col = j * ws1;
            if (mask == null) {
                for (int r = 0, o = j; r < rows; r++, o += n) {
                    out.put(o, w.get(col + idx[r] * ws0));
                }
            } else {
                for (int r = 0, o = j; r < rows; r++, o += n) {
                    out.put(o, (float) (w.get(col + idx[r] * ws0) * mask[r]));
                }
            }
        }
    }

    /** The DOUBLE version of {@link #gather(FloatBuffer, int, int, int[], double[], FloatBuffer, int)}. */
    private static void gather(DoubleBuffer w, int ws0, int ws1, int[] idx, double[] mask, DoubleBuffer out, int n) {
        int rows = idx.length;
        for (int j = 0; j < n; j++) {
            int col = j * ws1;
            for (int r = 0, o = j; r < rows; r++, o += n) {
                double v = w.get(col + idx[r] * ws0);
                out.put(o, mask == null ? v : v * mask[r]);
            }
        }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        Indices ix = indices();
        double[] mask = maskValues(ix);
        int n = (int) layerConf().getNOut();
        boolean ncw = layerConf().getOutputFormat() == RNNFormat.NCW;
        long[] expected = ncw ? new long[]{ix.mb, n, ix.tLen} : new long[]{ix.mb, ix.tLen, n};
        if (!Arrays.equals(epsilon.shape(), expected)) {
            throw new IllegalStateException("FastEmbedding (" + layerId() + "): epsilon of shape "
                    + Arrays.toString(expected) + " expected, got " + Arrays.toString(epsilon.shape()));
        }
        INDArray eps = epsilon.dataType() == dataType ? epsilon : epsilon.castTo(dataType);
        // strides of eps for (example, step, feature)
        int es0 = (int) eps.stride(0);
        int esT = (int) eps.stride(ncw ? 2 : 1);
        int esF = (int) eps.stride(ncw ? 1 : 2);

        INDArray g = gradientViews.get(FastEmbeddingParamInitializer.WEIGHT_KEY);
        // the updater reads (and overwrites) the whole view, so all of it is written each time
        zero(g);
        int gs0 = (int) g.stride(0), gs1 = (int) g.stride(1);
        if (dataType == DataType.FLOAT) {
            scatterAdd(floats(eps), es0, esT, esF, ix, mask, floats(g), gs0, gs1, n);
        } else {
            scatterAdd(doubles(eps), es0, esT, esF, ix, mask, doubles(g), gs0, gs1, n);
        }

        Gradient ret = new DefaultGradient(gradientsFlattened);
        ret.gradientForVariable().put(FastEmbeddingParamInitializer.WEIGHT_KEY, g);
        weightNoiseParams.clear();
        return new Pair<>(ret, null);
    }

    /** G[idx[r], j] += eps(r, j) (· mask[r]), column by column; eps read through its strides. */
    private static void scatterAdd(FloatBuffer eps, int es0, int esT, int esF, Indices ix, double[] mask,
                                   FloatBuffer g, int gs0, int gs1, int n) {
        int[] idx = ix.idx;
        int tLen = ix.tLen;
        for (int j = 0; j < n; j++) {
            int col = j * gs1;
            int r = 0;
            for (int i = 0; i < ix.mb; i++) {
                int e = i * es0 + j * esF;
                for (int t = 0; t < tLen; t++, r++, e += esT) {
                    int k = col + idx[r] * gs0;
                    float v = eps.get(e);
                    g.put(k, g.get(k) + (mask == null ? v : (float) (v * mask[r])));
                }
            }
        }
    }

    /** The DOUBLE version of {@link #scatterAdd(FloatBuffer, int, int, int, Indices, double[], FloatBuffer, int, int, int)}. */
    private static void scatterAdd(DoubleBuffer eps, int es0, int esT, int esF, Indices ix, double[] mask,
                                   DoubleBuffer g, int gs0, int gs1, int n) {
        int[] idx = ix.idx;
        int tLen = ix.tLen;
        for (int j = 0; j < n; j++) {
            int col = j * gs1;
            int r = 0;
            for (int i = 0; i < ix.mb; i++) {
                int e = i * es0 + j * esF;
                for (int t = 0; t < tLen; t++, r++, e += esT) {
                    int k = col + idx[r] * gs0;
                    double v = eps.get(e);
                    g.put(k, g.get(k) + (mask == null ? v : v * mask[r]));
                }
            }
        }
    }

    /** Zeroes an array: one memset when its elements are contiguous (the gradient view is), else assign(0). */
    private static void zero(INDArray a) {
        long len = a.length();
        boolean contiguous = (a.ordering() == 'f' && a.stride(0) == 1 && a.stride(1) == a.size(0))
                || (a.ordering() == 'c' && a.stride(1) == 1 && a.stride(0) == a.size(1));
        if (contiguous) {
            Pointer.memset(a.data().addressPointer(), 0, len * a.data().getElementSize());
        } else {
            a.assign(0);
        }
    }

    /** The array's buffer as floats, index 0 = the array's first element (its offset applied). */
    private static FloatBuffer floats(INDArray a) {
        return a.data().asNioFloat().slice();
    }

    /** The array's buffer as doubles, index 0 = the array's first element (its offset applied). */
    private static DoubleBuffer doubles(INDArray a) {
        return a.data().asNioDouble().slice();
    }
}

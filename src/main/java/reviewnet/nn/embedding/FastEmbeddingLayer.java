package reviewnet.nn.embedding;

import reviewnet.nn.layers.FastEmbedding;
import reviewnet.nn.layers.FusedSimpleRnn;
import reviewnet.nn.recurrent.FusedSimpleRnnLayer;

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
 * W is [nIn, nOut] 'f' ordered (DL4J's layout), so the vector of word v is strided by nIn (each element in its own
 * cache line). Both loops still run word by word (row r: all nOut elements of word idx[r]), writing or reading one
 * contiguous row of the output or epsilon: word frequencies are Zipf distributed, so the few frequent words' cache
 * lines stay cached, and measured with Zipf indices at the product's sizes this order is about 3 times cheaper than
 * going column by column (0.7 ms vs 2.2 ms CPU for the gather or the scatter-add alone).
 * <p>
 * The output is a new [minibatch, T, nOut] 'c' array in the ACTIVATIONS workspace, returned as is for NWC and as its
 * [minibatch, nOut, T] permuted view for NCW: the same physical layout as DL4J's layer, which the following layers'
 * copies are tuned for (see {@link FusedSimpleRnnLayer}). Epsilon in that layout (what FusedSimpleRnn returns) is
 * read in place; in any other layout (a convolution's [minibatch, nOut, T] 'c') it is first copied into it with one
 * ND4J assign, because reading nOut strided values per word costs more than the copy.
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

    private EmbeddingIndices indices() {
        return EmbeddingIndices.read(input, layerConf().getNIn(), "FastEmbedding (" + layerId() + ")");
    }

    /** The mask [mb, T] as example-major values, or null without a mask. */
    private double[] maskValues(EmbeddingIndices ix) {
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
        EmbeddingIndices ix = indices();
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

    /**
     * out[r·n + j] = W[idx[r], j] (· mask[r]), word by word (see the class comment); a row of W with unit stride and no
     * mask is one bulk copy (element by element through the buffers cost 12% of an LSTM inference pass).
     */
    private static void gather(FloatBuffer w, int ws0, int ws1, int[] idx, double[] mask, FloatBuffer out, int n) {
        if (mask == null && ws1 == 1) {
            for (int r = 0, o = 0; r < idx.length; r++, o += n) {
                out.put(o, w, idx[r] * ws0, n);
            }
            return;
        }
        for (int r = 0, o = 0; r < idx.length; r++) {
            int src = idx[r] * ws0;
            if (mask == null) {
                for (int j = 0; j < n; j++, o++) {
                    out.put(o, w.get(src + j * ws1));
                }
            } else {
                float m = (float) mask[r];
                for (int j = 0; j < n; j++, o++) {
                    out.put(o, w.get(src + j * ws1) * m);
                }
            }
        }
    }

    /** The DOUBLE version of {@link #gather(FloatBuffer, int, int, int[], double[], FloatBuffer, int)}. */
    private static void gather(DoubleBuffer w, int ws0, int ws1, int[] idx, double[] mask, DoubleBuffer out, int n) {
        for (int r = 0, o = 0; r < idx.length; r++) {
            int src = idx[r] * ws0;
            double m = mask == null ? 1.0 : mask[r];
            for (int j = 0; j < n; j++, o++) {
                out.put(o, w.get(src + j * ws1) * m);
            }
        }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        EmbeddingIndices ix = indices();
        double[] mask = maskValues(ix);
        int n = (int) layerConf().getNOut();
        boolean ncw = layerConf().getOutputFormat() == RNNFormat.NCW;
        long[] expected = ncw ? new long[]{ix.mb, n, ix.tLen} : new long[]{ix.mb, ix.tLen, n};
        if (!Arrays.equals(epsilon.shape(), expected)) {
            throw new IllegalStateException("FastEmbedding (" + layerId() + "): epsilon of shape "
                    + Arrays.toString(expected) + " expected, got " + Arrays.toString(epsilon.shape()));
        }
        INDArray eps = epsilon.dataType() == dataType ? epsilon : epsilon.castTo(dataType);
        // as [mb, T, n]: read in place when each (example, step) row of n is contiguous, else copied into that layout
        INDArray rows = ncw ? eps.permute(0, 2, 1) : eps;
        if (rows.stride(2) != 1) {
            INDArray copy = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType,
                    new long[]{ix.mb, ix.tLen, n}, 'c');
            rows = copy.assign(rows);
        }
        int es0 = (int) rows.stride(0), esT = (int) rows.stride(1);

        INDArray g = gradientViews.get(FastEmbeddingParamInitializer.WEIGHT_KEY);
        // the updater reads (and overwrites) the whole view, so all of it is written each time
        zero(g);
        int gs0 = (int) g.stride(0), gs1 = (int) g.stride(1);
        if (dataType == DataType.FLOAT) {
            scatterAdd(floats(rows), es0, esT, ix, mask, floats(g), gs0, gs1, n);
        } else {
            scatterAdd(doubles(rows), es0, esT, ix, mask, doubles(g), gs0, gs1, n);
        }

        Gradient ret = new DefaultGradient(gradientsFlattened);
        ret.gradientForVariable().put(FastEmbeddingParamInitializer.WEIGHT_KEY, g);
        weightNoiseParams.clear();
        return new Pair<>(ret, null);
    }

    /**
     * G[idx[r], j] += eps(r, j) (· mask[r]), word by word; eps(r = i·T + t, j) is at {@code i·es0 + t·esT + j}.
     */
    private static void scatterAdd(FloatBuffer eps, int es0, int esT, EmbeddingIndices ix, double[] mask,
                                   FloatBuffer g, int gs0, int gs1, int n) {
        for (int i = 0, r = 0; i < ix.mb; i++) {
            for (int t = 0; t < ix.tLen; t++, r++) {
                int e = i * es0 + t * esT;
                int dst = ix.idx[r] * gs0;
                float m = mask == null ? 1f : (float) mask[r];
                for (int j = 0; j < n; j++) {
                    int k = dst + j * gs1;
                    g.put(k, g.get(k) + eps.get(e + j) * m);
                }
            }
        }
    }

    /** The DOUBLE version of {@link #scatterAdd(FloatBuffer, int, int, EmbeddingIndices, double[], FloatBuffer, int, int, int)}. */
    private static void scatterAdd(DoubleBuffer eps, int es0, int esT, EmbeddingIndices ix, double[] mask,
                                   DoubleBuffer g, int gs0, int gs1, int n) {
        for (int i = 0, r = 0; i < ix.mb; i++) {
            for (int t = 0; t < ix.tLen; t++, r++) {
                int e = i * es0 + t * esT;
                int dst = ix.idx[r] * gs0;
                double m = mask == null ? 1.0 : mask[r];
                for (int j = 0; j < n; j++) {
                    int k = dst + j * gs1;
                    g.put(k, g.get(k) + eps.get(e + j) * m);
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

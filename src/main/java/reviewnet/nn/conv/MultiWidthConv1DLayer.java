package reviewnet.nn.conv;

import reviewnet.nn.layers.FastEmbedding;
import reviewnet.nn.layers.MultiWidthConv1D;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntToDoubleFunction;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Implementation of {@link MultiWidthConv1D}. Forward: the input [mb, nIn, T] is used as 'c' [mb, T, nIn] (NWC; a
 * view when its memory is in that order, as {@link FastEmbedding}'s output is, else a copy); per width w one libnd4j
 * {@code conv1d} op (NWC, kernel [w, nIn, filters], bias) gives z_w [mb, T − w + 1, filters], then one pass takes
 * max over time and relu (max_t relu(z) = relu(max_t z)) and records the first argmax step.
 * <p>
 * Backward: each output's gradient g[i, f] reaches only its argmax step t* (nothing where relu is inactive), so with
 * x*[i, f] = the w·nIn input values of the window at t* (contiguous in NWC)
 * <pre>
 *   db[f] = Σ_i g[i, f],   dW[·, ·, f] += g[i, f] · x*[i, f],   dx[i, t* + k, c] += g[i, f] · W[k, c, f]
 * </pre>
 * computed as loops over Java arrays, the kernel transposed to [filters, w·nIn]. dx is written as [mb, T, nIn] and
 * returned as its [mb, nIn, T] view. A training forward pass keeps the argmax steps for the backward pass on the
 * same input; otherwise the backward pass recomputes the forward pass.
 */
public class MultiWidthConv1DLayer extends BaseLayer<MultiWidthConv1D> {

    /** Argmax steps of the last training forward pass, and the input they belong to. */
    private transient Fwd cachedFwd;
    /** Backward scratch, reused: the input and dL/dx as [mb, T, nIn] Java arrays (FLOAT or DOUBLE). */
    private transient float[] xf, dxf;
    private transient double[] xd, dxd;

    private static final class Fwd {
        INDArray input;
        /** Per width, per (example i, filter f) at i·filters + f: the step of the maximum, −1 where relu is inactive. */
        int[][] argmax;
        INDArray output;
    }

    public MultiWidthConv1DLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.CONVOLUTIONAL;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasBias() {
        return true;
    }

    /** The mask is ignored (see {@link MultiWidthConv1D}) and used up: the output is feed-forward. */
    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        this.maskArray = maskArray;
        this.maskState = currentMaskState;
        return new Pair<>(null, currentMaskState);
    }

    @Override
    public void clear() {
        super.clear();
        cachedFwd = null;
    }

    @Override
    public INDArray preOutput(boolean training, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException("MultiWidthConv1D (" + layerId() + "): no pre-output; use activate");
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        cachedFwd = null;
        Fwd f = forward(training, false, workspaceMgr);
        if (training) {
            cachedFwd = f;
        }
        return f.output;
    }

    /** @param forBackprop recompute inside backpropGradient: working memory in BP_WORKING_MEM, no output kept */
    private Fwd forward(boolean training, boolean forBackprop, LayerWorkspaceMgr mgr) {
        assertInputSet(forBackprop);
        applyDropOutIfNecessary(training, mgr);
        ArrayType working = forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.FF_WORKING_MEM;
        MultiWidthConv1D c = layerConf();
        List<Integer> widths = c.getWidths();
        int filters = c.getFilters();
        int nOut = (int) c.getNOut();
        INDArray x = nwc(checkedInput(), mgr, working);
        int mb = (int) x.size(0), tLen = (int) x.size(1);

        Fwd f = new Fwd();
        f.input = input;
        f.argmax = training ? new int[widths.size()][] : null;
        f.output = mgr.createUninitialized(forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.ACTIVATIONS, dataType,
                new long[]{mb, nOut}, 'c');
        for (int j = 0; j < widths.size(); j++) {
            int w = widths.get(j);
            int tOut = tLen - w + 1;
            INDArray kernel = getParamWithNoise(MultiWidthConv1DParamInitializer.weightKey(j), training, mgr);
            INDArray bias = getParamWithNoise(MultiWidthConv1DParamInitializer.biasKey(j), training, mgr);
            INDArray z = mgr.createUninitialized(working, dataType, new long[]{mb, tOut, filters}, 'c');
            Nd4j.exec(DynamicCustomOp.builder("conv1d")
                    .addInputs(x, contiguous(kernel), bias.reshape(filters))
                    // kW, sW, pW, dW, padding mode (0 = valid), data format (1 = NWC), weight format (0 = [kW, iC, oC])
                    .addIntegerArguments(w, 1, 0, 1, 0, 1, 0)
                    .addOutputs(z)
                    .build());
            int[] argmax = training ? new int[mb * filters] : null;
            if (dataType == DataType.FLOAT) {
                FloatBuffer zb = floats(z), ob = floats(f.output);
                maxRelu(zb::get, mb, tOut, filters, (k, v) -> ob.put(k, (float) v), nOut, j * filters, argmax);
            } else {
                DoubleBuffer zb = doubles(z), ob = doubles(f.output);
                maxRelu(zb::get, mb, tOut, filters, ob::put, nOut, j * filters, argmax);
            }
            if (training) {
                f.argmax[j] = argmax;
            }
        }
        return f;
    }

    /** The input in the network's data type, checked: rank 3, [mb, nIn, T], T at least the largest width. */
    private INDArray checkedInput() {
        MultiWidthConv1D c = layerConf();
        if (input.rank() != 3 || input.size(1) != c.getNIn()) {
            throw new IllegalArgumentException("MultiWidthConv1D (" + layerId() + "): input of shape [minibatch, nIn = "
                    + c.getNIn() + ", T] expected, got " + Arrays.toString(input.shape()));
        }
        if (input.size(2) < c.maxWidth()) {
            throw new IllegalArgumentException("MultiWidthConv1D (" + layerId() + "): sequences of " + input.size(2)
                    + " steps are shorter than the largest convolution width " + c.maxWidth() + " (widths "
                    + c.getWidths() + ")");
        }
        if ((long) input.size(0) * input.size(2) * Math.max(c.getNIn(), c.getFilters()) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("MultiWidthConv1D (" + layerId() + "): input too large: "
                    + Arrays.toString(input.shape()));
        }
        return input.dataType() == dataType ? input : input.castTo(dataType);
    }

    /** [mb, nIn, T] as a contiguous 'c' [mb, T, nIn]: the permuted view when the memory is in that order, else a copy. */
    private static INDArray nwc(INDArray in, LayerWorkspaceMgr mgr, ArrayType type) {
        INDArray v = in.permute(0, 2, 1);
        long t = v.size(1), n = v.size(2);
        if (v.stride(2) == 1 && v.stride(1) == n && v.stride(0) == t * n) {
            return v;
        }
        INDArray copy = mgr.createUninitialized(type, v.dataType(), v.shape(), 'c');
        return copy.assign(v);
    }

    /** The kernel as a contiguous 'c' array (the parameter views are; weight noise might not be). */
    private static INDArray contiguous(INDArray a) {
        long[] s = a.shape();
        boolean c = a.ordering() == 'c' && a.stride(2) == 1 && a.stride(1) == s[2] && a.stride(0) == s[1] * s[2];
        return c ? a : a.dup('c');
    }

    /**
     * out[i, off + f] = relu(max_t z[i, t, f]); argmax (if not null) [i·filters + f] = the first step of the
     * maximum, or −1 where the maximum is ≤ 0 (relu inactive: no gradient). Compares in double, exact for FLOAT too.
     */
    private static void maxRelu(IntToDoubleFunction z, int mb, int tOut, int filters, IntDoubleConsumer out,
                                int outCols, int off, int[] argmax) {
        double[] max = new double[filters];
        int[] at = new int[filters];
        for (int i = 0; i < mb; i++) {
            int base = i * tOut * filters;
            for (int f = 0; f < filters; f++) {
                max[f] = z.applyAsDouble(base + f);
            }
            Arrays.fill(at, 0);
            for (int t = 1; t < tOut; t++) {
                int r = base + t * filters;
                for (int f = 0; f < filters; f++) {
                    double v = z.applyAsDouble(r + f);
                    if (v > max[f]) {
                        max[f] = v;
                        at[f] = t;
                    }
                }
            }
            int o = i * outCols + off;
            for (int f = 0; f < filters; f++) {
                boolean active = max[f] > 0;
                out.put(o + f, active ? max[f] : 0.0);
                if (argmax != null) {
                    argmax[i * filters + f] = active ? at[f] : -1;
                }
            }
        }
    }

    /** A buffer's put(index, value). */
    private interface IntDoubleConsumer {
        void put(int index, double value);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        Fwd f = cachedFwd;
        if (f == null || f.input != input || f.argmax == null) {
            f = forward(true, true, mgr);
        }
        cachedFwd = null;
        MultiWidthConv1D c = layerConf();
        List<Integer> widths = c.getWidths();
        int filters = c.getFilters();
        int nOut = (int) c.getNOut();
        int nIn = (int) c.getNIn();
        INDArray x = nwc(checkedInput(), mgr, ArrayType.BP_WORKING_MEM);
        int mb = (int) x.size(0), tLen = (int) x.size(1);
        if (!Arrays.equals(epsilon.shape(), new long[]{mb, nOut})) {
            throw new IllegalStateException("MultiWidthConv1D (" + layerId() + "): epsilon of shape [" + mb + ", "
                    + nOut + "] expected, got " + Arrays.toString(epsilon.shape()));
        }
        double[][] eps = epsilon.castTo(DataType.DOUBLE).toDoubleMatrix();
        int size = mb * tLen * nIn;
        boolean single = dataType == DataType.FLOAT;
        // x and dL/dx (both [mb, T, nIn]) as Java arrays, so that the window loops are plain array loops
        if (single) {
            xf = grow(xf, size);
            dxf = grow(dxf, size);
            floats(x).get(xf, 0, size);
            Arrays.fill(dxf, 0, size, 0f);
        } else {
            xd = grow(xd, size);
            dxd = grow(dxd, size);
            doubles(x).get(xd, 0, size);
            Arrays.fill(dxd, 0, size, 0.0);
        }

        Gradient ret = new DefaultGradient(gradientsFlattened);
        for (int j = 0; j < widths.size(); j++) {
            int w = widths.get(j);
            int len = w * nIn;
            String wKey = MultiWidthConv1DParamInitializer.weightKey(j);
            String bKey = MultiWidthConv1DParamInitializer.biasKey(j);
            INDArray kernel = contiguous(getParamWithNoise(wKey, true, mgr));
            INDArray gW = gradientViews.get(wKey);
            INDArray gB = gradientViews.get(bKey);
            // the kernel and its gradient as [filters, w·nIn]: one filter's window weights contiguous
            double[] db = new double[filters];
            int[] argmax = f.argmax[j];
            if (single) {
                float[] k = new float[len * filters];
                floats(kernel).get(k);
                float[] wt = transpose(k, len, filters), dwt = new float[wt.length];
                window(tLen, nIn, len, filters, j * filters, eps, argmax, db, update(xf, dxf, wt, dwt, len));
                floats(checkContiguous(gW)).put(transpose(dwt, filters, len));
            } else {
                double[] k = new double[len * filters];
                doubles(kernel).get(k);
                double[] wt = transpose(k, len, filters), dwt = new double[wt.length];
                window(tLen, nIn, len, filters, j * filters, eps, argmax, db, update(xd, dxd, wt, dwt, len));
                doubles(checkContiguous(gW)).put(transpose(dwt, filters, len));
            }
            // the updater reads (and overwrites) the whole views, so all of them is written each time
            gB.assign(Nd4j.create(db, new long[]{1, filters}, 'c').castTo(dataType));
            ret.gradientForVariable().put(wKey, gW);
            ret.gradientForVariable().put(bKey, gB);
        }

        // dL/dx as [mb, T, nIn], returned as its [mb, nIn, T] view
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, new long[]{mb, tLen, nIn}, 'c');
        if (single) {
            floats(dx).put(dxf, 0, size);
        } else {
            doubles(dx).put(dxd, 0, size);
        }
        INDArray epsOut = backpropDropOutIfPresent(dx.permute(0, 2, 1));
        weightNoiseParams.clear();
        return new Pair<>(ret, epsOut);
    }

    /** The transpose of a 'c' ordered [rows, cols] matrix: out[c·rows + r] = a[r·cols + c]. */
    private static float[] transpose(float[] a, int rows, int cols) {
        float[] out = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = a[r * cols + c];
            }
        }
        return out;
    }

    /** The DOUBLE version of {@link #transpose(float[], int, int)}. */
    private static double[] transpose(double[] a, int rows, int cols) {
        double[] out = new double[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = a[r * cols + c];
            }
        }
        return out;
    }

    /** A gradient view, which the initializer makes contiguous ('c' [w, nIn, filters] of a slice of the vector). */
    private INDArray checkContiguous(INDArray gradientView) {
        if (contiguous(gradientView) != gradientView) {
            throw new IllegalStateException("MultiWidthConv1D (" + layerId() + "): gradient view is not contiguous: "
                    + gradientView.shapeInfoToString());
        }
        return gradientView;
    }

    private static float[] grow(float[] a, int size) {
        return a != null && a.length >= size ? a : new float[size];
    }

    private static double[] grow(double[] a, int size) {
        return a != null && a.length >= size ? a : new double[size];
    }

    /**
     * For each (example i, filter f) with an active maximum at step a: db[f] += g and {@code update} with the window's
     * offset xo = (i·T + a)·nIn in x and dx, the filter's offset fo = f·w·nIn in Wt and dWt, and g.
     */
    private static void window(int tLen, int nIn, int len, int filters, int off, double[][] eps, int[] argmax,
                               double[] db, WindowUpdate update) {
        for (int i = 0; i < eps.length; i++) {
            for (int f = 0; f < filters; f++) {
                int a = argmax[i * filters + f];
                double g = eps[i][off + f];
                if (a < 0 || g == 0) {
                    continue;
                }
                db[f] += g;
                update.apply((i * tLen + a) * nIn, f * len, g);
            }
        }
    }

    /** dWt[fo + q] += g · x[xo + q] and dx[xo + q] += g · Wt[fo + q] over the window's q &lt; w·nIn. */
    private interface WindowUpdate {
        void apply(int xo, int fo, double g);
    }

    /** {@link WindowUpdate} on FLOAT arrays, g rounded to float. */
    private static WindowUpdate update(float[] x, float[] dx, float[] wt, float[] dwt, int len) {
        return (xo, fo, g) -> {
            float gf = (float) g;
            for (int q = 0; q < len; q++) {
                dwt[fo + q] += gf * x[xo + q];
            }
            for (int q = 0; q < len; q++) {
                dx[xo + q] += gf * wt[fo + q];
            }
        };
    }

    /** {@link WindowUpdate} on DOUBLE arrays. */
    private static WindowUpdate update(double[] x, double[] dx, double[] wt, double[] dwt, int len) {
        return (xo, fo, g) -> {
            for (int q = 0; q < len; q++) {
                dwt[fo + q] += g * x[xo + q];
            }
            for (int q = 0; q < len; q++) {
                dx[xo + q] += g * wt[fo + q];
            }
        };
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

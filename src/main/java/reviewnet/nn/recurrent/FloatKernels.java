package reviewnet.nn.recurrent;

import reviewnet.nn.layers.GRU;

import java.nio.FloatBuffer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.base.Preconditions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Element-wise kernels of the float inference forward passes of our recurrent layers, on Java arrays.
 *
 * <p>Why: in ND4J 1.0.0-M2 a legacy {@code Tanh} or {@code Sigmoid} op calls a scalar {@code powf} or {@code expf}
 * per element, so at inference with 256 reviews per pass the element-wise work of an LSTM step cost more than its
 * gemm: {@code PROFILE=1 submit-scripts/profile-minibatch.sh --architectures lstm --fit-only --batches 60 --warmup 4}
 * on 8f6ccb2 put legacy Tanh/Sigmoid with their {@code powf}/{@code expf} at about 37% of the inference samples and
 * the gemms at 13%. The simple counted loops below (few operations per loop, unit stride, no calls) are compiled to
 * SIMD code by HotSpot's C2.
 *
 * <p>tanh: the argument is clamped to [-9, 9] (|tanh(±9) − (±1)| = 3.0e-8, below half an ulp of 1.0f), halved, put
 * through the [7/6] Padé approximant of tanh (the 7th convergent of Lambert's continued fraction,
 * {@code y(135135 + 17325y² + 378y⁴ + y⁶) / (135135 + 62370y² + 3150y⁴ + 28y⁶)}), and doubled back with
 * {@code tanh 2y = 2 tanh y / (1 + tanh² y)}. In float arithmetic over [-9, 9] its largest absolute error is 1.6e-7
 * (float's own tanh: 6e-8); {@code FloatKernelsTest} checks it against {@link Math#tanh}. The logistic function is
 * {@code σ(x) = ½ + ½ tanh(x/2)}. Training keeps ND4J's ops (their backward passes use the stored activations), and
 * double precision never comes here, so the gradient checks and the double-precision reference tests are unchanged.
 */
public final class FloatKernels {
    static final float TANH_CLAMP = 9f;

    private FloatKernels() {
    }

    /** {@code a[from..to) = tanh(a[from..to))}. */
    static void tanh(float[] a, int from, int to) {
        for (int j = from; j < to; j++) {
            float y = Math.max(-TANH_CLAMP, Math.min(TANH_CLAMP, a[j])) * 0.5f;
            float y2 = y * y;
            float num = y * (135135f + y2 * (17325f + y2 * (378f + y2)));
            float den = 135135f + y2 * (62370f + y2 * (3150f + y2 * 28f));
            float t = num / den;
            a[j] = 2f * t / (1f + t * t);
        }
    }

    /** {@code a[from..to) = σ(a[from..to)) = ½ + ½ tanh(a/2)}. */
    static void sigmoid(float[] a, int from, int to) {
        for (int j = from; j < to; j++) {
            float y = Math.max(-TANH_CLAMP, Math.min(TANH_CLAMP, a[j] * 0.5f)) * 0.5f;
            float y2 = y * y;
            float num = y * (135135f + y2 * (17325f + y2 * (378f + y2)));
            float den = 135135f + y2 * (62370f + y2 * (3150f + y2 * 28f));
            float t = num / den;
            a[j] = 0.5f + t / (1f + t * t);
        }
    }

    /**
     * One LSTM step, example-major: {@code g [mb, 4n]} holds the pre-activations {@code i | f | 2·g | o} of each example
     * (the candidate's doubled, since {@code tanh x = 2σ(2x) − 1} lets one logistic pass cover all four gates);
     * {@code c, h [mb, n]} are updated in place; {@code th [mb, n]} is scratch.
     */
    static void lstmStep(float[] g, float[] c, float[] h, float[] th, int n, int mb) {
        sigmoid(g, 0, 4 * n * mb);
        for (int i = 0; i < mb; i++) {
            int o = 4 * n * i;
            int s = n * i;
            for (int k = 0; k < n; k++) {
                c[s + k] = g[o + n + k] * c[s + k] + g[o + k] * (2f * g[o + 2 * n + k] - 1f);
            }
        }
        System.arraycopy(c, 0, th, 0, n * mb);
        tanh(th, 0, n * mb);
        for (int i = 0; i < mb; i++) {
            int o = 4 * n * i + 3 * n;
            int s = n * i;
            for (int k = 0; k < n; k++) {
                h[s + k] = g[o + k] * th[s + k];
            }
        }
    }

    /**
     * One GRU step (Keras {@code reset_after}), example-major: {@code g [mb, 3n]} holds {@code x·W + b} (z | r | h) and
     * {@code r [mb, 3n]} holds {@code h_{t-1}·RW + rb}; {@code h [mb, n]} is updated in place; g and r are overwritten.
     */
    static void gruStep(float[] g, float[] r, float[] h, int n, int mb) {
        for (int i = 0; i < mb; i++) {
            int o = 3 * n * i;
            int s = n * i;
            for (int k = 0; k < 2 * n; k++) {
                g[o + k] += r[o + k];
            }
            sigmoid(g, o, o + 2 * n);                                   // z | r
            for (int k = 0; k < n; k++) {
                g[o + 2 * n + k] += g[o + n + k] * r[o + 2 * n + k];    // x_h + r ⊙ (h·RW_h + rb_h)
            }
            tanh(g, o + 2 * n, o + 3 * n);                              // candidate hh
            for (int k = 0; k < n; k++) {
                float hh = g[o + 2 * n + k];
                h[s + k] = hh + g[o + k] * (h[s + k] - hh);             // hh + z ⊙ (h_{t-1} − hh)
            }
        }
    }

    /**
     * Step t of a per-time-step mask ({@code mask [mb, tLen]} row-major, as {@link #mask} gives it) on example-major
     * states {@code [mb, n]}: with m = mask[i, t], example i's row becomes {@code prev + m·(state − prev)} (carry; prev
     * is the row before the step) or {@code m·state} (reset).
     */
    static void maskRows(float[] state, float[] prev, float[] mask, int tLen, int t, int n, int mb, boolean carry) {
        for (int i = 0; i < mb; i++) {
            float mi = mask[i * tLen + t];
            if (mi == 1f) {
                continue;
            }
            int s = n * i;
            for (int k = 0; k < n; k++) {
                state[s + k] = carry ? prev[s + k] + mi * (state[s + k] - prev[s + k]) : mi * state[s + k];
            }
        }
    }

    /**
     * The output of an example-major inference pass: all steps ({@code hSeq [T, mb, n]}) in the layer's format, with
     * masked steps of a carried state set to 0, or the last step's states ({@code state [mb, n]}).
     */
    static INDArray output(INDArray hSeq, INDArray state, INDArray maskArray, boolean seq, boolean carry, boolean nwc,
                           LayerWorkspaceMgr mgr) {
        INDArray out;
        if (seq) {
            INDArray view = nwc ? hSeq.permute(1, 0, 2) : hSeq.permute(1, 2, 0);
            out = mgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, view.shape(), 'c');
            out.assign(view);
            if (maskArray != null && carry) {
                Nd4j.getExecutioner().exec(new BroadcastMulOp(out, maskArray.castTo(DataType.FLOAT), out, 0, nwc ? 1 : 2));
            }
        } else {
            out = mgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, state.shape(), 'c');
            out.assign(state);
        }
        return out;
    }

    /**
     * A per-time-step mask {@code [mb, tLen]} as floats, row-major (example by example), after checking its shape;
     * {@code layer} names the layer in the message.
     */
    static float[] mask(INDArray maskArray, long mb, long tLen, String layer) {
        Preconditions.checkState(maskArray.rank() == 2 && maskArray.size(0) == mb && maskArray.size(1) == tLen,
                "%s: per-time-step mask of shape [minibatch, timeSteps] = [%s, %s] expected, got %ndShape", layer, mb,
                tLen, maskArray);
        return maskArray.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    /** An array's buffer as floats, index 0 = the array's first element (ND4J keeps a view's offset in its buffer). */
    public static FloatBuffer floats(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("float array expected, got " + a.dataType());
        }
        return a.data().asNioFloat().slice();
    }

    /** Copies {@code len} floats from {@code src} at element {@code srcOff} into {@code dst} at {@code dstOff}. */
    static void get(FloatBuffer src, long srcOff, float[] dst, int dstOff, int len) {
        src.get(Math.toIntExact(srcOff), dst, dstOff, len);
    }

    /** Copies {@code len} floats from {@code src} at {@code srcOff} into {@code dst} at element {@code dstOff}. */
    static void put(float[] src, int srcOff, FloatBuffer dst, long dstOff, int len) {
        dst.put(Math.toIntExact(dstOff), src, srcOff, len);
    }
}

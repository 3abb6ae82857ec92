package reviewnet.nn.layers;

import reviewnet.nn.recurrent.FloatKernels;

import java.util.SplittableRandom;
import java.nio.FloatBuffer;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Inverted dropout (DL4J's {@code Dropout} semantics: each activation kept with probability {@code retain} and scaled
 * by 1/retain) whose mask is a function of the run, not of the thread that draws it: it comes from a
 * {@link SplittableRandom} seeded by the network's seed, the epoch, the iteration and a hash of the activations it is
 * applied to (so every minibatch, and every worker's minibatch, gets its own mask). DL4J's {@code Dropout} draws
 * from ND4J's per-thread native RNG, whose state on the parameter-averaging workers depends on which Spark thread ran
 * what before: the same seed gave different networks.
 */
public final class SeededDropout implements IDropout {
    private static final long serialVersionUID = 1L;
    private static final long SEED_HASH = 0x9E3779B97F4A7C15L;

    // in the network's JSON (model.zip, checkpoints): DL4J's mapper sees annotated or bean-named fields only
    @JsonProperty("retain")
    private double retain;
    @JsonProperty("seed")
    private long seed;
    private transient INDArray mask;

    /** For JSON deserialization. */
    private SeededDropout() {
    }

    /** {@code retain}: the probability to keep an activation (DL4J's convention); {@code seed}: the network's. */
    public SeededDropout(double retain, long seed) {
        if (!(retain > 0 && retain <= 1)) {
            throw new IllegalArgumentException("retain probability must be in (0, 1], got " + retain);
        }
        this.retain = retain;
        this.seed = seed;
    }

    public double retain() {
        return retain;
    }

    @Override
    public INDArray applyDropout(INDArray input, INDArray result, int iteration, int epoch,
                                 LayerWorkspaceMgr workspaceMgr) {
        INDArray m = workspaceMgr.createUninitialized(ArrayType.INPUT, input.dataType(), input.shape(), 'c');
        if (floats(input) && floats(m)) {
            // read in place: the embedding's output reaches this layer as a permuted view, which ND4J would copy
            // element by element at several times this cost
            fill(FloatKernels.floats(m), (int) m.length(), hash(input), iteration, epoch);
        } else {
            float[] values = input.castTo(DataType.FLOAT).dup('c').data().asFloat();
            m.assign(Nd4j.create(mask(values, iteration, epoch), input.shape(), 'c').castTo(input.dataType()));
        }
        mask = m;
        return multiply(input, m, result);
    }

    /**
     * {@code out = x * mask} elementwise, {@code mask} 'c' ordered; float arrays on their native buffers in their own
     * layouts (a strided ND4J MulOp costs several times more), others by ND4J.
     */
    private static INDArray multiply(INDArray x, INDArray mask, INDArray out) {
        if (floats(x) && floats(out) && floats(mask)) {
            FloatBuffer in = FloatKernels.floats(x);
            FloatBuffer to = FloatKernels.floats(out);
            FloatBuffer keep = FloatKernels.floats(mask);
            int i = 0;
            for (Walk w = new Walk(x, out); w.more; w.next()) {
                for (int j = 0, a = w.a, b = w.b; j < w.inner; j++, a += w.strideA, b += w.strideB, i++) {
                    to.put(b, in.get(a) * keep.get(i));
                }
            }
        } else {
            Nd4j.getExecutioner().exec(new MulOp(x, mask, out));
        }
        return out;
    }

    /**
     * The mask of these activations (their float values in 'c' order): 1/retain where kept, 0 where dropped. The
     * reference of the in-place path above, which must give the same mask.
     */
    float[] mask(float[] values, int iteration, int epoch) {
        long h = SEED_HASH;
        for (float v : values) {
            h = 31 * h + Float.floatToIntBits(v);
        }
        float[] keep = new float[values.length];
        fill(FloatBuffer.wrap(keep), keep.length, h, iteration, epoch);
        return keep;
    }

    /** keep[0, n) = the mask: 1/retain where kept, 0 where dropped, drawn for these activations. */
    private void fill(FloatBuffer keep, int n, long activationsHash, int iteration, int epoch) {
        SplittableRandom random = new SplittableRandom(mix(mix(mix(seed) ^ epoch) ^ iteration) ^ activationsHash);
        float scale = (float) (1.0 / retain);
        for (int i = 0; i < n; i++) {
            keep.put(i, random.nextDouble() < retain ? scale : 0f);
        }
    }

    /** The hash of {@link #mask(float[], int, int)}, over the activations read in place in logical 'c' order. */
    private static long hash(INDArray a) {
        FloatBuffer in = FloatKernels.floats(a);
        long h = SEED_HASH;
        for (Walk w = new Walk(a, a); w.more; w.next()) {
            for (int j = 0, k = w.a; j < w.inner; j++, k += w.strideA) {
                h = 31 * h + Float.floatToIntBits(in.get(k));
            }
        }
        return h;
    }

    private static boolean floats(INDArray a) {
        return a.dataType() == DataType.FLOAT && a.length() < Integer.MAX_VALUE;
    }

    /**
     * Two arrays of one shape in logical 'c' order, a row (the last dimension) at a time: {@link #a} and {@link #b}
     * are the buffer offsets of the row's first element in each, {@link #inner} its length and the strides step
     * along it (an odometer over the leading dimensions).
     */
    private static final class Walk {
        final long[] shape, stridesA, stridesB, at;
        final int inner, strideA, strideB;
        int a, b;
        boolean more;

        Walk(INDArray x, INDArray y) {
            shape = x.shape();
            stridesA = x.stride();
            stridesB = y.stride();
            int rank = shape.length;
            inner = rank == 0 ? 1 : (int) shape[rank - 1];
            strideA = rank == 0 ? 0 : (int) stridesA[rank - 1];
            strideB = rank == 0 ? 0 : (int) stridesB[rank - 1];
            at = new long[Math.max(0, rank - 1)];
            more = x.length() > 0;
        }

        void next() {
            int d = at.length - 1;
            while (d >= 0 && ++at[d] == shape[d]) {
                a -= (int) ((shape[d] - 1) * stridesA[d]);
                b -= (int) ((shape[d] - 1) * stridesB[d]);
                at[d] = 0;
                d--;
            }
            if (d < 0) {
                more = false;
            } else {
                a += (int) stridesA[d];
                b += (int) stridesB[d];
            }
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        if (mask == null) {
            throw new IllegalStateException("backprop without a forward pass in training mode");
        }
        multiply(gradAtOutput, mask, gradAtInput);
        mask = null;
        return gradAtInput;
    }

    @Override
    public void clear() {
        mask = null;
    }

    @Override
    public SeededDropout clone() {
        return new SeededDropout(retain, seed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeededDropout d && d.retain == retain && d.seed == seed;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(retain) * 31 + Long.hashCode(seed);
    }
}

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
 * applied to (so every minibatch, and every worker's minibatch, gets its own mask).
 *
 * <p>DL4J's {@code Dropout} draws its mask from ND4J's per-thread native RNG. On the parameter-averaging workers
 * (DL4J 1.0.0-M2) that RNG is created with the clock as seed, is not reseeded when a worker builds its network, and
 * carries its state across the tasks that Spark's pooled threads run in any order: the same seed gave different
 * masks, and simple-rnn on full IMDB, seed 42, gave test accuracy 0.7840, 0.7916 or 0.8222 from run to run (with
 * dropout 0, three runs gave 0.8156 each). Reseeding that RNG at the start of every round was not enough.
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
            SplittableRandom random = random(hash(input), iteration, epoch);
            float scale = (float) (1.0 / retain);
            FloatBuffer keep = FloatKernels.floats(m);
            for (int i = 0, n = (int) m.length(); i < n; i++) {
                keep.put(i, random.nextDouble() < retain ? scale : 0f);
            }
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
            for (Walk w = new Walk(x, out); w.hasNext(); w.next()) {
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
        SplittableRandom random = random(h, iteration, epoch);
        float scale = (float) (1.0 / retain);
        float[] keep = new float[values.length];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = random.nextDouble() < retain ? scale : 0f;
        }
        return keep;
    }

    private SplittableRandom random(long activationsHash, int iteration, int epoch) {
        return new SplittableRandom(mix(mix(mix(seed) ^ epoch) ^ iteration) ^ activationsHash);
    }

    /** The hash of {@link #mask(float[], int, int)}, over the activations read in place in logical 'c' order. */
    private static long hash(INDArray a) {
        FloatBuffer in = FloatKernels.floats(a);
        long h = SEED_HASH;
        for (Walk w = new Walk(a, a); w.hasNext(); w.next()) {
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
        final long[] shape;
        final long[] stridesA;
        final long[] stridesB;
        final long[] at;
        final int inner;
        final int strideA;
        final int strideB;
        int a;
        int b;
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

        boolean hasNext() {
            return more;
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

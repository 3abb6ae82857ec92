package reviewnet.nn.layers;

import java.util.SplittableRandom;
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
        float[] values = input.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] keep = mask(values, iteration, epoch);
        INDArray m = workspaceMgr.createUninitialized(ArrayType.INPUT, input.dataType(), input.shape(), 'c');
        m.assign(Nd4j.create(keep, input.shape(), 'c').castTo(input.dataType()));
        mask = m;
        Nd4j.getExecutioner().exec(new MulOp(input, m, result));
        return result;
    }

    /** The mask of these activations: 1/retain where kept, 0 where dropped. */
    float[] mask(float[] values, int iteration, int epoch) {
        long h = 0x9E3779B97F4A7C15L;
        for (float v : values) {
            h = 31 * h + Float.floatToIntBits(v);
        }
        SplittableRandom random = new SplittableRandom(mix(mix(mix(seed) ^ epoch) ^ iteration) ^ h);
        float scale = (float) (1.0 / retain);
        float[] keep = new float[values.length];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = random.nextDouble() < retain ? scale : 0f;
        }
        return keep;
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
        Nd4j.getExecutioner().exec(new MulOp(gradAtOutput, mask, gradAtInput));
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

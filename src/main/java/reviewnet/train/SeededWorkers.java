package reviewnet.train;

import java.lang.ref.WeakReference;
import org.apache.spark.TaskContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Makes the workers' random numbers (dropout masks) a function of the run's seed and the data, not of the clock or of
 * which pooled Spark thread runs which task.
 *
 * <p>DL4J M2's worker rebuilds its network every averaging round with {@code init(params, false)}, which does not seed
 * {@link Nd4j#getRandom()}; that RNG is one per thread, created with {@code System.currentTimeMillis()} as its seed,
 * and Spark reuses task threads in any order. So two runs with the same seed drew different dropout masks. This hook
 * runs before every minibatch a worker fits; the first time it sees a worker's network (once per task and round) it
 * seeds the thread's RNG from the seed, the epoch, the task's partition and a hash of the round's first minibatch
 * (which differs from round to round but not from run to run); the round's later minibatches continue that stream.
 */
final class SeededWorkers implements TrainingHook {
    private static final long serialVersionUID = 1L;
    private static final ThreadLocal<WeakReference<Model>> SEEN = new ThreadLocal<>();

    private final long seed;
    private final int epoch;

    SeededWorkers(long seed, int epoch) {
        this.seed = seed;
        this.epoch = epoch;
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        WeakReference<Model> seen = SEEN.get();
        if (seen != null && seen.get() == model) {
            return;
        }
        SEEN.set(new WeakReference<>(model));
        TaskContext task = TaskContext.get();
        int partition = task == null ? 0 : task.partitionId();
        Nd4j.getRandom().setSeed(streamSeed(seed, epoch, partition, hash(minibatch.getFeatures())));
    }

    /** The seed of one worker's stream (SplitMix64's finalizer over the parts). */
    static long streamSeed(long seed, int epoch, int partition, long dataHash) {
        long h = mix(seed);
        h = mix(h ^ epoch);
        h = mix(h ^ partition);
        return mix(h ^ dataHash);
    }

    /** A hash of an array's values (bit patterns of its float values, in order). */
    static long hash(INDArray array) {
        float[] values = array.castTo(DataType.FLOAT).ravel().toFloatVector();
        long h = 1125899906842597L;
        for (float v : values) {
            h = 31 * h + Float.floatToIntBits(v);
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }
}

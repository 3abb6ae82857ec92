package reviewnet.eval;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;

/**
 * The metrics of an evaluated split whose (probability, label) pairs the executors hold in {@link Scores} blocks, with
 * driver memory bounded whatever the split's size.
 *
 * <p>Up to {@link #DRIVER_LIMIT} reviews the pairs come to the driver (8 bytes a review) and {@link Metrics#of}
 * computes everything, as it always did. Above it, nothing per review reaches the driver: each block computes DL4J's
 * {@code Evaluation} (confusion counts at threshold 0.5) and {@link BinaryCrossEntropy} on its executor, and the driver
 * merges one small pair per block; the exact ROC AUC, the rank statistic of {@link Metrics#rankAuc}, comes from a
 * distributed sort of the distinct probabilities with
 * their negative and positive counts, one total per sorted partition to the driver, then one pass that counts, for
 * every positive, the negatives ranked below it. The two ways give the same metrics ({@code SplitMetricsTest}).
 */
public final class SplitMetrics {
    /** Pairs brought to the driver at most: 4,000,000 reviews, 32 MB of floats. */
    public static final long DRIVER_LIMIT = 4_000_000L;

    private SplitMetrics() {
    }

    public static Metrics of(JavaRDD<Scores> blocks, long startedNanos) {
        return of(blocks, startedNanos, DRIVER_LIMIT);
    }

    static Metrics of(JavaRDD<Scores> blocks, long startedNanos, long driverLimit) {
        // blocks the caller persisted (to write the predictions too) stay persisted
        boolean mine = blocks.getStorageLevel().equals(StorageLevel.NONE());
        JavaRDD<Scores> held = mine ? blocks.persist(StorageLevel.MEMORY_AND_DISK()) : blocks;
        try {
            long n = held.map(s -> (long) s.size()).fold(0L, Long::sum);
            if (n == 0) {
                throw new IllegalArgumentException("the split has no reviews to evaluate");
            }
            return n <= driverLimit ? onDriver(held.collect(), n, startedNanos) : onExecutors(held, startedNanos);
        } finally {
            if (mine) {
                held.unpersist(false);
            }
        }
    }

    private static Metrics onDriver(List<Scores> blocks, long n, long startedNanos) {
        float[] p = new float[Math.toIntExact(n)];
        float[] y = new float[p.length];
        int at = 0;
        for (Scores s : blocks) {
            System.arraycopy(s.probabilities, 0, p, at, s.size());
            System.arraycopy(s.labels, 0, y, at, s.size());
            at += s.size();
        }
        return Metrics.of(p, y, seconds(startedNanos));
    }

    private static Metrics onExecutors(JavaRDD<Scores> blocks, long startedNanos) {
        Tuple2<Evaluation, BinaryCrossEntropy> totals = blocks.filter(s -> s.size() > 0)
                .map(SplitMetrics::evaluations).collect().stream()
                .map(SplitMetrics::<Tuple2<Evaluation, BinaryCrossEntropy>>deserialize)
                .reduce((a, b) -> {
                    a._1().merge(b._1());
                    a._2().merge(b._2());
                    return a;
                }).orElseThrow();
        Evaluation eval = totals._1();
        long tp = eval.truePositives().get(1);
        long fp = eval.falsePositives().get(1);
        long tn = eval.trueNegatives().get(1);
        long fn = eval.falseNegatives().get(1);
        double auc = rankAuc(blocks, tp + fn, tn + fp);
        return new Metrics(tp + fp + tn + fn, totals._2().mean(), eval.accuracy(), eval.precision(1), eval.recall(1),
                eval.f1(1), auc, tp, fp, tn, fn, seconds(startedNanos));
    }

    /** DL4J's own evaluations of one block, Java-serialized (they are not made for Kryo). */
    private static byte[] evaluations(Scores s) {
        INDArray p = Nd4j.createFromArray(s.probabilities).reshape(s.size(), 1);
        INDArray y = Nd4j.createFromArray(s.labels).reshape(s.size(), 1);
        Evaluation eval = new Evaluation();
        eval.eval(y, p);
        BinaryCrossEntropy loss = new BinaryCrossEntropy();
        loss.eval(y, p);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new Tuple2<>(eval, loss));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static <T> T deserialize(byte[] bytes) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (T) in.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * P(score of a positive > score of a negative) + ½ P(equal): the distinct probabilities, sorted across the
     * executors with {negatives, positives} counts; the driver gets one total per sorted partition.
     */
    static double rankAuc(JavaRDD<Scores> blocks, long positives, long negatives) {
        if (positives == 0 || negatives == 0) {
            return Double.NaN;     // undefined with one class, as Metrics.rankAuc
        }
        JavaPairRDD<Float, long[]> sorted = blocks.flatMapToPair(SplitMetrics::counts)
                .reduceByKey((a, b) -> new long[] {a[0] + b[0], a[1] + b[1]})
                .sortByKey(true, Math.max(1, blocks.getNumPartitions()));
        sorted.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            List<long[]> perPartition = sorted.mapPartitions(SplitMetrics::partitionTotal).collect();
            // negatives in every sorted partition before partition i
            long[] negativesBefore = new long[perPartition.size()];
            long seen = 0;
            for (int i = 0; i < perPartition.size(); i++) {
                negativesBefore[i] = seen;
                seen += perPartition.get(i)[0];
            }
            Broadcast<long[]> before = JavaSparkContext.fromSparkContext(blocks.context()).broadcast(negativesBefore);
            try {
                // twice the pair count, so that ties stay integral: 2·pos·(negatives below) + pos·(negatives equal)
                long twice = sorted.mapPartitionsWithIndex((index, rows) -> {
                    long below = before.value()[index];
                    long sum = 0;
                    while (rows.hasNext()) {
                        long[] c = rows.next()._2();
                        sum += c[1] * (2 * below + c[0]);
                        below += c[0];
                    }
                    return List.of(sum).iterator();
                }, true).fold(0L, Long::sum);
                return twice / (2.0 * positives * negatives);
            } finally {
                before.destroy();
            }
        } finally {
            sorted.unpersist(false);
        }
    }

    /** One block's distinct probabilities with their {negatives, positives} counts. */
    private static Iterator<Tuple2<Float, long[]>> counts(Scores s) {
        java.util.Map<Float, long[]> byScore = new java.util.HashMap<>();
        for (int i = 0; i < s.size(); i++) {
            byScore.computeIfAbsent(s.probabilities[i], k -> new long[2])[s.labels[i] > 0.5f ? 1 : 0]++;
        }
        List<Tuple2<Float, long[]>> out = new ArrayList<>(byScore.size());
        byScore.forEach((score, c) -> out.add(new Tuple2<>(score, c)));
        return out.iterator();
    }

    private static Iterator<long[]> partitionTotal(Iterator<Tuple2<Float, long[]>> rows) {
        long[] total = new long[2];
        while (rows.hasNext()) {
            long[] c = rows.next()._2();
            total[0] += c[0];
            total[1] += c[1];
        }
        return List.of(total).iterator();
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}

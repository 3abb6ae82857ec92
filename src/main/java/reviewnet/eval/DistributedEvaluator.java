package reviewnet.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.ROC;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Evaluates a trained network on the executors in one pass: accuracy, precision, recall, F1, confusion counts
 * (threshold 0.5 on the sigmoid output), exact ROC AUC and the mean binary cross-entropy.
 *
 * <p>Each partition builds the network once from the broadcast configuration and parameters, runs forward passes of
 * at most {@code batchSize} reviews and sends back only its probabilities and labels (8 bytes per review); the metrics
 * are then computed once on the driver ({@link Metrics#of}).
 * This replaces DL4J's {@code SparkDl4jMultiLayer.doEvaluation}, whose per-JVM evaluation threads, re-batching
 * iterator and per-batch metric updates cost 1–3 s per evaluation of 25,000 reviews on top of the forward passes
 * (measured with {@code submit-scripts/profile-minibatch.sh} against the bench's {@code eval_seconds}).
 */
public final class DistributedEvaluator {
    private DistributedEvaluator() {
    }

    public static Metrics evaluate(MultiLayerNetwork network, JavaRDD<DataSet> test, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("evaluation batch size must be positive, got " + batchSize);
        }
        long started = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(test.context());
        Broadcast<String> conf = jsc.broadcast(network.getLayerWiseConfigurations().toJson());
        Broadcast<INDArray> params = jsc.broadcast(network.params().dup());
        List<Scores> parts;
        try {
            parts = test.mapPartitions(new ScorePartition(conf, params, batchSize)).collect();
        } finally {
            conf.destroy();
            params.destroy();
        }
        int n = 0;
        for (Scores s : parts) {
            n += s.probabilities.length;
        }
        if (n == 0) {
            throw new IllegalArgumentException("the test split has no reviews to evaluate");
        }
        float[] p = new float[n];
        float[] y = new float[n];
        int at = 0;
        for (Scores s : parts) {
            System.arraycopy(s.probabilities, 0, p, at, s.probabilities.length);
            System.arraycopy(s.labels, 0, y, at, s.labels.length);
            at += s.probabilities.length;
        }
        return Metrics.of(p, y, (System.nanoTime() - started) / 1e9);
    }

    /** One partition's sigmoid outputs and labels, in the same order (a class, not a record: Spark's Kryo 4 cannot
     *  write records). */
    static final class Scores implements Serializable {
        private static final long serialVersionUID = 1L;
        final float[] probabilities;
        final float[] labels;

        Scores(float[] probabilities, float[] labels) {
            this.probabilities = probabilities;
            this.labels = labels;
        }
    }

    /** Builds the network once per partition and scores its minibatches in forward passes of at most batchSize. */
    private record ScorePartition(Broadcast<String> conf, Broadcast<INDArray> params, int batchSize)
            implements FlatMapFunction<Iterator<DataSet>, Scores> {
        @Override
        public Iterator<Scores> call(Iterator<DataSet> minibatches) {
            if (!minibatches.hasNext()) {
                return List.<Scores>of().iterator();
            }
            MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(conf.value()));
            net.init(params.value(), false);    // read-only: forward passes do not write the parameters
            List<float[]> probabilities = new ArrayList<>();
            List<float[]> labels = new ArrayList<>();
            int count = 0;
            while (minibatches.hasNext()) {
                DataSet ds = minibatches.next();
                long rows = ds.getFeatures().size(0);
                for (long from = 0; from < rows; from += batchSize) {
                    long to = Math.min(rows, from + batchSize);
                    boolean whole = from == 0 && to == rows;
                    INDArray x = whole ? ds.getFeatures() : ds.getFeatures().get(NDArrayIndex.interval(from, to));
                    INDArray label = whole ? ds.getLabels() : ds.getLabels().get(NDArrayIndex.interval(from, to));
                    INDArray out = net.output(x, false);
                    if (out.size(1) != 1 || label.size(1) != 1) {
                        throw new IllegalStateException("expected one sigmoid output and one label per review, got "
                                + "outputs " + java.util.Arrays.toString(out.shape()) + " and labels "
                                + java.util.Arrays.toString(label.shape()));
                    }
                    probabilities.add(out.castTo(DataType.FLOAT).reshape(to - from).toFloatVector());
                    labels.add(label.castTo(DataType.FLOAT).reshape(to - from).toFloatVector());
                    count += (int) (to - from);
                }
            }
            return List.of(new Scores(concat(probabilities, count), concat(labels, count))).iterator();
        }

        private static float[] concat(List<float[]> parts, int count) {
            float[] all = new float[count];
            int at = 0;
            for (float[] part : parts) {
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
            }
            return all;
        }
    }
}

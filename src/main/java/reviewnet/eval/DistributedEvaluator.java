package reviewnet.eval;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.nn.recurrent.FoldedInference;
import reviewnet.train.DataSets;

/**
 * Evaluates a trained network on the executors in one pass: accuracy, precision, recall, F1, confusion counts
 * (threshold 0.5 on the sigmoid output), exact ROC AUC and the mean binary cross-entropy.
 *
 * <p>Each partition builds the network once from the broadcast configuration and parameters, runs forward passes of
 * at most {@code batchSize} reviews and keeps only its probabilities and labels (8 bytes per review) as one
 * {@link Scores} block; {@link SplitMetrics} computes the metrics from the blocks (on the driver, {@link Metrics#of},
 * up to {@link SplitMetrics#DRIVER_LIMIT} reviews; on the executors beyond).
 * This replaces DL4J's {@code SparkDl4jMultiLayer.doEvaluation}, whose per-JVM evaluation threads, re-batching
 * iterator and per-batch metric updates cost 1–3 s per evaluation of 25,000 reviews on top of the forward passes
 * (measured with {@code submit-scripts/profile-minibatch.sh} against the bench's {@code eval_seconds}).
 */
public final class DistributedEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(DistributedEvaluator.class);
    private DistributedEvaluator() {
    }

    public static Metrics evaluate(MultiLayerNetwork network, JavaRDD<DataSet> test, int batchSize) {
        try (Evaluated evaluated = evaluated(network, test, batchSize)) {
            return evaluated.metrics();
        }
    }

    /**
     * Evaluates like {@link #evaluate} and keeps the scored blocks (with the review ids the minibatches carry) for the
     * per-review predictions; the caller closes the result.
     */
    public static Evaluated evaluated(MultiLayerNetwork network, JavaRDD<DataSet> test, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("evaluation batch size must be positive, got " + batchSize);
        }
        long started = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(test.context());
        Broadcast<String> conf = jsc.broadcast(network.getLayerWiseConfigurations().toJson());
        Broadcast<INDArray> params = jsc.broadcast(network.params().dup());
        return Evaluated.of(test.mapPartitions(new ScorePartition(conf, params, batchSize)), started, () -> {
            conf.destroy();
            params.destroy();
        });
    }

    /** Builds the network once per partition and scores its minibatches in forward passes of at most batchSize. */
    private record ScorePartition(Broadcast<String> conf, Broadcast<INDArray> params, int batchSize)
            implements FlatMapFunction<Iterator<DataSet>, Scores> {
        @Override
        public Iterator<Scores> call(Iterator<DataSet> minibatches) {
            if (!minibatches.hasNext()) {
                return List.<Scores>of().iterator();
            }
            long started = System.nanoTime();
            MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(conf.value()));
            net.init(params.value(), false);    // read-only: forward passes do not write the parameters
            UnaryOperator<INDArray> inference = FoldedInference.inference(net);   // lstm, gru: folded embedding
            long built = System.nanoTime();
            long firstPass = -1;
            List<float[]> probabilities = new ArrayList<>();
            List<float[]> labels = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            boolean withIds = true;
            int count = 0;
            while (minibatches.hasNext()) {
                DataSet ds = minibatches.next();
                long rows = ds.getFeatures().size(0);
                String[] batchIds = DataSets.ids(ds);
                if (batchIds == null) {
                    withIds = false;
                } else {
                    ids.addAll(java.util.Arrays.asList(batchIds));
                }
                for (long from = 0; from < rows; from += batchSize) {
                    long to = Math.min(rows, from + batchSize);
                    boolean whole = from == 0 && to == rows;
                    INDArray x = whole ? ds.getFeatures() : ds.getFeatures().get(NDArrayIndex.interval(from, to));
                    INDArray label = whole ? ds.getLabels() : ds.getLabels().get(NDArrayIndex.interval(from, to));
                    long before = System.nanoTime();
                    INDArray out = inference.apply(x);
                    if (firstPass < 0) {
                        firstPass = System.nanoTime() - before;
                    }
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
            LOG.info("scored {} reviews in {} s (network set-up {} s, first forward pass {} s)", count,
                    seconds(System.nanoTime() - started), seconds(built - started), seconds(firstPass));
            return List.of(new Scores(concat(probabilities, count), concat(labels, count),
                    withIds ? ids.toArray(new String[0]) : null)).iterator();
        }

        private static String seconds(long nanos) {
            return String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e9);
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

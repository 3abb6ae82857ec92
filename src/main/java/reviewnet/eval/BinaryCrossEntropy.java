package reviewnet.eval;

import java.io.Serializable;
import java.util.List;
import org.nd4j.evaluation.BaseEvaluation;
import org.nd4j.evaluation.IMetric;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Mean binary cross-entropy of a single sigmoid output, as a DL4J evaluation, so that the test loss is computed in
 * the same distributed pass as accuracy and AUC. Probabilities are clipped to [1e-5, 1 - 1e-5], as DL4J's
 * {@code LossBinaryXENT} does, so the value equals the network's score.
 */
public final class BinaryCrossEntropy extends BaseEvaluation<BinaryCrossEntropy> {
    static final double CLIP = 1e-5;

    private double sum;
    private long count;

    /** The single metric of this evaluation. */
    public enum Metric implements IMetric {
        MEAN_LOSS;

        @Override
        public Class<? extends org.nd4j.evaluation.IEvaluation> getEvaluationClass() {
            return BinaryCrossEntropy.class;
        }

        @Override
        public boolean minimize() {
            return true;
        }
    }

    @Override
    public void eval(INDArray labels, INDArray predictions, INDArray mask, List<? extends Serializable> metadata) {
        if (mask != null) {
            throw new UnsupportedOperationException("masked evaluation is not needed for fixed-length reviews");
        }
        if (labels.size(1) != 1 || predictions.size(1) != 1) {
            throw new IllegalArgumentException("expected one sigmoid output per example, got labels "
                    + java.util.Arrays.toString(labels.shape()) + " and predictions "
                    + java.util.Arrays.toString(predictions.shape()));
        }
        INDArray y = labels.castTo(DataType.DOUBLE);
        INDArray p = Transforms.max(Transforms.min(predictions.castTo(DataType.DOUBLE), 1 - CLIP, true), CLIP, false);
        INDArray loss = y.mul(Transforms.log(p, true)).addi(y.rsub(1.0).muli(Transforms.log(p.rsub(1.0), false)));
        sum -= loss.sumNumber().doubleValue();
        count += labels.size(0);
    }

    @Override
    public void merge(BinaryCrossEntropy other) {
        sum += other.sum;
        count += other.count;
    }

    @Override
    public void reset() {
        sum = 0;
        count = 0;
    }

    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    public long count() {
        return count;
    }

    @Override
    public String stats() {
        return "binary cross-entropy " + mean() + " over " + count + " examples";
    }

    @Override
    public double getValue(IMetric metric) {
        if (metric != Metric.MEAN_LOSS) {
            throw new IllegalArgumentException("unknown metric " + metric);
        }
        return mean();
    }

    @Override
    public BinaryCrossEntropy newInstance() {
        return new BinaryCrossEntropy();
    }
}

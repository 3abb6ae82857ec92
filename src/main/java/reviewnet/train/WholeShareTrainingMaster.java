package reviewnet.train;

import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;

/**
 * DL4J's parameter averaging, except that every worker fits its whole share of a round.
 * <p>
 * DL4J 1.0.0-M2 cuts an epoch's N minibatches into floor(N / (workers × averagingFrequency)) rounds
 * ({@code SparkUtils.balancedRandomSplit}), so a round usually holds a few more than workers × averagingFrequency, and
 * then gives each worker a {@code WorkerConfiguration} whose {@code maxBatchesPerWorker} is averagingFrequency: the
 * minibatches beyond it are skipped without a word (at worst half an epoch: 175 minibatches with two workers at
 * frequency 44 make one round of which each worker fits 44). Here the workers get no limit (0), so every minibatch is
 * fitted once per epoch; a round is then averagingFrequency minibatches per worker or a few more.
 */
final class WholeShareTrainingMaster extends ParameterAveragingTrainingMaster {

    WholeShareTrainingMaster(Builder builder) {
        super(builder);
    }

    @Override
    public ParameterAveragingTrainingWorker getWorkerInstance(SparkDl4jMultiLayer network) {
        NetBroadcastTuple tuple = new NetBroadcastTuple(network.getNetwork().getLayerWiseConfigurations(),
                network.getNetwork().params(), network.getNetwork().getUpdater().getStateViewArray());
        if (collectTrainingStats) {
            stats.logBroadcastStart();
        }
        Broadcast<NetBroadcastTuple> broadcast = network.getSparkContext().broadcast(tuple);
        if (collectTrainingStats) {
            stats.logBroadcastEnd();
        }
        WorkerConfiguration unlimited = new WorkerConfiguration(false, rddDataSetNumExamples, batchSizePerWorker, 0,
                prefetchNumBatches, collectTrainingStats);
        return new ParameterAveragingTrainingWorker(broadcast, saveUpdater, unlimited, trainingHookList, listeners,
                getRouterProvider());
    }
}

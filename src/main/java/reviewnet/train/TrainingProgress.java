package reviewnet.train;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs training progress at INFO, once per averaging round: DL4J's parameter averaging runs each round as one Spark
 * job of the training job group, ending in a {@code treeAggregate} of the workers' parameters (the other jobs of the
 * group export and repartition the minibatches).
 */
public final class TrainingProgress extends SparkListener {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingProgress.class);

    static final String ROUND_STAGE = "treeAggregate at ParameterAveragingTrainingMaster";

    private final String jobGroup;
    private final String label;
    private final long examplesPerRound;
    private final long totalExamples;
    private final long started = System.nanoTime();
    private final Map<Integer, Boolean> ours = new ConcurrentHashMap<>();
    private final AtomicInteger finished = new AtomicInteger();

    public TrainingProgress(String jobGroup, String label, long examplesPerRound, long totalExamples) {
        this.jobGroup = jobGroup;
        this.label = label;
        this.examplesPerRound = examplesPerRound;
        this.totalExamples = totalExamples;
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        if (jobGroup.equals(start.properties().getProperty("spark.jobGroup.id"))) {
            boolean round = scala.collection.JavaConverters.seqAsJavaList(start.stageInfos()).stream()
                    .anyMatch(stage -> stage.name().startsWith(ROUND_STAGE));
            ours.put(start.jobId(), round);
        }
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd end) {
        Boolean round = ours.remove(end.jobId());
        if (round == null || !round) {
            return;
        }
        long rounds = finished.incrementAndGet();
        double seconds = (System.nanoTime() - started) / 1e9;
        long examples = Math.min(totalExamples, rounds * examplesPerRound);
        LOG.info("{}: averaging round {}/{} done, ~{} examples, {} s elapsed, ~{} examples/s", label, rounds,
                (totalExamples + examplesPerRound - 1) / examplesPerRound, examples, Math.round(seconds),
                seconds > 0 ? Math.round(examples / seconds) : 0);
    }
}

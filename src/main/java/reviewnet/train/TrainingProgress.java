package reviewnet.train;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of one architecture's epoch, counted in averaging rounds: DL4J's parameter averaging runs each round as
 * one Spark job of the training job group, ending in a {@code treeAggregate} of the workers' parameters (the other
 * jobs of the group export and repartition the minibatches).
 *
 * <p>On an interactive console ({@link System#console()}) a progress bar (examples done, examples/s, ETA) is drawn on
 * stderr; otherwise (cron, CI, output redirected to a file) a plain INFO line is logged for the first and the last
 * round and at most once per {@code interval} in between. Every round is logged at DEBUG.
 */
public final class TrainingProgress extends SparkListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingProgress.class);

    static final String ROUND_STAGE = "treeAggregate at ParameterAveragingTrainingMaster";

    private final String jobGroup;
    private final String label;
    private final long examplesPerRound;
    private final long totalExamples;
    private final long intervalNanos;
    private final ProgressBar bar;
    private final long started = System.nanoTime();
    private final Map<Integer, Boolean> ours = new ConcurrentHashMap<>();
    private final AtomicInteger finished = new AtomicInteger();
    private volatile long lastLine = Long.MIN_VALUE;

    TrainingProgress(String jobGroup, String label, long examplesPerRound, long totalExamples, Duration interval,
                     boolean interactive) {
        this.jobGroup = jobGroup;
        this.label = label;
        this.examplesPerRound = examplesPerRound;
        this.totalExamples = totalExamples;
        this.intervalNanos = interval.toNanos();
        this.bar = interactive ? new ProgressBarBuilder().setTaskName(label).setInitialMax(totalExamples)
                .setUnit(" reviews", 1).showSpeed().setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build() : null;
    }

    /** A progress display for the console this JVM runs on. */
    public static TrainingProgress forConsole(String jobGroup, String label, long examplesPerRound,
                                              long totalExamples, Duration interval) {
        return new TrainingProgress(jobGroup, label, examplesPerRound, totalExamples, interval,
                System.console() != null);
    }

    long rounds() {
        return (totalExamples + examplesPerRound - 1) / examplesPerRound;
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
        if (round != null && round) {
            roundDone(System.nanoTime());
        }
    }

    /** Records one finished averaging round; returns whether a plain progress line was logged at INFO. */
    boolean roundDone(long now) {
        long rounds = finished.incrementAndGet();
        double seconds = (now - started) / 1e9;
        long examples = Math.min(totalExamples, rounds * examplesPerRound);
        String line = String.format("%s: averaging round %d/%d done, ~%d examples, %d s elapsed, ~%d examples/s",
                label, rounds, rounds(), examples, Math.round(seconds), seconds > 0 ? Math.round(examples / seconds) : 0);
        LOG.debug(line);
        if (bar != null) {
            bar.stepTo(examples);
            return false;
        }
        boolean due = rounds == 1 || rounds >= rounds() || now - lastLine >= intervalNanos;
        if (due) {
            lastLine = now;
            LOG.info(line);
        }
        return due;
    }

    /**
     * The epoch finished: the bar shows every example (the listener bus may deliver the last round's end after
     * training returned).
     */
    public void done() {
        if (bar != null) {
            bar.stepTo(totalExamples);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}

package reviewnet;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.corpus.CorpusException;
import reviewnet.jobs.Job;

/**
 * Checks before the Spark session starts what would otherwise fail late or slowly:
 * <ul>
 *   <li>the file system of every configured path answers, within seconds: Hadoop's IPC client waits on a NameNode
 *   that accepts connections but does not answer without end (no RPC timeout by default) and retries connection
 *   timeouts 45 times 20 s. The check uses its own copy of the job's Hadoop configuration, with the retries off and
 *   short timeouts, and its own file system instances (not the cached ones the job then uses), so the settings of
 *   the real work are unchanged;</li>
 *   <li>inputs exist (a missing output is created by the job).</li>
 * </ul>
 * Problems are a {@link SparkSessions.ClusterException} or, for a missing input, a {@link CorpusException}, with one
 * line saying what is wrong and what to do; the details go to the log file (this logger writes to the console at
 * WARN only: conf/log4j2.properties).
 */
public final class ClusterPreflight {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterPreflight.class);
    /** Connect and RPC timeouts of the file system checks: a silent NameNode fails the check after this long. */
    static final Duration IPC_TIMEOUT = Duration.ofSeconds(5);
    /** How long one path check (whatever hangs in it) may take at most. */
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private ClusterPreflight() {
    }

    /** Every check that applies to the job's paths. */
    public static void check(SparkConf conf, List<Job.PathSetting> paths) {
        checkPaths(SparkHadoopUtil.get().newConfiguration(conf), paths);
    }

    /**
     * The Hadoop settings of the pre-flight check: {@code conf} (left unchanged) with no connection retries, connect
     * and RPC timeouts of {@code timeout}, and short HA failover sleeps.
     */
    static Configuration bounded(Configuration conf, Duration timeout) {
        Configuration bounded = new Configuration(conf);
        String millis = Long.toString(timeout.toMillis());
        bounded.set("ipc.client.connect.max.retries", "0");
        bounded.set("ipc.client.connect.max.retries.on.timeouts", "0");
        bounded.set("ipc.client.connect.timeout", millis);
        bounded.set("ipc.client.rpc-timeout.ms", millis);
        bounded.set("dfs.client.retry.policy.enabled", "false");
        bounded.set("dfs.client.failover.max.attempts", "2");
        bounded.set("dfs.client.failover.sleep.base.millis", "100");
        bounded.set("dfs.client.failover.sleep.max.millis", "500");
        return bounded;
    }

    /** Each path's file system answers (within {@link #IPC_TIMEOUT}, {@link #TIMEOUT} at most), each input exists. */
    static void checkPaths(Configuration conf, List<Job.PathSetting> paths) {
        Duration timeout = TIMEOUT;
        Configuration bounded = bounded(conf, IPC_TIMEOUT);
        for (Job.PathSetting setting : paths) {
            String where = setting.key() + "=" + setting.path();
            long started = System.nanoTime();
            String missing;
            try {
                missing = within(timeout, "reviewnet-preflight-path", () -> inspect(setting, bounded));
            } catch (TimeoutException e) {
                throw failed(new SparkSessions.ClusterException("no answer from the file system of " + where
                        + " within " + timeout.toSeconds() + " s: is its NameNode (or store) up, and is the address "
                        + "right?"));
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                LOG.info("pre-flight: cannot use the file system of {}", where, cause);
                if (unreachable(cause)) {
                    throw failed(new SparkSessions.ClusterException("cannot reach the file system of " + where + " ("
                            + reason(cause) + "): is its NameNode (or store) up, and are the host and port right?"));
                }
                throw failed(new SparkSessions.ClusterException("cannot use the file system of " + where + ": "
                        + reason(cause)));
            }
            if (missing != null) {
                throw failed(new CorpusException("input path " + missing + " does not exist (" + setting.key()
                        + ")"));
            }
            LOG.info("pre-flight: {} checked in {} ms", where, (System.nanoTime() - started) / 1_000_000);
        }
    }

    /** Contacts the path's file system; for an input, the qualified path when nothing matches it, else null. */
    private static String inspect(Job.PathSetting setting, Configuration conf) throws IOException {
        Path path = new Path(setting.path());
        URI uri = path.toUri();
        try (FileSystem fs = FileSystem.newInstance(uri, conf)) {
            Path qualified = fs.makeQualified(path);
            if (setting.input()) {
                FileStatus[] found = fs.globStatus(qualified); // null or empty: nothing there
                return found == null || found.length == 0 ? qualified.toString() : null;
            }
            fs.exists(qualified);
            return null;
        }
    }

    /** The verdict goes to the log file too (the console gets it from Main). */
    private static RuntimeException failed(RuntimeException verdict) {
        LOG.info("pre-flight failed: {}", verdict.getMessage());
        return verdict;
    }

    /** Connection refused, no route, unknown host, a timeout: the file system is not there to ask. */
    static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SocketException || t instanceof SocketTimeoutException
                    || t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    /** The innermost cause in one line: its class and the first sentence of its message. */
    static String reason(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : root.getMessage().strip();
        int end = message.indexOf(". ");
        message = (end > 0 ? message.substring(0, end) : message).replace('\n', ' ');
        return root.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }

    /** Runs {@code work} on its own daemon thread and waits at most {@code timeout} (a hung call is abandoned). */
    private static <T> T within(Duration timeout, String name, Callable<T> work)
            throws TimeoutException, ExecutionException {
        FutureTask<T> task = new FutureTask<>(work);
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SparkSessions.ClusterException("interrupted while checking the configured paths");
        } catch (TimeoutException e) {
            task.cancel(true);
            throw e;
        }
    }
}

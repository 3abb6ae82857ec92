package reviewnet.spark;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.rpc.RpcEndpointRef;
import org.apache.spark.rpc.RpcEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.corpus.CorpusException;
import reviewnet.jobs.Job;

/**
 * Checks before the Spark session starts what would otherwise fail late, slowly or with a misleading message:
 * <ul>
 *   <li>the file system of every configured path answers, within seconds: Hadoop's IPC client waits on a NameNode
 *   that accepts connections but does not answer without end (no RPC timeout by default) and retries connection
 *   timeouts 45 times 20 s. The check uses its own copy of the job's Hadoop configuration, with the retries off and
 *   short timeouts, and its own file system instances (not the cached ones the job then uses), so the settings of
 *   the real work are unchanged;</li>
 *   <li>inputs exist (a missing output is created by the job);</li>
 *   <li>a standalone master accepts this application's connection: one that requires authentication
 *   ({@code spark.authenticate}) rejects an application without the secret, and Spark then retries its
 *   registration 3 times 20 s, logging a stack trace each time, before it gives up. The probe opens a client-only
 *   RPC environment with the application's own configuration and security manager (so it authenticates exactly as
 *   the SparkContext would) and looks up the master's endpoint; only a rejection it can recognise is reported,
 *   anything else (unreachable, slow, an unexpected answer) is left to Spark.</li>
 * </ul>
 * Problems are a {@link SparkSessions.ClusterException} or, for a missing input, a {@link CorpusException}, with one
 * line saying what is wrong and what to do; the details go to the log file (this logger writes to the console at
 * WARN only: conf/log4j2.properties).
 */
public final class ClusterPreflight {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterPreflight.class);
    /** Connect and RPC timeouts of the file system checks: a silent NameNode fails the check after this long. */
    static final Duration IPC_TIMEOUT = Duration.ofSeconds(5);
    /** How long one path check (whatever hangs in it) or the master probe may take at most. */
    static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** Spark's standalone Master endpoint name (Master.ENDPOINT_NAME). */
    private static final String MASTER_ENDPOINT = "Master";

    private ClusterPreflight() {
    }

    /** Every check that applies to the job's paths and to the master of {@code conf}. */
    public static void check(SparkConf conf, List<Job.PathSetting> paths) {
        checkPaths(SparkHadoopUtil.get().newConfiguration(conf), paths);
        checkStandaloneMaster(conf, TIMEOUT);
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

    /**
     * On a standalone master ({@code spark://}), looks up the master's endpoint as the application's RPC environment
     * would; fails when the master rejects the connection for want of authentication or of the right secret.
     */
    static void checkStandaloneMaster(SparkConf appConf, Duration timeout) {
        String master = appConf.get("spark.master", "");
        if (!master.startsWith("spark://")) {
            return;
        }
        try {
            probe(appConf, master, timeout);
        } catch (SparkSessions.ClusterException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            // Spark's RPC classes are internal: another Spark version may differ; then Spark connects on its own
            LOG.info("pre-flight: could not probe the Spark master {}", master, e);
        }
    }

    private static void probe(SparkConf appConf, String master, Duration timeout) {
        SparkConf conf = appConf.clone();
        boolean authenticates = conf.getBoolean("spark.authenticate", false);
        SecurityManager security;
        try {
            security = new SecurityManager(conf, SecurityManager.$lessinit$greater$default$2(),
                    org.apache.spark.internal.config.package$.MODULE$.AUTH_SECRET_FILE_DRIVER());
            security.initializeAuth();
        } catch (IllegalArgumentException e) {
            LOG.info("pre-flight: the application's authentication settings are incomplete", e);
            throw failed(new SparkSessions.ClusterException("spark.authenticate is true but the application has no "
                    + "secret (" + e.getMessage() + "): " + HOW_TO_PASS_THE_SECRET));
        }
        long started = System.nanoTime();
        RpcEnv env = RpcEnv.create("reviewnet-preflight", "localhost", 0, conf, security, true);
        try {
            List<scala.concurrent.Future<RpcEndpointRef>> lookups = new ArrayList<>();
            List<String> endpoints = List.of(master.substring("spark://".length()).split(","));
            for (String endpoint : endpoints) {
                lookups.add(env.asyncSetupEndpointRefByURI("spark://" + MASTER_ENDPOINT + "@" + endpoint));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            Throwable rejection = null;
            for (int i = 0; i < lookups.size(); i++) {
                try {
                    long left = Math.max(1, deadline - System.nanoTime());
                    scala.concurrent.Await.result(lookups.get(i),
                            scala.concurrent.duration.Duration.create(left, TimeUnit.NANOSECONDS));
                    LOG.info("pre-flight: the Spark master spark://{} accepts this application's connection ({} ms)",
                            endpoints.get(i), (System.nanoTime() - started) / 1_000_000);
                    return;
                } catch (Exception e) {
                    LOG.info("pre-flight: looking up the Spark master at spark://{} failed", endpoints.get(i), e);
                    if (rejection == null && (authenticationRequired(e) || secretRejected(e))) {
                        rejection = e;
                    }
                }
            }
            if (rejection != null && !authenticates && authenticationRequired(rejection)) {
                throw failed(new SparkSessions.ClusterException("the Spark master " + master + " requires "
                        + "authentication (spark.authenticate) and this application brings no secret: "
                        + HOW_TO_PASS_THE_SECRET));
            }
            if (rejection != null && authenticates && secretRejected(rejection)) {
                throw failed(new SparkSessions.ClusterException("the Spark master " + master + " rejected this "
                        + "application's secret (spark.authenticate.secret): " + HOW_TO_PASS_THE_SECRET));
            }
            LOG.info("pre-flight: no verdict on the Spark master {}: Spark connects on its own", master);
        } finally {
            env.shutdown();
        }
    }

    /** The verdict goes to the log file too (the console gets it from Main). */
    private static RuntimeException failed(RuntimeException verdict) {
        LOG.info("pre-flight failed: {}", verdict.getMessage());
        return verdict;
    }

    private static final String HOW_TO_PASS_THE_SECRET = "pass the cluster's secret with --properties-file FILE "
            + "(spark.authenticate true, spark.authenticate.secret; standalone-cluster.sh writes it to "
            + "spark-auth.conf in its run folder)";

    /**
     * The server asked for authentication and the client sent none: Spark's SASL handler ("Expected SaslMessage,
     * received something else") or its own auth protocol without SASL fallback ("Unknown challenge message").
     */
    static boolean authenticationRequired(Throwable failure) {
        return chainMentions(failure, "Expected SaslMessage") || chainMentions(failure, "Unknown challenge message");
    }

    /** The client authenticated and the server refused its secret (SASL DIGEST-MD5 or Spark's auth protocol). */
    static boolean secretRejected(Throwable failure) {
        return anyCause(failure, t -> t instanceof javax.security.sasl.SaslException)
                || chainMentions(failure, "SaslException") || chainMentions(failure, "Authentication failed.");
    }

    private static boolean chainMentions(Throwable failure, String text) {
        return anyCause(failure, t -> t.getMessage() != null && t.getMessage().contains(text));
    }

    /** {@code failure} or one of its causes passes {@code test}. */
    private static boolean anyCause(Throwable failure, Predicate<Throwable> test) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (test.test(t)) {
                return true;
            }
        }
        return false;
    }

    /** Connection refused, no route, unknown host, a timeout: the file system is not there to ask. */
    static boolean unreachable(Throwable failure) {
        return anyCause(failure, t -> t instanceof SocketException || t instanceof SocketTimeoutException
                || t instanceof UnknownHostException);
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

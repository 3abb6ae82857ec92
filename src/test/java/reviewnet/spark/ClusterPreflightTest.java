package reviewnet.spark;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reviewnet.jobs.Job.PathSetting;
import reviewnet.testing.MainRun;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The pre-flight check of the configured paths against a real HDFS (a MiniDFSCluster under target/), an unreachable
 * NameNode and one that never answers: exit status 2 within seconds, one line naming the setting and the path, before
 * any Spark session starts.
 */
class ClusterPreflightTest {
    static MiniDFSCluster hdfs;
    static String nameNode;
    static ServerSocket silent;

    @BeforeAll
    static void startHdfs() throws Exception {
        File base = Paths.get("target", "minidfs", "preflight").toAbsolutePath().toFile();
        hdfs = new MiniDFSCluster.Builder(new Configuration(), base).numDataNodes(0).build();
        hdfs.waitActive();
        nameNode = "hdfs://localhost:" + hdfs.getNameNodePort();
        FileSystem fs = hdfs.getFileSystem();
        for (String dir : List.of("/corpus/aclImdb/train/pos", "/tables")) {
            fs.mkdirs(new Path(dir));
        }
        // a NameNode address that accepts connections (the kernel's backlog) but never answers
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterAll
    static void stopHdfs() throws Exception {
        if (silent != null) {
            silent.close();
        }
        if (hdfs != null) {
            hdfs.shutdown(true);
        }
    }

    static Stream<Arguments> missingInputs() {
        return Stream.of(
                arguments("reviewnet.input.path", "/no/such/aclImdb", List.of("jobs/prepare.conf")),
                arguments("reviewnet.input.path", "/tables/*.csv", List.of("jobs/compare.conf",
                        "reviewnet.input.format=csv")),
                arguments("reviewnet.predict.input.path", "/no/new-reviews", List.of("jobs/predict.conf")));
    }

    @ParameterizedTest
    @MethodSource("missingInputs")
    void aMissingHdfsInputExitsWithStatusTwoNamingThePath(String key, String path, List<String> job) {
        List<String> args = new java.util.ArrayList<>(job);
        args.addAll(List.of(key + "=" + nameNode + path, "reviewnet.prepared.path=" + nameNode + "/prepared",
                "reviewnet.output.path=" + nameNode + "/output", "reviewnet.retrain.registry=" + nameNode + "/registry",
                "reviewnet.predict.output.path=" + nameNode + "/predictions"));
        MainRun run = MainRun.of(args.toArray(new String[0]));
        assertEquals(2, run.status(), run.printed());
        assertEquals("reviewnet: bad input: input path " + nameNode + path + " does not exist (" + key + ")",
                run.printed().strip());
        assertTrue(run.seconds() < 10, run.seconds() + " s");
        MainRun.assertNoSparkSession();
    }

    @Test
    void existingInputsAndOutputsNotYetWrittenPass() {
        Configuration conf = new Configuration();
        assertDoesNotThrow(() -> ClusterPreflight.checkPaths(conf, List.of(
                PathSetting.input("reviewnet.input.path", nameNode + "/corpus/aclImdb"),
                PathSetting.input("reviewnet.predict.input.path", nameNode + "/corpus/*/train"),
                // the prepared data is read when present and written otherwise: it need not exist, nor its parent
                PathSetting.other("reviewnet.prepared.path", nameNode + "/not/yet/prepared"),
                PathSetting.other("reviewnet.output.path", nameNode + "/output"))));
    }

    @Test
    void anUnreachableNameNodeExitsWithStatusTwoWithinSeconds() {
        MainRun input = MainRun.of("jobs/prepare.conf", "reviewnet.input.path=hdfs://127.0.0.1:1/x");
        assertEquals(2, input.status(), input.printed());
        assertEquals("reviewnet: cluster problem: cannot reach the file system of reviewnet.input.path="
                + "hdfs://127.0.0.1:1/x (ConnectException: Connection refused): is its NameNode (or store) up, and are "
                + "the host and port right?", input.printed().strip());
        assertTrue(input.seconds() < 10, input.seconds() + " s");

        // an output: today's jobs would only notice after training
        MainRun output = MainRun.of("jobs/compare.conf", "reviewnet.input.path=" + nameNode + "/corpus/aclImdb",
                "reviewnet.output.path=hdfs://127.0.0.1:1/out");
        assertEquals(2, output.status(), output.printed());
        assertTrue(output.printed().contains("cannot reach the file system of reviewnet.output.path="
                + "hdfs://127.0.0.1:1/out (ConnectException: Connection refused)"), output.printed());
        assertTrue(output.seconds() < 10, output.seconds() + " s");
        MainRun.assertNoSparkSession();
    }

    @Test
    void aNameNodeThatNeverAnswersExitsWithStatusTwoAfterTheIpcTimeout() {
        String prepared = "hdfs://127.0.0.1:" + silent.getLocalPort() + "/prepared";
        MainRun run = MainRun.of("jobs/prepare.conf", "reviewnet.input.path=" + nameNode + "/corpus/aclImdb",
                "reviewnet.prepared.path=" + prepared);
        assertEquals(2, run.status(), run.printed());
        assertTrue(run.printed().strip().startsWith("reviewnet: cluster problem: cannot reach the file system of "
                + "reviewnet.prepared.path=" + prepared + " (SocketTimeoutException: 5000 millis timeout"), run.printed());
        assertEquals(1, run.printed().strip().lines().count(), run.printed());
        assertTrue(run.seconds() >= 4.5 && run.seconds() < 12, run.seconds() + " s");
        MainRun.assertNoSparkSession();
    }

    @Test
    void theJobsHadoopSettingsAreLeftAlone() throws Exception {
        Configuration conf = new Configuration();
        conf.set("ipc.client.connect.max.retries", "7");
        // an authority no other test uses: FileSystem.get below is not served an instance cached by someone else
        String other = "hdfs://127.0.0.1:" + hdfs.getNameNodePort();
        ClusterPreflight.checkPaths(conf, List.of(PathSetting.input("reviewnet.input.path", other + "/corpus")));
        assertThrows(SparkSessions.ClusterException.class, () -> ClusterPreflight.checkPaths(conf,
                List.of(PathSetting.other("reviewnet.output.path", "hdfs://127.0.0.1:1/out"))));
        assertEquals("7", conf.get("ipc.client.connect.max.retries"));
        assertEquals("0", conf.get("ipc.client.rpc-timeout.ms"));
        // the job's own (cached) file system instance carries the job's settings, not the pre-flight's
        FileSystem jobs = FileSystem.get(URI.create(other), conf);
        assertEquals("7", jobs.getConf().get("ipc.client.connect.max.retries"));
        assertEquals("0", jobs.getConf().get("ipc.client.rpc-timeout.ms"));
        assertFalse(ClusterPreflight.bounded(conf, ClusterPreflight.IPC_TIMEOUT).get("ipc.client.rpc-timeout.ms")
                .equals("0"));
    }

    @Test
    void onlyARecognisedRejectionByTheMasterIsAVerdict() {
        // the answers of a master that requires authentication, as the application's RPC client sees them
        RuntimeException noSecret = new RuntimeException(new IllegalStateException("Expected SaslMessage, received "
                + "something else (maybe your client does not have SASL enabled?)"));
        RuntimeException wrongSecret = new RuntimeException(new RuntimeException(
                new javax.security.sasl.SaslException("DIGEST-MD5: digest response format violation. Mismatched "
                        + "response.")));
        assertTrue(ClusterPreflight.authenticationRequired(noSecret));
        assertTrue(ClusterPreflight.secretRejected(wrongSecret));
        assertFalse(ClusterPreflight.authenticationRequired(wrongSecret));
        RuntimeException refused = new RuntimeException("Failed to connect to /127.0.0.1:1",
                new java.net.ConnectException("Connection refused"));
        assertFalse(ClusterPreflight.authenticationRequired(refused) || ClusterPreflight.secretRejected(refused));

        // no verdict (nothing listens there): left to Spark (and to submit.sh's reachability check), quickly
        SparkConf conf = new SparkConf(false).setMaster("spark://127.0.0.1:1");
        long started = System.nanoTime();
        assertDoesNotThrow(() -> ClusterPreflight.checkStandaloneMaster(conf, ClusterPreflight.TIMEOUT));
        assertTrue((System.nanoTime() - started) / 1e9 < 10);
    }

    @Test
    void authenticationWithoutASecretIsReportedBeforeSparkStarts() {
        SparkConf conf = new SparkConf(false).setMaster("spark://127.0.0.1:1").set("spark.authenticate", "true");
        SparkSessions.ClusterException e = assertThrows(SparkSessions.ClusterException.class,
                () -> ClusterPreflight.checkStandaloneMaster(conf, ClusterPreflight.TIMEOUT));
        assertTrue(e.getMessage().startsWith("spark.authenticate is true but the application has no secret")
                && e.getMessage().contains("--properties-file"), e.getMessage());
    }
}

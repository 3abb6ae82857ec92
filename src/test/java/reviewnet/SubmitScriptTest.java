package reviewnet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What submit.sh refuses before Spark starts. SPARK_HOME is a stub whose spark-submit only records its arguments,
 * so no Spark runtime is needed (and none is started).
 */
class SubmitScriptTest {
    static final Path SUBMIT = Paths.get("submit-scripts", "submit.sh").toAbsolutePath();
    static Path work;
    static Path stubHome;

    @BeforeAll
    static void stubSpark() throws IOException {
        work = Paths.get("target", "submit-script-test").toAbsolutePath();
        stubHome = work.resolve("spark-home");
        Files.createDirectories(stubHome.resolve("bin"));
        Path stub = stubHome.resolve("bin/spark-submit");
        Files.writeString(stub, "#!/usr/bin/env bash\necho \"stub spark-submit $*\" > \"" + work.resolve("called")
                + "\"\necho \"SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-}\" >> \"" + work.resolve("called") + "\"\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    record Outcome(int status, String printed) {
    }

    /** submit.sh with the stub Spark and, in its environment, {@code env} (a null value removes the variable). */
    static Outcome submit(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(SUBMIT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SPARK_HOME", stubHome.toString());
        builder.environment().put("REVIEWNET_LOG_DIR", work.resolve("logs").toString());
        builder.environment().remove("LOG4J_CONFIGURATION_FILE");
        env.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        Files.deleteIfExists(work.resolve("called"));
        Process process = builder.start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), printed);
        return new Outcome(process.exitValue(), printed);
    }

    static Map<String, String> hadoopConf(String hadoop, String yarn) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("HADOOP_CONF_DIR", hadoop);
        env.put("YARN_CONF_DIR", yarn);
        return env;
    }

    @Test
    void yarnWithoutTheHadoopClientConfigurationExitsWithStatusTwo() throws Exception {
        Outcome run = submit(hadoopConf(null, null), "--master", "yarn", "jobs/compare.conf");
        assertEquals(2, run.status(), run.printed());
        assertEquals("reviewnet: --master yarn needs the cluster's Hadoop client configuration: set HADOOP_CONF_DIR "
                + "(or YARN_CONF_DIR) to the folder with its core-site.xml and yarn-site.xml", run.printed().strip());
        assertFalse(Files.exists(work.resolve("called")), "spark-submit was not started");
    }

    @Test
    void yarnWithAConfigurationFolderWithoutYarnSiteExitsWithStatusTwo() throws Exception {
        Path empty = Files.createDirectories(work.resolve("conf-without-yarn-site"));
        Outcome run = submit(hadoopConf(empty.toString(), null), "--master", "yarn", "jobs/compare.conf");
        assertEquals(2, run.status(), run.printed());
        assertEquals("reviewnet: --master yarn: no yarn-site.xml in " + empty + " (HADOOP_CONF_DIR or YARN_CONF_DIR): "
                + "it must be the cluster's Hadoop client configuration folder", run.printed().strip());
    }

    @Test
    void yarnWithYarnConfDirPassesTheCheck() throws Exception {
        Path conf = Files.createDirectories(work.resolve("yarn-conf"));
        Files.writeString(conf.resolve("yarn-site.xml"), "<configuration/>\n");
        Outcome run = submit(hadoopConf(null, conf.toString()), "--master", "yarn", "jobs/compare.conf");
        assertFalse(run.printed().contains("--master yarn"), run.printed());
        assertSparkSubmitStartedWith(run, "--master yarn");
    }

    /** Rows: (SPARK_LOCAL_IP the operator set, or '-') → what the local driver and its UI bind to. */
    @ParameterizedTest(name = "SPARK_LOCAL_IP {0}")
    @CsvSource({"-, 127.0.0.1", "192.0.2.9, 192.0.2.9"})
    void aLocalMasterListensOnLoopbackUnlessTheOperatorSaysOtherwise(String preset, String expected)
            throws Exception {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("SPARK_LOCAL_IP", preset.equals("-") ? null : preset);
        Outcome run = submit(env, "--master", "local[1]", "jobs/compare.conf");
        assertSparkSubmitStartedWith(run, "SPARK_LOCAL_IP=" + expected + "\n");
    }

    /** Rows: (whether the operator set spark.authenticate) → whether submit.sh warns, once, before Spark starts. */
    @ParameterizedTest(name = "spark.authenticate set: {0}")
    @CsvSource({"false, 1", "true, 0"})
    void aStandaloneMasterWithoutAuthenticationIsWarnedAboutOnce(boolean authenticate, int warnings)
            throws Exception {
        try (java.net.ServerSocket master = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            List<String> args = new ArrayList<>(List.of("--master", "spark://127.0.0.1:" + master.getLocalPort()));
            if (authenticate) {
                args.addAll(List.of("--conf", "spark.authenticate=true"));
            }
            args.add("jobs/compare.conf");
            Outcome run = submit(Map.of(), args.toArray(String[]::new));
            String warning = "reviewnet: warning: submitting to spark://127.0.0.1:" + master.getLocalPort()
                    + " without authentication";
            assertEquals(warnings, run.printed().split(java.util.regex.Pattern.quote(warning), -1).length - 1,
                    run.printed());
        }
    }

    /**
     * That spark-submit (the stub) was started and recorded {@code expected} (its arguments, then its environment's
     * SPARK_LOCAL_IP). On a clean checkout's `mvn test` the application jar is not built yet and submit.sh stops
     * before spark-submit: then that is what is checked.
     */
    static void assertSparkSubmitStartedWith(Outcome run, String expected) throws IOException {
        if (applicationJarBuilt()) {
            assertEquals(0, run.status(), run.printed());
            String called = Files.readString(work.resolve("called"));
            assertTrue(called.contains(expected), called);
        } else {
            assertEquals(2, run.status(), run.printed());
            assertTrue(run.printed().contains("no application jar"), run.printed());
        }
    }

    static boolean applicationJarBuilt() throws IOException {
        try (var jars = Files.list(Paths.get("target"))) {
            return jars.anyMatch(p -> p.getFileName().toString().matches("reviewnet-.*\\.jar"));
        }
    }
}

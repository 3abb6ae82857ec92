package reviewnet.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import reviewnet.testing.ImdbData;
import reviewnet.testing.SparkTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compare job through spark-submit (client mode) on a real standalone cluster: a Master and two Workers of one
 * core each on 127.0.0.1, executors in their own JVMs. Runs after `package` (failsafe): it submits the application
 * jar. The results are read with a local Spark session.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT extends SparkTest {
    static final Path SCRIPTS = Paths.get("submit-scripts").toAbsolutePath();
    static Path run;
    static String master;
    static Path imdb;
    static Set<String> tmpBefore;
    static double firstAccuracyConv;

    @BeforeAll
    static void startCluster() throws Exception {
        run = Paths.get("target", "cluster-it", UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        Files.createDirectories(run);
        tmpBefore = sparkTempEntries();
        // as one Parquet table: the cluster's two 1-core executors read it in seconds, 3,000 small files in ~35 s
        imdb = run.resolve("imdb-slice");
        ImdbData.writeParquet(spark, ImdbData.slice(1000, 500), imdb.toUri().toString());
        Process up = script("standalone-cluster.sh", "up", "2", "--cores", "1", "--memory", "3g")
                .redirectError(run.resolve("cluster-up.err").toFile()).start();
        String out = new String(up.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(up.waitFor(120, TimeUnit.SECONDS) && up.exitValue() == 0,
                "cluster up failed: " + Files.readString(run.resolve("cluster-up.err")));
        assertTrue(out.matches("spark://127\\.0\\.0\\.1:\\d+"), out);
        master = out;
        assertEquals(600, Files.getPosixFilePermissions(run.resolve("spark-auth.conf")).stream()
                .mapToInt(p -> switch (p) { case OWNER_READ -> 400; case OWNER_WRITE -> 200; default -> 1; }).sum(),
                "the secret is readable by its owner only");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        Process down = script("standalone-cluster.sh", "down").redirectErrorStream(true).start();
        assertTrue(down.waitFor(60, TimeUnit.SECONDS) && down.exitValue() == 0);
        List<Long> left = processesUnder(run);
        assertTrue(left.isEmpty(), "processes left running in " + run + ": " + left);
        Set<String> tmpAfter = sparkTempEntries();
        tmpAfter.removeAll(tmpBefore);
        assertTrue(tmpAfter.isEmpty(), "Spark scratch files written outside the run folder: " + tmpAfter);
    }

    static ProcessBuilder script(String name, String... args) {
        List<String> command = new ArrayList<>(List.of(SCRIPTS.resolve(name).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(new File("."));
        builder.environment().put("CLUSTER_RUN_DIR", run.toString());
        return builder;
    }

    /** submit.sh with the cluster's secret, the event log and every scratch folder inside the run folder. */
    static ProcessBuilder submit(String output, String... overrides) {
        List<String> args = new ArrayList<>(List.of("--master", master,
                "--properties-file", run.resolve("spark-auth.conf").toString(),
                "--executor-memory", "2g", "--driver-memory", "2g",
                "--conf", "spark.eventLog.enabled=true", "--conf", "spark.eventLog.dir=" + run.resolve("events").toUri(),
                "--conf", "spark.local.dir=" + run.resolve("driver-local"),
                "--conf", "spark.ui.enabled=false",
                "--conf", "spark.driver.extraJavaOptions=-Djava.io.tmpdir=" + run.resolve("driver-tmp"),
                "jobs/compare.conf",
                "reviewnet.input.path=" + imdb, "reviewnet.input.format=parquet",
                "reviewnet.prepared.path=" + run.resolve("prepared"),
                "reviewnet.output.path=" + run.resolve(output),
                // conv only (FastEmbedding, our layer, crosses to the executors with it): with gru as well, this
                // test's CPU work slowed YarnClusterIT beside it, and CI passed 15 minutes
                "reviewnet.train.architectures=[conv]",
                "reviewnet.train.epochs=2", "reviewnet.train.learning-rate=0.003",
                // several averaging rounds per epoch of this 2,000-review slice (7 at frequency 5; the default 20
                // gives 2), so that the executor can be killed in the middle of conv's first epoch
                "reviewnet.train.averaging-frequency=5",
                // a progress line for every round (the output is not a console): the kill waits for round 2
                "reviewnet.train.progress-interval=1ms"));
        args.addAll(List.of(overrides));
        return script("submit.sh", args.toArray(new String[0]));
    }

    static Process start(ProcessBuilder builder, Path log, Predicate<String> trigger, Runnable action) throws IOException {
        Files.createDirectories(run.resolve("events"));
        Files.createDirectories(run.resolve("driver-local"));
        Files.createDirectories(run.resolve("driver-tmp"));
        Process process = builder.redirectErrorStream(true).start();
        AtomicBoolean fired = new AtomicBoolean();
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8)); var out = Files.newBufferedWriter(log)) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    if (trigger != null && !fired.get() && trigger.test(line)) {
                        fired.set(true);
                        action.run();
                    }
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        pump.setDaemon(true);
        pump.start();
        return process;
    }

    static void finish(Process process, Path log) throws Exception {
        boolean done = process.waitFor(240, TimeUnit.SECONDS);
        if (!done) {
            process.destroyForcibly();
        }
        Thread.sleep(200);
        assertTrue(done && process.exitValue() == 0, "the job failed; last lines of " + log + ":\n"
                + Logs.tail(log, 40));
    }

    @Test
    @Order(1)
    void trainsOnBothExecutors() throws Exception {
        Path log = run.resolve("run-1.log");
        finish(start(submit("out-1"), log, null, null), log);
        List<Row> rows = spark.read().parquet(run.resolve("out-1/results").toString()).collectAsList();
        assertEquals(1, rows.size());
        for (Row row : rows) {
            assertEquals(master, row.getString(row.fieldIndex("spark_master")));
            assertEquals(2, row.getInt(row.fieldIndex("workers")));
            assertEquals(2000L, row.getLong(row.fieldIndex("train_examples")));
            assertEquals(1000L, row.getLong(row.fieldIndex("test_examples")));
            if (row.getString(row.fieldIndex("architecture")).equals("conv")) {
                firstAccuracyConv = row.getDouble(row.fieldIndex("accuracy"));
            }
        }
        for (Row row : rows) {
            double accuracy = row.getDouble(row.fieldIndex("accuracy"));
            double auc = row.getDouble(row.fieldIndex("auc"));
            assertTrue(accuracy > 0.5 && accuracy <= 1.0 && auc > 0.55 && auc <= 1.0, row.getString(
                    row.fieldIndex("architecture")) + ": accuracy " + accuracy + ", AUC " + auc + " (better than chance)");
        }
        Map<String, Set<String>> executors = trainingExecutors();
        assertEquals(Set.of("conv"), executors.keySet());
        executors.forEach((arch, ids) -> assertEquals(2, ids.size(), arch + " trained on executors " + ids));
    }

    @Test
    @Order(2)
    void survivesTheLossOfAnExecutor() throws Exception {
        Path log = run.resolve("run-2.log");
        List<Long> killed = new ArrayList<>();
        // the executor dies while conv trains: conv's accuracy is stable on this slice, so the comparison with the
        // uninterrupted run of the first test is meaningful
        Process job = start(submit("out-2", "reviewnet.train.architectures=[conv]"), log, line -> line.contains("training conv epoch 1/2: averaging round 2/"),
                () -> {
                    List<Long> executors = processesUnder(run.resolve("work"));
                    if (!executors.isEmpty()) {
                        ProcessHandle.of(executors.get(0)).ifPresent(ProcessHandle::destroyForcibly);
                        killed.add(executors.get(0));
                    }
                });
        finish(job, log);
        assertEquals(1, killed.size(), "an executor JVM was killed with SIGKILL during training");
        String driverLog = Files.readString(log);
        assertTrue(driverLog.contains("ExecutorLost") || driverLog.contains("lost executor")
                || driverLog.contains("Lost executor"), "the driver noticed the lost executor");
        List<Row> rows = spark.read().parquet(run.resolve("out-2/results").toString()).collectAsList();
        assertEquals(1, rows.size(), "exactly one row for conv");
        assertEquals(1, rows.stream().map(r -> r.getString(r.fieldIndex("run_id"))).distinct().count());
        Row row = rows.get(0);
        assertEquals("conv", row.getString(row.fieldIndex("architecture")));
        double accuracy = row.getDouble(row.fieldIndex("accuracy"));
        assertTrue(Math.abs(accuracy - firstAccuracyConv) <= 0.05, "conv: accuracy " + accuracy
                + " after the executor loss, " + firstAccuracyConv + " without");
    }

    static String runFailing(ProcessBuilder builder, int seconds) throws Exception {
        Process process = builder.redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), "no answer within " + seconds + " s:\n" + out);
        assertEquals(2, process.exitValue(), out);
        return out;
    }

    @Test
    @Order(3)
    void badClusterInputGetsAClearMessageNotAHang() throws Exception {
        String unreachable = runFailing(script("submit.sh", "--master", "spark://127.0.0.1:1", "jobs/compare.conf"), 30);
        assertTrue(unreachable.contains("cannot reach the Spark master spark://127.0.0.1:1"), unreachable);

        String noJob = runFailing(script("submit.sh", "--master", master, "jobs/no-such-job.conf"), 30);
        assertTrue(noJob.contains("job file 'jobs/no-such-job.conf' does not exist"), noJob);

        Files.createDirectories(run.resolve("driver-local"));
        String tooBig = runFailing(script("submit.sh", "--master", master,
                "--properties-file", run.resolve("spark-auth.conf").toString(), "--executor-memory", "64g",
                "--driver-memory", "1g", "--conf", "spark.local.dir=" + run.resolve("driver-local"),
                "--conf", "spark.ui.enabled=false", "jobs/compare.conf", "reviewnet.input.path=" + imdb,
                "reviewnet.spark.executor-wait=15s"), 90);
        assertTrue(tooBig.contains("no executor started on " + master + " within 15 s")
                && tooBig.contains("spark.executor.memory=64g"), tooBig);

        // the cluster requires authentication and the application brings no secret (no --properties-file): Spark
        // would retry its registration for 60 s, with a stack trace each time, then wait for executors and blame
        // the workers' resources
        long started = System.nanoTime();
        String noSecret = runFailing(script("submit.sh", "--master", master, "--driver-memory", "1g",
                "--conf", "spark.local.dir=" + run.resolve("driver-local"), "--conf", "spark.ui.enabled=false",
                "jobs/compare.conf", "reviewnet.input.path=" + imdb), 30);
        double seconds = (System.nanoTime() - started) / 1e9;
        assertTrue(noSecret.contains("reviewnet: cluster problem: the Spark master " + master + " requires "
                + "authentication (spark.authenticate) and this application brings no secret: pass the cluster's "
                + "secret with --properties-file FILE"), noSecret);
        assertTrue(!noSecret.contains("\tat ") && !noSecret.contains("no executor started"),
                "one line, no stack trace, no blame on the workers:\n" + noSecret);
        System.out.printf("no secret: exit status 2 after %.1f s%n", seconds);
    }

    /** From the event logs: architecture → ids of the executors that ran tasks of its training jobs. */
    static Map<String, Set<String>> trainingExecutors() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, Set<String>> result = new HashMap<>();
        try (Stream<Path> logs = Files.list(run.resolve("events"))) {
            for (Path file : logs.toList()) {
                Map<Integer, String> stageToArch = new HashMap<>();
                for (String line : Files.readAllLines(file)) {
                    JsonNode event = json.readTree(line);
                    String type = event.path("Event").asText();
                    if (type.equals("SparkListenerJobStart")) {
                        String group = event.path("Properties").path("spark.jobGroup.id").asText("");
                        if (group.startsWith("reviewnet-train-")) {
                            String arch = group.substring("reviewnet-train-".length(), group.lastIndexOf('-'));
                            event.path("Stage IDs").forEach(id -> stageToArch.put(id.asInt(), arch));
                        }
                    } else if (type.equals("SparkListenerTaskEnd")) {
                        String arch = stageToArch.get(event.path("Stage ID").asInt());
                        if (arch != null) {
                            result.computeIfAbsent(arch, a -> new HashSet<>())
                                    .add(event.path("Task Info").path("Executor ID").asText());
                        }
                    }
                }
                if (!stageToArch.isEmpty()) {
                    return result; // the first run's log
                }
            }
        }
        return result;
    }

    /** Processes whose working directory is under {@code dir} (the executors, in their worker folders). */
    static List<Long> processesUnder(Path dir) {
        List<Long> pids = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            try {
                Path cwd = Files.readSymbolicLink(Paths.get("/proc", Long.toString(p.pid()), "cwd"));
                if (cwd.startsWith(dir)) {
                    pids.add(p.pid());
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // gone, or not ours to see
            }
        });
        return pids;
    }

    /** Where a JVM without -Djava.io.tmpdir writes (the failsafe JVMs themselves use target/: pom.xml). */
    static Set<String> sparkTempEntries() throws IOException {
        String tmp = System.getenv().getOrDefault("TMPDIR", "/tmp");
        try (Stream<Path> entries = Files.list(Paths.get(tmp))) {
            Set<String> names = new HashSet<>();
            entries.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("spark-") || n.startsWith("blockmgr-"))
                    .forEach(names::add);
            return names;
        }
    }
}

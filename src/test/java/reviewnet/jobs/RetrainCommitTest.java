package reviewnet.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reviewnet.config.JobConfig;
import reviewnet.config.RetrainSettings;
import reviewnet.eval.ResultsTable;
import reviewnet.testing.ImdbData;
import reviewnet.testing.SparkTest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run record is the commit point of a retraining run: a run interrupted at any step and started again with the
 * same run id ends in the same registry, champion pointer and results table as an uninterrupted run. One real run is
 * trained; the state it leaves at each step is what a SIGKILL there leaves (its lock then names a dead process).
 */
class RetrainCommitTest extends SparkTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String RUN = "nightly-7";

    @TempDir
    static Path tmp;
    static Path imdb;
    static Path registry;
    static Path out;
    static Path snapshots;

    static final class Interrupted extends RuntimeException {
        Interrupted(String step) {
            super("interrupted after " + step);
        }
    }

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        imdb = ImdbData.slice(250, 100);
        registry = tmp.resolve("registry");
        out = tmp.resolve("out");
        snapshots = tmp.resolve("snapshots");
        // a champion on the same data that any new version beats: the run promotes, so every step is exercised
        String fingerprint = PreparedData.ensure(spark, settings().compare().prepare()).fingerprint();
        Files.createDirectories(registry);
        Files.writeString(registry.resolve("champion.json"), JSON.createObjectNode().put("version", "old-conv")
                .put("accuracy", 0.0).put("data_fingerprint", fingerprint).toString());
        snapshot("initial");
        JsonNode record = new RetrainJob(settings(), "retrain", RetrainCommitTest::snapshot).run(spark);
        assertEquals("promoted " + RUN + "-conv", record.path("decision").asText(), record.toString());
        snapshot("final");
    }

    static RetrainSettings settings(String... more) {
        List<String> overrides = new ArrayList<>(List.of("reviewnet.input.path=" + imdb,
                "reviewnet.prepared.path=" + tmp.resolve("prepared"), "reviewnet.output.path=" + out,
                "reviewnet.retrain.registry=" + registry, "reviewnet.retrain.run-id=" + RUN,
                "reviewnet.train.architectures=[conv]", "reviewnet.train.workers=2", "reviewnet.train.epochs=1",
                "reviewnet.train.approach=direct",
                // the fixture champion has no model nor predictions: no paired test is possible, the margin decides
                "reviewnet.retrain.promote-when=margin"));
        overrides.addAll(List.of(more));
        return RetrainSettings.from(JobConfig.resolve(JobConfig.parseOverrides(overrides)));
    }

    static String name(String step) {
        return step.replace(':', '-');
    }

    /** The registry and the output as the run leaves them after {@code step}. */
    static void snapshot(String step) {
        copy(registry, snapshots.resolve(name(step)).resolve("registry"));
        copy(out, snapshots.resolve(name(step)).resolve("out"));
    }

    /** Puts the state left after {@code step} back in place, as a SIGKILL there leaves it: its holder is gone. */
    static void restore(String step) throws Exception {
        delete(registry);
        delete(out);
        copy(snapshots.resolve(name(step)).resolve("registry"), registry);
        copy(snapshots.resolve(name(step)).resolve("out"), out);
        if (Files.exists(registry.resolve("lock"))) {
            Process gone = new ProcessBuilder("true").start();
            assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
            ObjectNode lock = (ObjectNode) JSON.readTree(registry.resolve("lock").toFile());
            lock.put("pid", gone.pid()).put("token", "killed");
            Files.writeString(registry.resolve("lock"), lock.toString());
        }
    }

    static void copy(Path from, Path to) {
        if (!Files.exists(from)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Every visible file of a registry; JSON parsed, without the wall-clock times of a decision. */
    static Map<String, Object> contents(Path root) throws IOException {
        Map<String, Object> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = root.relativize(p).toString();
                if (p.getFileName().toString().startsWith(".")) {
                    continue;
                }
                if (rel.endsWith(".json")) {
                    JsonNode node = JSON.readTree(p.toFile());
                    for (JsonNode n : List.of(node, node.path("champion"))) {
                        if (n instanceof ObjectNode o) {
                            o.remove("finished");
                            o.remove("completed");
                            o.remove("promoted_at");
                            if (o.path("promoted").isTextual()) {
                                o.remove("promoted");
                            }
                        }
                    }
                    files.put(rel, node.toString());
                } else {
                    files.put(rel, Files.readAllBytes(p));
                }
            }
        }
        return files;
    }

    static List<String> results(Path output) {
        List<String> json = new ArrayList<>();
        for (reviewnet.eval.ResultRow row : new ResultsTable(output.resolve("results").toString()).rows(spark)) {
            json.add(ResultsTable.toJson(row).toString());
        }
        json.sort(null);
        return json;
    }

    static void assertSameAsUninterrupted(String scenario) throws IOException {
        Map<String, Object> expected = contents(snapshots.resolve("final").resolve("registry"));
        Map<String, Object> actual = contents(registry);
        assertEquals(expected.keySet(), actual.keySet(), scenario + ": registry files");
        for (String file : expected.keySet()) {
            if (expected.get(file) instanceof byte[] bytes) {
                assertArrayEquals(bytes, (byte[]) actual.get(file), scenario + ": " + file);
            } else {
                assertEquals(expected.get(file), actual.get(file), scenario + ": " + file);
            }
        }
        List<String> rows = results(out);
        assertEquals(results(snapshots.resolve("final").resolve("out")), rows, scenario + ": results table");
        assertEquals(1, rows.size(), scenario + ": one row per (run, architecture)");
    }

    static List<String> steps() {
        return List.of("version:conv", "recorded", "champion", "results");
    }

    @Test
    void aRunKilledAfterAnyStepEndsAsAnUninterruptedRun() throws Exception {
        // the uninterrupted run's final state is what the test compares with: it promoted, one results row
        assertEquals(1, results(snapshots.resolve("final").resolve("out")).size());
        assertFalse(Files.exists(snapshots.resolve("final/registry/lock")));
        assertFalse(Files.exists(snapshots.resolve("final/registry/checkpoints/" + RUN)));
        for (String step : steps()) {
            restore(step);
            JsonNode record = new RetrainJob(settings(), "retrain").run(spark);
            assertEquals("promoted " + RUN + "-conv", record.path("decision").asText(), step + ": " + record);
            assertSameAsUninterrupted("killed after " + step);
        }
    }

    @Test
    void aRunThatFailsAtAnyStepAndIsRunAgainEndsAsAnUninterruptedRun() throws Exception {
        for (String step : steps()) {
            // from the state after the version was trained (no training again), fail right after `step`
            restore("version:conv");
            RetrainJob failing = new RetrainJob(settings(), "retrain", s -> {
                if (s.equals(step)) {
                    throw new Interrupted(s);
                }
            });
            assertThrows(Interrupted.class, () -> failing.run(spark), step);
            assertFalse(Files.exists(registry.resolve("lock")), step + ": the lock is released on failure");
            boolean committed = Files.exists(registry.resolve("runs/" + RUN + ".json"));
            assertEquals(!step.startsWith("version:"), committed, step + ": the record is the commit point");
            if (!committed || step.equals("recorded")) {
                assertEquals("old-conv", JSON.readTree(registry.resolve("champion.json").toFile())
                        .path("version").asText(), step + ": the pointer moves only after the commit point");
            }
            new RetrainJob(settings(), "retrain").run(spark);
            assertSameAsUninterrupted("failed after " + step);
        }
    }

    /**
     * A run killed after its commit point is completed by the next run whatever its id (the shipped schedules use a
     * new id every night): the next run, stopped right after it rolled the killed one forward, leaves the registry
     * and the results table as the uninterrupted run did.
     */
    @Test
    void aRunKilledAfterItsCommitIsCompletedByTheNextRunOfAnyId() throws Exception {
        for (String step : List.of("recorded", "champion", "results")) {
            restore(step);
            assertFalse(JSON.readTree(registry.resolve("runs/" + RUN + ".json").toFile()).has("completed"), step);
            RetrainJob next = new RetrainJob(settings("reviewnet.retrain.run-id=nightly-8"), "retrain", s -> {
                if (s.equals("rolled-forward")) {
                    throw new Interrupted(s);
                }
            });
            assertThrows(Interrupted.class, () -> next.run(spark), step);
            assertSameAsUninterrupted("killed after " + step + ", then another run id");
            assertTrue(JSON.readTree(registry.resolve("runs/" + RUN + ".json").toFile()).has("completed"), step);
        }
    }

    @Test
    void aCompleteVersionOrCheckpointIsNotResumedWithOtherSettings() throws Exception {
        restore("version:conv");
        IllegalStateException version = assertThrows(IllegalStateException.class,
                () -> new RetrainJob(settings("reviewnet.train.learning-rate=0.01"), "retrain").run(spark));
        assertTrue(version.getMessage().contains("refusing to mix them"), version.getMessage());

        // the version not complete yet: its checkpoint (epoch 1) would be resumed, but it was trained otherwise
        Files.delete(registry.resolve("versions/" + RUN + "-conv/metrics.json"));
        assertTrue(Files.exists(registry.resolve("checkpoints/" + RUN + "/conv/latest")));
        IllegalStateException checkpoint = assertThrows(IllegalStateException.class,
                () -> new RetrainJob(settings("reviewnet.train.learning-rate=0.01"), "retrain").run(spark));
        assertTrue(checkpoint.getMessage().contains("refusing to resume the checkpoints")
                && checkpoint.getMessage().contains("network_sha256"), checkpoint.getMessage());
        assertFalse(Files.exists(registry.resolve("runs/" + RUN + ".json")));
        assertEquals("old-conv", JSON.readTree(registry.resolve("champion.json").toFile()).path("version").asText());
    }
}

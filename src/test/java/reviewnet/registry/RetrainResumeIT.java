package reviewnet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reviewnet.testing.ImdbData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A retraining run whose driver is killed (SIGKILL) after its first epoch of two resumes from the epoch checkpoint
 * when started again with the same run id. Runs the application jar through submit.sh on local[2] (failsafe).
 */
class RetrainResumeIT {

    static List<String> command(Path work, Path imdb) {
        return new ArrayList<>(List.of(Paths.get("submit-scripts/submit.sh").toAbsolutePath().toString(),
                "--master", "local[2]", "--driver-memory", "2g", "--conf", "spark.ui.enabled=false",
                "--conf", "spark.local.dir=" + work.resolve("local"),
                "--conf", "spark.driver.extraJavaOptions=-Djava.io.tmpdir=" + work.resolve("local"),
                "jobs/retrain.conf", "reviewnet.input.path=" + imdb,
                "reviewnet.prepared.path=" + work.resolve("prepared"), "reviewnet.output.path=" + work.resolve("out"),
                "reviewnet.retrain.registry=" + work.resolve("registry"), "reviewnet.retrain.run-id=nightly-1",
                // retrain.conf validates every epoch and stops early: at most two epochs (both are trained: with
                // patience 1 training stops after an epoch without improvement, and there is no third)
                "reviewnet.train.architectures=[conv]", "reviewnet.train.max-epochs=2"));
    }

    @Test
    void aKilledRunResumesFromItsCheckpoint() throws Exception {
        Path work = Paths.get("target", "retrain-it", UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        Files.createDirectories(work.resolve("local"));
        Path imdb = ImdbData.slice(1000, 500);

        Process first = new ProcessBuilder(command(work, imdb)).directory(new File(".")).redirectErrorStream(true)
                .start();
        boolean killed = false;
        List<String> log = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(first.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                log.add(line);
                if (line.contains("conv: checkpoint of epoch 1/2 saved")) {
                    first.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                    first.destroyForcibly();
                    killed = true;
                    break;
                }
            }
        }
        first.waitFor(30, TimeUnit.SECONDS);
        assertTrue(killed, "the first run reached its epoch-1 checkpoint:\n" + String.join("\n", log.subList(
                Math.max(0, log.size() - 30), log.size())));
        Path registry = work.resolve("registry");
        assertFalse(Files.exists(registry.resolve("runs/nightly-1.json")), "the killed run did not finish");
        assertEquals("1", Files.readString(registry.resolve("checkpoints/nightly-1/conv/latest")).trim());

        Process second = new ProcessBuilder(command(work, imdb)).directory(new File(".")).redirectErrorStream(true)
                .redirectOutput(work.resolve("second.log").toFile()).start();
        assertTrue(second.waitFor(300, TimeUnit.SECONDS) && second.exitValue() == 0,
                "the resumed run failed:\n" + Files.readString(work.resolve("second.log")));
        String secondLog = Files.readString(work.resolve("second.log"));
        assertTrue(secondLog.contains("conv: resuming after epoch 1"), "resumed from the checkpoint");
        assertFalse(secondLog.contains("training conv epoch 1/2"), "epoch 1 was not trained again");

        JsonNode record = new ObjectMapper().readTree(registry.resolve("runs/nightly-1.json").toFile());
        JsonNode version = record.path("versions").get(0);
        assertEquals(2, version.path("epochs_trained").asInt());
        assertEquals(1, version.path("resumed_from_epoch").asInt());
        JsonNode metrics = new ObjectMapper().readTree(registry.resolve("versions/nightly-1-conv/metrics.json").toFile());
        assertEquals(2, metrics.path("epochs_trained").asInt());
        assertEquals(1, metrics.path("resumed_from_epoch").asInt());
        assertFalse(Files.exists(registry.resolve("checkpoints/nightly-1")), "checkpoints removed after the run");
        assertFalse(Files.exists(registry.resolve("lock")), "the lock is released");
    }
}

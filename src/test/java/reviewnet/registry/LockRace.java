package reviewnet.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Separate JVMs ({@link LockContender}) racing for one registry's lock, round after round: every round exactly one
 * wins and the others lose with the holder named (what {@code Main} turns into exit status 3), never with an I/O
 * error. Odd rounds start from a killed run's lock, which every contender tries to take over at once. Used on the
 * local file system ({@link RegistryLockTest}) and on HDFS (the YARN test's MiniDFS).
 */
public final class LockRace {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Where the registry's lock lives, seen from the test. */
    public interface Store {
        void writeLock(String json) throws IOException;

        String readLock() throws IOException;

        /** The names starting with "lock" or ".lock" in the registry folder. */
        List<String> leftovers() throws IOException;
    }

    private LockRace() {
    }

    /** A lock file's content for a holder on this machine (host, boot id, PID namespace). */
    public static String lockJson(String runId, String host, long pid, String token) {
        RegistryLock.Machine here = RegistryLock.Machine.current();
        return JSON.createObjectNode().put("run_id", runId).put("host", host).put("boot_id", here.bootId())
                .put("pid_ns", here.pidNamespace()).put("pid", pid).put("since", "2026-01-01T00:00:00Z")
                .put("token", token).toString();
    }

    public static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return p.pid();
    }

    public static void run(String registry, Store store, Path work, int contenders, int rounds) throws Exception {
        Path sync = Files.createDirectories(work.resolve("sync"));
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < contenders; i++) {
            processes.add(new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"), LockContender.class.getName(), registry, sync.toString(),
                    Integer.toString(i), Integer.toString(rounds))
                    .redirectErrorStream(true).redirectOutput(work.resolve("contender-" + i + ".log").toFile())
                    .start());
        }
        try {
            for (int round = 0; round < rounds; round++) {
                boolean stale = round % 2 == 1;
                if (stale) {
                    store.writeLock(lockJson("killed", RegistryLock.host(), deadPid(), "stale-" + round));
                }
                for (int i = 0; i < contenders; i++) {
                    await(sync.resolve("ready-" + round + "-" + i), processes, work);
                }
                Files.createFile(sync.resolve("go-" + round));
                List<String> results = new ArrayList<>();
                for (int i = 0; i < contenders; i++) {
                    Path result = sync.resolve("result-" + round + "-" + i);
                    await(result, processes, work);
                    results.add(Files.readString(result));
                }
                String what = "round " + round + (stale ? " (stale lock)" : "") + ": " + results;
                assertEquals(1, results.stream().filter("WON"::equals).count(), what);
                for (String r : results) {
                    assertTrue(r.equals("WON") || r.contains("is locked by run 'contender-"), what);
                }
                JsonNode holder = JSON.readTree(store.readLock());
                assertEquals("contender-" + results.indexOf("WON"), holder.path("run_id").asText());
                Files.createFile(sync.resolve("release-" + round));
                await(sync.resolve("released-" + round), processes, work);
                assertEquals(List.of(), store.leftovers(), "round " + round + ": lock released, no guard left");
            }
            for (Process p : processes) {
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue());
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
    }

    /** Waits for {@code file}; fails at once, with its log, when a contender died (e.g. of an I/O error). */
    static void await(Path file, List<Process> processes, Path work) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(file)) {
            for (int i = 0; i < processes.size(); i++) {
                if (!processes.get(i).isAlive() && processes.get(i).exitValue() != 0) {
                    fail("contender " + i + " died: " + Files.readString(work.resolve("contender-" + i + ".log")));
                }
            }
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + file);
            Thread.sleep(5);
        }
    }
}

package reviewnet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry lock on the local file system, raced by separate JVMs. */
class RegistryLockTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int CONTENDERS = 4;
    static final int ROUNDS = 8;

    @TempDir
    Path tmp;

    static long deadPid() throws Exception {
        long pid = LockRace.deadPid();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        return pid;
    }

    /** A lock file of a holder on {@code host} with this machine's boot id and PID namespace. */
    static void writeLock(Path registry, String runId, String host, long pid, String token) throws IOException {
        Files.createDirectories(registry);
        Files.writeString(registry.resolve("lock"), LockRace.lockJson(runId, host, pid, token));
    }

    Registry registry(Path dir) {
        return new Registry(dir.toString(), new Configuration());
    }

    static List<String> leftovers(Path registry) throws IOException {
        try (Stream<Path> list = Files.list(registry)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("lock") || n.startsWith(".lock"))
                    .toList();
        }
    }

    @Test
    void separateProcessesRacingForTheLockExactlyOneWinsEveryRound() throws Exception {
        Path registry = Files.createDirectories(tmp.resolve("registry"));
        LockRace.run(registry.toString(), new LockRace.Store() {
            @Override
            public void writeLock(String json) throws IOException {
                Files.writeString(registry.resolve("lock"), json);
            }

            @Override
            public String readLock() throws IOException {
                return Files.readString(registry.resolve("lock"));
            }

            @Override
            public List<String> leftovers() throws IOException {
                return RegistryLockTest.leftovers(registry);
            }
        }, tmp, CONTENDERS, ROUNDS);
    }

    @Test
    void aStaleLockOfADeadProcessIsTakenOver() throws Exception {
        Path dir = tmp.resolve("registry");
        writeLock(dir, "nightly-1", RegistryLock.host(), deadPid(), "old-token");
        try (RegistryLock lock = RegistryLock.acquire(registry(dir), "nightly-1")) {
            JsonNode holder = JSON.readTree(dir.resolve("lock").toFile());
            assertEquals(ProcessHandle.current().pid(), holder.path("pid").asLong());
            assertNotEquals("old-token", holder.path("token").asText());
        }
        assertEquals(List.of(), leftovers(dir));
    }

    @Test
    void aGuardLeftByADeadTakerIsTakenOverToo() throws Exception {
        Path dir = tmp.resolve("registry");
        writeLock(dir, "nightly-1", RegistryLock.host(), deadPid(), "old-token");
        RegistryLock.Machine here = RegistryLock.Machine.current();
        Files.writeString(dir.resolve("lock.takeover-old-token"), JSON.createObjectNode().put("run_id", "nightly-2")
                .put("host", RegistryLock.host()).put("boot_id", here.bootId()).put("pid_ns", here.pidNamespace())
                .put("pid", deadPid()).put("token", "taker").toString());
        try (RegistryLock lock = RegistryLock.acquire(registry(dir), "nightly-3")) {
            assertEquals("nightly-3", JSON.readTree(dir.resolve("lock").toFile()).path("run_id").asText());
        }
        assertEquals(List.of(), leftovers(dir));
    }

    @Test
    void aLiveHolderIsRefusedWithAClearMessageEvenForTheSameRunId() throws Exception {
        Path dir = tmp.resolve("registry");
        Process live = new ProcessBuilder("sleep", "60").start();
        try {
            writeLock(dir, "nightly-1", RegistryLock.host(), live.pid(), "live-token");
            for (String runId : List.of("nightly-2", "nightly-1")) {
                RegistryLock.LockedException e = assertThrows(RegistryLock.LockedException.class,
                        () -> RegistryLock.acquire(registry(dir), runId));
                assertTrue(e.getMessage().contains("is locked by run 'nightly-1' (host " + RegistryLock.host()
                        + ", pid " + live.pid()), e.getMessage());
                assertTrue(e.getMessage().contains("only one run may write it at a time"), e.getMessage());
            }
            assertEquals("live-token", JSON.readTree(dir.resolve("lock").toFile()).path("token").asText());
        } finally {
            live.destroyForcibly();
        }
    }

    /**
     * Rows: the dead holder's host, boot id and PID namespace, and this run's host ('=' this machine's value, '' none
     * recorded) → whether it is provably gone. Only the same known host, boot and namespace prove it.
     */
    @ParameterizedTest(name = "holder ({0}, {1}, {2}), here {3}: gone = {4}")
    @CsvSource({
            "=,                    =,     =,     =,       true",
            "another-host.example, =,     =,     =,       false",
            "=,                    other, =,     =,       false",
            "=,                    =,     other, =,       false",
            "=,                    '',    =,     =,       false",
            "=,                    =,     '',    =,       false",
            "unknown,              =,     =,     unknown, false"})
    void aHolderIsProvablyGoneOnlyOnTheSameKnownHostBootAndPidNamespace(String host, String boot, String namespace,
                                                                        String hereHost, boolean gone)
            throws Exception {
        RegistryLock.Machine machine = RegistryLock.Machine.current();
        assertTrue(machine.known(), "this test machine has a host name, a boot id and a PID namespace: " + machine);
        RegistryLock.Machine here = new RegistryLock.Machine(value(hereHost, machine.host()), machine.bootId(),
                machine.pidNamespace());
        RegistryLock.Holder holder = new RegistryLock.Holder("nightly-1", new RegistryLock.Machine(
                value(host, machine.host()), value(boot, machine.bootId()), value(namespace, machine.pidNamespace())),
                deadPid(), "2026-01-01T00:00:00Z", "token");
        assertEquals(gone, holder.provablyGone(here));
    }

    private static String value(String row, String mine) {
        return row.equals("=") ? mine : row;
    }

    @Test
    void aDeadLookingHolderOnAnotherHostIsRefused() throws Exception {
        Path dir = tmp.resolve("registry");
        writeLock(dir, "nightly-1", "another-host.example", deadPid(), "remote");
        RegistryLock.LockedException e = assertThrows(RegistryLock.LockedException.class,
                () -> RegistryLock.acquire(registry(dir), "nightly-1"));
        assertTrue(e.getMessage().contains("If that run is dead (check pid "), e.getMessage());
        assertTrue(e.getMessage().contains(" on another-host.example; after a reboot it is), delete "), e.getMessage());
        assertEquals("remote", JSON.readTree(dir.resolve("lock").toFile()).path("token").asText());
    }

    @Test
    void closeDoesNotDeleteASuccessorsLock() throws Exception {
        Path dir = tmp.resolve("registry");
        RegistryLock first = RegistryLock.acquire(registry(dir), "run-a");
        // run-a was judged gone and its lock taken over by run-b, which now holds it
        Files.delete(dir.resolve("lock"));
        RegistryLock second = RegistryLock.acquire(registry(dir), "run-b");
        first.close();
        assertTrue(Files.exists(dir.resolve("lock")), "the successor's lock survives the predecessor's close()");
        assertEquals("run-b", JSON.readTree(dir.resolve("lock").toFile()).path("run_id").asText());
        second.close();
        assertFalse(Files.exists(dir.resolve("lock")));
    }
}

package reviewnet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per registry. The {@code lock} file is created exclusively ({@link ExclusiveFiles}: atomic on POSIX
 * paths and HDFS) and names its holder: run id, where it runs ({@link Machine}: host name, kernel boot id, PID
 * namespace), pid, since, and a token unique to this acquisition.
 * <ul>
 *   <li>A lock whose holder is provably gone is taken over: same host name, same boot id, same PID namespace (so its
 *   pid means the same process here), all three known, and that pid no longer alive. A host name alone proves
 *   nothing: two machines or containers may share one (or both fall back to "unknown"), and a pid is only meaningful
 *   inside its namespace. Takers of one stale
 *   lock first create {@code lock.takeover-<its token>} exclusively; only that guard's holder re-reads the lock and
 *   deletes it if it still is the stale one, then every contender races on the exclusive create again, so exactly one
 *   wins. (A guard left by a dead taker is itself taken over the same way.)</li>
 *   <li>Any other holder (alive, on another host, or unreadable) refuses the run with a message naming it; a run id
 *   gets no privilege: resuming a killed run takes over its lock only when its process is gone.</li>
 *   <li>{@link #close()} deletes the lock only while it still holds this acquisition's token.</li>
 * </ul>
 */
public final class RegistryLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryLock.class);
    /** How long contenders for a stale lock wait for the one taking it over before giving up. */
    private static final long CONTENTION_NANOS = 30_000_000_000L;
    private static final int MAX_GUARD_DEPTH = 3;
    static final String UNKNOWN_HOST = "unknown";

    private final ExclusiveFiles files;
    private final Path path;
    private final Holder me;

    private RegistryLock(ExclusiveFiles files, Path path, Holder me) {
        this.files = files;
        this.path = path;
        this.me = me;
    }

    /** The registry is locked by another run. */
    public static final class LockedException extends RuntimeException {
        public LockedException(String message) {
            super(message);
        }
    }

    /**
     * Where a process runs: host name, the kernel's boot id ({@code /proc/sys/kernel/random/boot_id}, new at every
     * boot, shared by the containers of one kernel) and the PID namespace ({@code /proc/self/ns/pid}); "" where
     * unknown.
     */
    record Machine(String host, String bootId, String pidNamespace) {
        static Machine current() {
            return new Machine(RegistryLock.host(), read(() -> Files.readString(
                    java.nio.file.Path.of("/proc/sys/kernel/random/boot_id")).strip()),
                    read(() -> Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/pid")).toString()));
        }

        /** Whether all three are known (a host name that fell back to "unknown" is not). */
        boolean known() {
            return !host.isEmpty() && !host.equals(UNKNOWN_HOST) && !bootId.isEmpty() && !pidNamespace.isEmpty();
        }

        private interface Reader {
            String get() throws IOException;
        }

        private static String read(Reader reader) {
            try {
                return reader.get();
            } catch (IOException | RuntimeException e) {
                return "";
            }
        }
    }

    /** Who holds a lock file. */
    record Holder(String runId, Machine machine, long pid, String since, String token) {
        static Holder current(String runId) {
            return new Holder(runId, Machine.current(), ProcessHandle.current().pid(), Instant.now().toString(),
                    UUID.randomUUID().toString());
        }

        byte[] bytes() {
            return Registry.JSON.createObjectNode().put("run_id", runId).put("host", machine.host())
                    .put("boot_id", machine.bootId()).put("pid_ns", machine.pidNamespace()).put("pid", pid)
                    .put("since", since).put("token", token).toString().getBytes(StandardCharsets.UTF_8);
        }

        /** Null when the content is not (yet) a complete holder. */
        static Holder parse(byte[] content) {
            try {
                JsonNode node = Registry.JSON.readTree(content);
                if (node == null || !node.has("pid") || !node.has("host")) {
                    return null;
                }
                Machine machine = new Machine(node.path("host").asText(), node.path("boot_id").asText(""),
                        node.path("pid_ns").asText(""));
                return new Holder(node.path("run_id").asText(), machine, node.path("pid").asLong(),
                        node.path("since").asText(), node.path("token").asText(""));
            } catch (IOException e) {
                return null;
            }
        }

        /**
         * Whether this holder is provably gone, seen from {@code here}: the same known host, boot and PID namespace,
         * and its process no longer alive. Nothing else proves it.
         */
        boolean provablyGone(Machine here) {
            if (!here.known() || !machine.equals(here) || pid == ProcessHandle.current().pid()) {
                return false;
            }
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        }

        String describe() {
            return "run '" + runId + "' (host " + machine.host() + ", pid " + pid + ", since " + since + ")";
        }
    }

    public static RegistryLock acquire(Registry registry, String runId) {
        Path path = new Path(registry.root(), "lock");
        ExclusiveFiles files = ExclusiveFiles.of(registry.fileSystem());
        Holder me = Holder.current(runId);
        try {
            take(files, path, me, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the registry " + registry.root() + " (" + path + ")", e);
        }
        LOG.info("registry {} locked by {}", registry.root(), me.describe());
        return new RegistryLock(files, path, me);
    }

    /** Creates {@code path} for {@code me}, taking over a stale holder; throws {@link LockedException} otherwise. */
    private static void take(ExclusiveFiles files, Path path, Holder me, int depth) throws IOException {
        long deadline = System.nanoTime() + CONTENTION_NANOS;
        while (System.nanoTime() < deadline) {
            if (files.createNew(path, me.bytes())) {
                return;
            }
            Optional<Holder> holder = readHolder(files, path);
            if (holder.isEmpty()) {
                continue; // released meanwhile
            }
            Holder stale = holder.get();
            if (!stale.provablyGone(me.machine())) {
                throw new LockedException("the registry " + path.getParent() + " is locked by " + stale.describe()
                        + "; only one run may write it at a time. A lock is taken over only when its holder is "
                        + "provably gone (same host, kernel boot and PID namespace as this run, process not alive). "
                        + "If that run is dead (check pid " + stale.pid() + " on " + stale.machine().host()
                        + "; after a reboot it is), delete " + path);
            }
            if (depth >= MAX_GUARD_DEPTH) {
                throw new LockedException("cannot take over " + path + ": its holder " + stale.describe()
                        + " is gone, but so are the takers before; delete " + path + " if no run is active");
            }
            Path guard = new Path(path.getParent(), path.getName() + ".takeover-"
                    + (stale.token().isEmpty() ? "legacy-" + stale.pid() : stale.token()));
            try {
                take(files, guard, me, depth + 1);
            } catch (LockedException busy) {
                pause(); // another live process is taking this stale lock over: try again after it
                continue;
            }
            try {
                // only the guard's holder removes this stale lock, and its owner is dead: it cannot change under us
                Optional<Holder> now = readHolder(files, path);
                if (now.isPresent() && now.get().token().equals(stale.token()) && now.get().pid() == stale.pid()) {
                    LOG.warn("taking over {} from {}: its process is gone", path, stale.describe());
                    files.delete(path);
                }
            } finally {
                files.delete(guard);
            }
        }
        throw new LockedException("cannot lock " + path + ": still contended after "
                + CONTENTION_NANOS / 1_000_000_000L + " s");
    }

    /** The holder of {@code path}; empty when it is gone. Waits briefly for a lock being written (HDFS). */
    private static Optional<Holder> readHolder(ExclusiveFiles files, Path path) throws IOException {
        for (int i = 0; i < 40; i++) {
            Optional<byte[]> content = files.read(path);
            if (content.isEmpty()) {
                return Optional.empty();
            }
            Holder holder = Holder.parse(content.get());
            if (holder != null) {
                return Optional.of(holder);
            }
            pause();
        }
        throw new LockedException("the lock " + path + " is unreadable (not a lock written by reviewnet); delete it "
                + "if no run is active");
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockedException("interrupted while waiting for a lock");
        }
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return UNKNOWN_HOST;
        }
    }

    /** Deletes the lock if it is still this acquisition's (never a successor's). */
    @Override
    public void close() {
        try {
            Optional<byte[]> content = files.read(path);
            Holder holder = content.map(Holder::parse).orElse(null);
            if (holder != null && holder.token().equals(me.token())) {
                files.delete(path);
                LOG.info("registry lock {} released", path);
            } else {
                LOG.error("the lock {} is no longer held by {} (now: {}): left as it is", path, me.describe(),
                        holder == null ? "none" : holder.describe());
            }
        } catch (IOException e) {
            LOG.error("cannot release the lock {}", path, e);
        }
    }
}

package reviewnet.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per registry: the lock file is created exclusively (create without overwrite, atomic on HDFS and
 * POSIX). A second run fails with a clear message. A lock left by a killed run is taken over by the same run id
 * (resuming) or, on the same host, when its process is gone.
 */
public final class RegistryLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryLock.class);

    private final Registry registry;
    private final Path path;

    private RegistryLock(Registry registry, Path path) {
        this.registry = registry;
        this.path = path;
    }

    /** The registry is locked by another run. */
    public static final class LockedException extends RuntimeException {
        public LockedException(String message) {
            super(message);
        }
    }

    public static RegistryLock acquire(Registry registry, String runId) {
        Path path = new Path(registry.root(), "lock");
        ObjectNode me = Registry.JSON.createObjectNode().put("run_id", runId).put("host", host())
                .put("pid", ProcessHandle.current().pid()).put("since", Instant.now().toString());
        for (int attempt = 0; attempt < 2; attempt++) {
            try (OutputStream out = registry.fileSystem().create(path, false)) {
                out.write(me.toString().getBytes(StandardCharsets.UTF_8));
                return new RegistryLock(registry, path);
            } catch (FileAlreadyExistsException e) {
                JsonNode holder = read(registry, path);
                if (!takeOver(holder, runId)) {
                    throw new LockedException("the registry " + registry.root() + " is locked by run '"
                            + holder.path("run_id").asText() + "' (host " + holder.path("host").asText() + ", pid "
                            + holder.path("pid").asText() + ", since " + holder.path("since").asText()
                            + "); only one run may write it at a time. If that run is dead on another host, delete "
                            + path);
                }
                LOG.warn("taking over the lock of {} from {} (same run resuming, or its process is gone)", path, holder);
                try {
                    registry.fileSystem().delete(path, false);
                } catch (IOException io) {
                    throw new UncheckedIOException(io);
                }
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains("already exists") && attempt == 0) {
                    continue;
                }
                throw new UncheckedIOException("cannot create the lock " + path, e);
            }
        }
        throw new LockedException("cannot lock the registry " + registry.root());
    }

    private static boolean takeOver(JsonNode holder, String runId) {
        if (holder.path("run_id").asText().equals(runId)) {
            return true;
        }
        if (holder.path("host").asText().equals(host())) {
            return ProcessHandle.of(holder.path("pid").asLong()).map(p -> !p.isAlive()).orElse(true);
        }
        return false;
    }

    private static JsonNode read(Registry registry, Path path) {
        try (InputStream in = registry.fileSystem().open(path)) {
            return Registry.JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the lock " + path, e);
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        try {
            registry.fileSystem().delete(path, false);
        } catch (IOException e) {
            LOG.error("cannot release the lock {}", path, e);
        }
    }
}

package reviewnet.registry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;

/**
 * A separate JVM racing for a registry lock (started by {@link RegistryLockTest}): for each round it signals
 * {@code ready-R-ID}, spins until {@code go-R} exists, tries to acquire the lock and writes {@code result-R-ID}
 * ("WON" or "LOST message"); a winner holds the lock until {@code release-R} exists.
 * Arguments: registry folder, sync folder, contender id, rounds.
 */
public final class LockContender {
    public static void main(String[] args) throws Exception {
        Registry registry = new Registry(args[0], new Configuration());
        Path sync = Paths.get(args[1]);
        String id = args[2];
        int rounds = Integer.parseInt(args[3]);
        for (int round = 0; round < rounds; round++) {
            Files.createFile(sync.resolve("ready-" + round + "-" + id));
            Path go = sync.resolve("go-" + round);
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!Files.exists(go)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no go signal");
                }
                Thread.onSpinWait();
            }
            String result;
            RegistryLock lock = null;
            try {
                lock = RegistryLock.acquire(registry, "contender-" + id);
                result = "WON";
            } catch (RegistryLock.LockedException e) {
                result = "LOST " + e.getMessage();
            }
            // written aside and renamed: the test waits for the name and must never read a half-written result
            Path partial = sync.resolve(".result-" + round + "-" + id);
            Files.write(partial, result.getBytes(StandardCharsets.UTF_8));
            Files.move(partial, sync.resolve("result-" + round + "-" + id), StandardCopyOption.ATOMIC_MOVE);
            if (lock != null) {
                while (!Files.exists(sync.resolve("release-" + round))) {
                    Thread.sleep(5);
                }
                lock.close();
                Files.createFile(sync.resolve("released-" + round));
            }
        }
    }
}

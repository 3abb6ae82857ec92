package reviewnet.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reviewnet.testing.ImdbData;
import reviewnet.testing.MainRun;

/**
 * What an operator sees when a scheduled retrain meets the lock of a live run: {@code Main} exits with status 3 and
 * names the holder (the lock races themselves: {@link RegistryLockTest}, and on HDFS the YARN test).
 */
class LockedRetrainExitTest {
    @TempDir
    Path tmp;

    @Test
    void aRetrainRunAgainstALockedRegistryExitsWithStatusThreeNamingTheHolder() throws Exception {
        Path registry = Files.createDirectories(tmp.resolve("registry"));
        Process live = new ProcessBuilder("sleep", "60").start();
        try {
            Files.writeString(registry.resolve("lock"),
                    LockRace.lockJson("nightly-1", RegistryLock.host(), live.pid(), "live-token"));
            MainRun run = MainRun.of("jobs/retrain.conf", "reviewnet.spark.master=local[1]",
                    "reviewnet.input.path=" + ImdbData.slice(20, 10), "reviewnet.retrain.registry=" + registry,
                    "reviewnet.output.path=" + tmp.resolve("out"), "reviewnet.prepared.path=" + tmp.resolve("prepared"),
                    "reviewnet.retrain.run-id=nightly-2");
            assertEquals(3, run.status(), run.printed());
            assertTrue(run.printed().contains("is locked by run 'nightly-1' (host " + RegistryLock.host() + ", pid "
                    + live.pid()), run.printed());
            assertFalse(Files.exists(registry.resolve("runs")), "nothing written to the registry");
            MainRun.assertNoSparkSession();
        } finally {
            live.destroyForcibly();
        }
    }
}

package reviewnet.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicDirectoryTest {

    static long siblings(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.count();
        }
    }

    @Test
    void commitReplacesThePreviousOutput(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("out");
        Files.createDirectories(target);
        Files.writeString(target.resolve("old.txt"), "old");
        try (AtomicDirectory out = AtomicDirectory.begin(target.toString(), new Configuration())) {
            Files.writeString(Path.of(out.staging().toUri()).resolve("new.txt"), "new");
            assertTrue(Files.exists(target.resolve("old.txt")), "the old output stays until commit");
            out.commit();
        }
        assertEquals("new", Files.readString(target.resolve("new.txt")));
        assertFalse(Files.exists(target.resolve("old.txt")));
        assertEquals(1, siblings(dir), "no staging or replaced directory is left");
    }

    @Test
    void failureBeforeCommitLeavesThePreviousOutputIntact(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("out");
        Files.createDirectories(target);
        Files.writeString(target.resolve("old.txt"), "old");
        assertThrows(IllegalStateException.class, () -> {
            try (AtomicDirectory out = AtomicDirectory.begin(target.toString(), new Configuration())) {
                Files.writeString(Path.of(out.staging().toUri()).resolve("half.txt"), "half");
                throw new IllegalStateException("job failed");
            }
        });
        assertEquals("old", Files.readString(target.resolve("old.txt")));
        assertFalse(Files.exists(target.resolve("half.txt")));
        assertEquals(1, siblings(dir), "the staging directory is removed");
    }
}

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

    /** (leftovers next to the target before begin: name -> age in minutes; target exists) -> what remains after. */
    static Stream<org.junit.jupiter.params.provider.Arguments> leftovers() {
        return Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(java.util.Map.of(".out.staging-a", 90), true,
                        java.util.Set.of("out")),
                org.junit.jupiter.params.provider.Arguments.of(java.util.Map.of(".out.staging-a", 5), true,
                        java.util.Set.of("out", ".out.staging-a")),
                org.junit.jupiter.params.provider.Arguments.of(java.util.Map.of(".out.replaced-a", 0), true,
                        java.util.Set.of("out")),
                org.junit.jupiter.params.provider.Arguments.of(java.util.Map.of(".out.replaced-a", 0,
                        ".out.staging-b", 120, ".other.staging-c", 120), false,
                        java.util.Set.of("out", ".other.staging-c")));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("leftovers")
    void beginCleansUpAfterKilledRuns(java.util.Map<String, Integer> leftovers, boolean target,
                                      java.util.Set<String> remaining, @TempDir Path dir) throws IOException {
        if (target) {
            Files.createDirectories(dir.resolve("out"));
            Files.writeString(dir.resolve("out/current.txt"), "current");
        }
        for (var left : leftovers.entrySet()) {
            Path path = Files.createDirectories(dir.resolve(left.getKey()));
            Files.writeString(path.resolve("part.txt"), left.getKey());
            Files.setLastModifiedTime(path, java.nio.file.attribute.FileTime.fromMillis(
                    System.currentTimeMillis() - left.getValue() * 60_000L));
        }
        AtomicDirectory.recover(org.apache.hadoop.fs.FileSystem.getLocal(new Configuration()),
                new org.apache.hadoop.fs.Path(dir.resolve("out").toString()), System.currentTimeMillis());
        try (Stream<Path> list = Files.list(dir)) {
            assertEquals(remaining, list.map(p -> p.getFileName().toString())
                    .filter(n -> !n.endsWith(".crc")).collect(java.util.stream.Collectors.toSet()));
        }
        // the target holds the current output, or the one a killed commit had moved aside
        assertEquals(target ? "current" : ".out.replaced-a", Files.readAllLines(dir.resolve("out").resolve(
                target ? "current.txt" : "part.txt")).get(0));
    }
}

package reviewnet.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replacing the champion pointer never leaves it absent or partial: readers polling {@code champion.json} while it
 * is replaced many times always find a complete pointer (Hadoop's local rename with overwrite deletes the old file
 * before renaming the new one, and a reader in between found none).
 */
class ChampionReplaceTest {
    @TempDir
    Path dir;

    @Test
    void readersNeverSeeTheChampionMissingOrPartial() throws Exception {
        Registry registry = new Registry(dir.toUri().toString(), new Configuration());
        registry.setChampion(champion(0));
        int replacements = 400;
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Thread reader = new Thread(() -> {
                while (writing.get() && problems.size() < 5) {
                    try {
                        Optional<JsonNode> champion = registry.champion();
                        if (champion.isEmpty()) {
                            problems.add("champion.json missing");
                        } else if (!champion.get().path("version").asText().startsWith("v")
                                || champion.get().path("padding").asText().length() < 1000) {
                            problems.add("partial champion.json: " + champion.get());
                        }
                        reads.incrementAndGet();
                    } catch (RuntimeException e) {
                        problems.add(e.toString());
                    }
                }
            });
            reader.start();
            readers.add(reader);
        }
        try {
            for (int i = 1; i <= replacements; i++) {
                registry.setChampion(champion(i));
            }
        } finally {
            writing.set(false);
            for (Thread reader : readers) {
                reader.join();
            }
        }
        assertEquals(List.of(), List.copyOf(problems), "after " + reads.get() + " reads");
        assertTrue(reads.get() > 100, "the readers raced the writer: " + reads.get() + " reads");
        assertEquals("v" + replacements, registry.champion().orElseThrow().path("version").asText());
        try (var files = java.nio.file.Files.list(dir)) {
            assertEquals(List.of("champion.json"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary or checksum files left behind");
        }
    }

    private static ObjectNode champion(int i) {
        ObjectNode node = Registry.JSON.createObjectNode().put("version", "v" + i);
        return node.put("padding", "x".repeat(1000 + 97 * (i % 50)));
    }
}

package reviewnet.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Log excerpts for the cluster tests' failure messages. */
final class Logs {
    private Logs() {
    }

    /** The last {@code lines} lines of {@code log}, or nothing if it does not exist (yet). */
    static String tail(Path log, int lines) throws IOException {
        List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}

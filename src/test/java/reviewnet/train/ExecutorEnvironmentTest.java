package reviewnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The OpenBLAS kernel family: chosen from the CPU flags in each JVM, never over a value already in its environment. */
class ExecutorEnvironmentTest {
    static Stream<Arguments> flags() {
        return Stream.of(
                // (setting, CPU flags, core type)
                Arguments.of("auto", Set.of("avx2", "fma", "avx512f", "avx512bw", "avx512vl"), "SkylakeX"),
                Arguments.of("auto", Set.of("avx2", "fma", "avx512f"), "Haswell"),
                Arguments.of("auto", Set.of("avx2", "fma"), "Haswell"),
                Arguments.of("auto", Set.of("sse4_2", "avx"), null),
                Arguments.of("none", Set.of("avx2", "fma"), null),
                Arguments.of("Zen", Set.of("avx2", "fma"), "Zen"));
    }

    @ParameterizedTest
    @MethodSource("flags")
    void choosesFromTheFlags(String setting, Set<String> flags, String expected) {
        assertEquals(expected, ExecutorEnvironment.coretype(setting, flags));
    }

    /** Runs {@link Probe} in a fresh JVM (setenv changes the process) with the given environment value. */
    static String probe(String preset, String setting) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Probe.class.getName(), setting);
        pb.environment().remove(ExecutorEnvironment.CORETYPE);
        if (preset != null) {
            pb.environment().put(ExecutorEnvironment.CORETYPE, preset);
        }
        pb.redirectErrorStream(false);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        List<String> lines = out.lines().filter(l -> l.startsWith("PROBE ")).toList();
        return lines.get(lines.size() - 1).substring(6);
    }

    @Test
    void anOperatorsValueIsNeverOverridden() throws Exception {
        // what the process environment holds afterwards, as OpenBLAS's getenv() will see it
        assertEquals("Haswell", probe("Haswell", "Zen"));
        assertEquals("Haswell", probe("Haswell", "auto"));
        assertEquals("Zen", probe(null, "Zen"));
        assertEquals(String.valueOf(ExecutorEnvironment.coretype("auto", ExecutorEnvironment.cpuFlags())),
                probe(null, "auto"));
        assertEquals("null", probe(null, "none"));
    }

    /** Applies a setting in this process and prints the C environment's value. */
    public static final class Probe {
        public static void main(String[] args) {
            ExecutorEnvironment.applyOpenblasCoretype(args[0]);
            System.out.println("PROBE " + ExecutorEnvironment.nativeEnv(ExecutorEnvironment.CORETYPE));
        }
    }
}

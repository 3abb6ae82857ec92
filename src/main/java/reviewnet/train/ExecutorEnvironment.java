package reviewnet.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.config.ExecutorSettings;

/**
 * The native environment ND4J needs on every executor. OpenMP would start one thread per visible core in every task,
 * oversubscribing Spark's cores: each executor gets {@code OMP_NUM_THREADS} = cores per task through
 * {@code spark.executorEnv.*} (the local master's executors live in the driver JVM, whose environment
 * submit-scripts/submit.sh sets, and whose ND4J thread pool is also capped here).
 *
 * <p>OpenBLAS 0.3.19 (in ND4J M2) does not recognise CPUs newer than it and falls back to SSE3 kernels. The kernel
 * family ({@code OPENBLAS_CORETYPE}) is decided in each JVM from that machine's own CPU flags, before ND4J loads
 * OpenBLAS ({@link #applyOpenblasCoretype}: the driver at configuration, every executor in {@link NativeBackend.Plugin}
 * when it starts), and written into the process environment with libc's {@code setenv(..., overwrite = 0)}: a value
 * already in the environment, set on purpose by an operator (older OpenBLAS builds compute wrong results on some
 * processors), is never overridden.
 */
public final class ExecutorEnvironment {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorEnvironment.class);

    private ExecutorEnvironment() {
    }

    static final String CORETYPE = "OPENBLAS_CORETYPE";
    /** The Spark property that carries {@code reviewnet.train.openblas-coretype} to the executors. */
    public static final String CORETYPE_PROPERTY = "spark.reviewnet.openblas-coretype";

    /** libc, for the variables OpenBLAS reads with getenv() when it loads. */
    interface LibC extends com.sun.jna.Library {
        int setenv(String name, String value, int overwrite);

        String getenv(String name);
    }

    /** The variables for one executor (OMP_NUM_THREADS), from the settings and the Spark configuration. */
    public static Map<String, String> variables(ExecutorSettings executor, SparkConf conf) {
        Map<String, String> env = new LinkedHashMap<>();
        int threads = executor.threadsPerTask() > 0 ? executor.threadsPerTask() : conf.getInt("spark.task.cpus", 1);
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        return env;
    }

    /**
     * Sets OPENBLAS_CORETYPE in this process for this machine's CPU ({@code setting}: auto, none or a core type
     * name), unless the environment has it already; call before ND4J loads. Returns the value in effect (null: none).
     */
    public static synchronized String applyOpenblasCoretype(String setting) {
        String present = System.getenv(CORETYPE);
        if (present != null && !present.isBlank()) {
            LOG.info("{}={} from the environment kept (setting {})", CORETYPE, present, setting);
            return present;
        }
        String wanted = coretype(setting, cpuFlags());
        if (wanted == null) {
            return null;
        }
        try {
            LibC libc = com.sun.jna.Native.loadLibrary("c", LibC.class);
            if (libc.setenv(CORETYPE, wanted, 0) != 0) {
                LOG.warn("setenv({}) failed: OpenBLAS chooses its kernels itself", CORETYPE);
                return null;
            }
            String effective = libc.getenv(CORETYPE);
            LOG.info("{}={} for this machine's CPU (setting {})", CORETYPE, effective, setting);
            return effective;
        } catch (LinkageError | RuntimeException e) {
            LOG.warn("cannot set {} in this process ({}): OpenBLAS chooses its kernels itself", CORETYPE, e.toString());
            return null;
        }
    }

    /** The value of a variable in this process's C environment (which setenv changes and System.getenv does not). */
    static String nativeEnv(String name) {
        try {
            return com.sun.jna.Native.loadLibrary("c", LibC.class).getenv(name);
        } catch (LinkageError | RuntimeException e) {
            return System.getenv(name);
        }
    }

    /**
     * The driver's part, before the session starts: executor variables, the core type and native build settings for
     * every executor (applied there by {@link NativeBackend.Plugin}), and both applied in this JVM.
     */
    public static void configure(ExecutorSettings executor, SparkConf conf) {
        apply(variables(executor, conf), conf);
        conf.set(CORETYPE_PROPERTY, executor.openblasCoretype());
        applyOpenblasCoretype(executor.openblasCoretype());
        NativeBackend.configure(executor.nativeBackend(), conf);
    }

    /** Adds the variables as {@code spark.executorEnv.*} unless the user set them explicitly. */
    public static void apply(Map<String, String> env, SparkConf conf) {
        env.forEach((name, value) -> {
            String key = "spark.executorEnv." + name;
            if (!conf.contains(key)) {
                conf.set(key, value);
            }
        });
    }

    /** Caps ND4J's threads in this JVM (the local master's executors run here) and reports what the JVM got. */
    public static void applyInProcess(Map<String, String> env) {
        int threads = Integer.parseInt(env.get("OMP_NUM_THREADS"));
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        String actualCoretype = nativeEnv(CORETYPE);
        LOG.info("native threads per task {}, OPENBLAS_CORETYPE {} (executors: {}), ND4J native library {}", threads,
                actualCoretype, env, org.bytedeco.javacpp.Loader.getLoadedLibraries().getOrDefault("nd4jcpu",
                        org.bytedeco.javacpp.Loader.getLoadedLibraries().keySet().toString()));
    }

    /**
     * {@code auto}: SkylakeX with AVX-512 (F, BW, VL), Haswell with AVX2 and FMA, else unset (OpenBLAS' own choice);
     * {@code none}: unset; anything else is taken as the core type name.
     */
    static String coretype(String setting, Set<String> flags) {
        if (setting.equalsIgnoreCase("none")) {
            return null;
        }
        if (!setting.equalsIgnoreCase("auto")) {
            return setting;
        }
        if (flags.containsAll(Set.of("avx512f", "avx512bw", "avx512vl"))) {
            return "SkylakeX";
        }
        if (flags.containsAll(Set.of("avx2", "fma"))) {
            return "Haswell";
        }
        return null;
    }

    static Set<String> cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return new HashSet<>(Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("no /proc/cpuinfo: OpenBLAS chooses its kernels itself", e);
        }
        return Set.of();
    }
}

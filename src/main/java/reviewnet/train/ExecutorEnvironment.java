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
import reviewnet.config.TrainSettings;

/**
 * The native environment ND4J needs on every executor. OpenMP would start one thread per visible core in every task,
 * oversubscribing Spark's cores: each executor gets {@code OMP_NUM_THREADS} = cores per task. OpenBLAS 0.3.19 (in
 * ND4J M2) does not recognise CPUs newer than it and falls back to SSE3 kernels: {@code OPENBLAS_CORETYPE} is set to
 * the family the CPU flags allow. Both go to {@code spark.executorEnv.*} (executors started by a cluster manager);
 * the local master's executors live in the driver JVM, whose environment submit-scripts/submit.sh sets, and whose
 * ND4J thread pool is also capped here.
 */
public final class ExecutorEnvironment {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorEnvironment.class);

    private ExecutorEnvironment() {
    }

    /** The variables for one executor, from the settings and the Spark configuration. */
    public static Map<String, String> variables(TrainSettings train, SparkConf conf) {
        Map<String, String> env = new LinkedHashMap<>();
        int threads = train.threadsPerTask() > 0 ? train.threadsPerTask() : conf.getInt("spark.task.cpus", 1);
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        String coretype = coretype(train.openblasCoretype(), cpuFlags());
        if (coretype != null) {
            env.put("OPENBLAS_CORETYPE", coretype);
        }
        return env;
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
        String actualCoretype = System.getenv("OPENBLAS_CORETYPE");
        String wanted = env.get("OPENBLAS_CORETYPE");
        if (wanted != null && !wanted.equalsIgnoreCase(String.valueOf(actualCoretype))) {
            LOG.warn("this JVM was started with OPENBLAS_CORETYPE={} (wanted {}): set it in the launch environment "
                    + "(submit-scripts/submit.sh does) for fast BLAS kernels in local mode", actualCoretype, wanted);
        }
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

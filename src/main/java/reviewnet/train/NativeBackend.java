package reviewnet.train;

import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.spark.SparkConf;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses which build of ND4J's native library a JVM loads, from that machine's CPU flags. The application jar carries
 * two builds of {@code nd4j-native}: the generic one and the oneDNN one for AVX2 CPUs, whose convolution and pooling
 * kernels are several times faster (see the closing note of the training-speed issue and
 * {@code submit-scripts/profile-minibatch.sh}). JavaCPP loads the build named by the system property
 * {@value #PROPERTY}, read once when ND4J first loads: the choice is made before that, in the driver by the job's
 * {@code configure} step and on every executor by {@link Plugin} (a Spark plugin, initialized when the executor starts,
 * before its first task), so that each machine decides from its own CPU.
 * <p>
 * Settings ({@code reviewnet.train.native-backend}): {@code auto} = the oneDNN AVX2 build where the CPU has AVX2 and
 * FMA and the build is on the classpath, else the generic build; {@code generic}; {@code onednn-avx2} (falls back to
 * generic, with a warning, where the CPU or the classpath lacks it). A value of {@value #PROPERTY} set by an operator
 * ({@code -D...} in the executor's or driver's Java options) is never overridden.
 */
public final class NativeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(NativeBackend.class);

    /** JavaCPP's platform extension: the suffix of the native build's folder, e.g. {@code -onednn-avx2}. */
    public static final String PROPERTY = "org.bytedeco.javacpp.platform.extension";
    /** The Spark property that carries the setting to the executors. */
    public static final String SPARK_PROPERTY = "spark.reviewnet.native-backend";
    static final String ONEDNN_AVX2 = "-onednn-avx2";

    private NativeBackend() {
    }

    /** The job's driver side: chooses for this JVM and has every executor choose for itself. */
    public static void configure(String setting, SparkConf conf) {
        select(setting);
        conf.set(SPARK_PROPERTY, setting);
        String plugins = conf.get("spark.plugins", "");
        if (!plugins.contains(Plugin.class.getName())) {
            conf.set("spark.plugins", plugins.isEmpty() ? Plugin.class.getName()
                    : plugins + "," + Plugin.class.getName());
        }
    }

    /** Sets {@value #PROPERTY} for this JVM unless it is set already; returns the extension in effect. */
    public static synchronized String select(String setting) {
        String set = System.getProperty(PROPERTY);
        if (set != null) {
            LOG.info("native backend: {}={} kept (already set in this JVM)", PROPERTY, set);
            return set;
        }
        String extension = extension(setting, ExecutorEnvironment.cpuFlags(), NativeBackend::onClasspath);
        System.setProperty(PROPERTY, extension);
        LOG.info("native backend: {} build of nd4j-native (setting {})",
                extension.isEmpty() ? "generic" : extension.substring(1), setting);
        return extension;
    }

    /** The extension for a setting on a CPU with {@code flags}, given which builds are on the classpath. */
    static String extension(String setting, Set<String> flags, Predicate<String> available) {
        boolean avx2 = flags.containsAll(Set.of("avx2", "fma"));
        switch (setting) {
            case "generic":
                return "";
            case "auto":
                return avx2 && available.test(ONEDNN_AVX2) ? ONEDNN_AVX2 : "";
            case "onednn-avx2":
                if (avx2 && available.test(ONEDNN_AVX2)) {
                    return ONEDNN_AVX2;
                }
                LOG.warn("native backend onednn-avx2 requested but {}: using the generic build",
                        avx2 ? "the build is not on the classpath" : "this CPU has no AVX2/FMA");
                return "";
            default:
                throw new IllegalArgumentException("native backend must be auto, generic or onednn-avx2, got '"
                        + setting + "'");
        }
    }

    static boolean onClasspath(String extension) {
        String resource = "org/nd4j/linalg/cpu/nativecpu/bindings/" + Loader.getPlatform() + extension + "/"
                + System.mapLibraryName("jnind4jcpu");
        return NativeBackend.class.getClassLoader().getResource(resource) != null;
    }

    /** Spark plugin ({@code spark.plugins}): every executor chooses its native build when it starts. */
    public static final class Plugin implements SparkPlugin {
        @Override
        public DriverPlugin driverPlugin() {
            return null;
        }

        @Override
        public ExecutorPlugin executorPlugin() {
            return new ExecutorPlugin() {
                @Override
                public void init(PluginContext ctx, Map<String, String> extraConf) {
                    // both before this executor's first task loads ND4J (and with it OpenBLAS)
                    ExecutorEnvironment.applyOpenblasCoretype(ctx.conf().get(ExecutorEnvironment.CORETYPE_PROPERTY,
                            "auto"));
                    select(ctx.conf().get(SPARK_PROPERTY, "auto"));
                }
            };
        }
    }
}

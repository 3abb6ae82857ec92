package reviewnet.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.List;

/**
 * The native environment of every JVM that runs networks (training, evaluation, prediction): native threads per task,
 * OpenBLAS kernel family and ND4J build ({@code reviewnet.train.threads-per-task}, {@code .openblas-coretype},
 * {@code .native-backend}).
 */
public record ExecutorSettings(int threadsPerTask, String openblasCoretype, String nativeBackend)
        implements Serializable {

    public static ExecutorSettings from(Config root) {
        String key = "reviewnet.train.";
        int threads = root.getInt(key + "threads-per-task");
        Settings.require(threads >= 0, root, key + "threads-per-task", "0 (= spark.task.cpus) or more, got " + threads);
        String nativeBackend = root.getString(key + "native-backend").trim();
        Settings.require(List.of("auto", "generic", "onednn-avx2").contains(nativeBackend), root,
                key + "native-backend", "auto, generic or onednn-avx2, got '" + nativeBackend + "'");
        return new ExecutorSettings(threads, root.getString(key + "openblas-coretype").trim(), nativeBackend);
    }
}

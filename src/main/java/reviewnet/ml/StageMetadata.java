package reviewnet.ml;

import org.apache.spark.SparkContext;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import scala.Option;

/**
 * Spark ML's own stage metadata ({@code <stage>/metadata}: class, uid, Spark version, params) for our stages that save
 * data beside their params (the vocabulary's words, the network's parameters), so that
 * {@code PipelineModel.load} finds and instantiates them like any Spark stage.
 *
 * <p>Spark 3.5 keeps the writer and reader of that file ({@code DefaultParamsWriter.saveMetadata},
 * {@code DefaultParamsReader.loadMetadata}) {@code private[ml]}, which the JVM sees as public; every third-party stage
 * library with data of its own calls them the same way. They are called here only, so a Spark upgrade that changes
 * them changes this class.
 */
public final class StageMetadata {
    private StageMetadata() {
    }

    /** Writes {@code path/metadata} for {@code stage} (its class, uid and every param set or defaulted). */
    public static void save(Params stage, String path, SparkContext sc) {
        DefaultParamsWriter$.MODULE$.saveMetadata(stage, path, sc, Option.empty(), Option.empty());
    }

    /** The uid saved in {@code path/metadata}, after checking it names {@code type}. */
    public static String uid(String path, SparkContext sc, Class<?> type) {
        return DefaultParamsReader$.MODULE$.loadMetadata(path, sc, type.getName()).uid();
    }

    /** Sets the params saved in {@code path/metadata} on {@code stage} (made with the saved uid) and returns it. */
    public static <T extends Params> T loadParams(T stage, String path, SparkContext sc) {
        DefaultParamsReader$.MODULE$.loadMetadata(path, sc, stage.getClass().getName())
                .getAndSetParams(stage, Option.empty());
        return stage;
    }

    /**
     * The reader of a stage that has only params ({@link org.apache.spark.ml.util.DefaultParamsWritable}): Spark's
     * default one, which calls the stage's {@code (String uid)} constructor and sets the saved params.
     */
    public static <T> MLReader<T> paramsReader() {
        return new DefaultParamsReadable<T>() { }.read();
    }
}

package reviewnet.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.config.InputSettings;
import reviewnet.config.PredictSettings;
import reviewnet.corpus.ReviewSchema;
import reviewnet.corpus.TabularCorpusReader;
import reviewnet.corpus.TextFolderReader;
import reviewnet.io.AtomicDirectory;
import reviewnet.ml.ReviewModels;
import reviewnet.registry.Registry;
import reviewnet.train.ExecutorEnvironment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * predict: scores raw reviews (a folder of *.txt files, or CSV/JSON/Parquet with a text column) with the champion or
 * a named registry version, loaded as the Spark ML PipelineModel it is ({@link ReviewModels}): a thin job over
 * {@code model.transform(reviews)}. Writes {@code predictions/} (id, source, probability, prediction, model_version),
 * {@code skipped/} (source, reason) and {@code summary.json} under {@code reviewnet.predict.output.path},
 * committed atomically. Unreadable, empty or oversized inputs are counted and reported, the rest scored.
 */
public final class PredictJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(PredictJob.class);

    private final PredictSettings settings;

    public PredictJob(PredictSettings settings) {
        this.settings = settings;
    }

    /** The executors score with the same native environment as training (threads, OpenBLAS kernels, ND4J build). */
    @Override
    public void configure(org.apache.spark.SparkConf conf) {
        ExecutorEnvironment.configure(settings.executor(), conf);
    }

    @Override
    public List<PathSetting> paths() {
        return List.of(PathSetting.input("reviewnet.predict.input.path", settings.inputPath()),
                PathSetting.other("reviewnet.predict.output.path", settings.outputPath()),
                PathSetting.other("reviewnet.retrain.registry", settings.registry()));
    }

    @Override
    public void execute(SparkSession spark) {
        run(spark);
    }

    public ObjectNode run(SparkSession spark) {
        Registry registry = new Registry(settings.registry(), spark.sparkContext().hadoopConfiguration());
        String version = registry.versionOf(settings.modelVersion());
        PipelineModel model = ReviewModels.withBatchSize(ReviewModels.load(spark,
                registry.resolve(settings.modelVersion())), settings.batchSize());
        Dataset<Row> raw = read(spark).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Dataset<Row> scored = model.transform(ReviewSchema.usable(raw).select(ReviewSchema.ID,
                            ReviewSchema.SOURCE, ReviewSchema.TEXT))
                    .select(col(ReviewSchema.ID), col(ReviewSchema.SOURCE),
                            ReviewModels.positiveProbability().as("probability"),
                            col("prediction").cast("int").as("prediction"), lit(version).as("model_version"));
            // written by the executors and counted per reason: nothing on the driver grows with the input
            Dataset<Row> skippedRows = raw.where(col(ReviewSchema.SKIP_REASON).isNotNull())
                    .select(col(ReviewSchema.SOURCE), col(ReviewSchema.SKIP_REASON).as("reason"),
                            col(ReviewSchema.SKIP_DETAIL).as("detail"));
            ObjectNode summary = new ObjectMapper().createObjectNode().put("model_version", version)
                    .put("input", settings.inputPath());
            try (AtomicDirectory out = AtomicDirectory.begin(settings.outputPath(),
                    spark.sparkContext().hadoopConfiguration())) {
                scored.write().parquet(out.path("predictions"));
                long count = spark.read().parquet(out.path("predictions")).count();
                skippedRows.orderBy(ReviewSchema.SOURCE).write().parquet(out.path("skipped"));
                long skipped = 0;
                ObjectNode reasons = summary.putObject("skipped_by_reason");
                for (Row row : spark.read().parquet(out.path("skipped")).groupBy("reason").count()
                        .orderBy("reason").collectAsList()) {
                    reasons.put(row.getString(0), row.getLong(1));
                    skipped += row.getLong(1);
                }
                summary.put("scored", count).put("skipped", skipped);
                try (OutputStream stream = out.fileSystem().create(new Path(out.path("summary.json")), false)) {
                    stream.write(summary.toPrettyString().getBytes(StandardCharsets.UTF_8));
                }
                out.commit();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + settings.outputPath(), e);
            }
            long skipped = summary.path("skipped").asLong();
            if (skipped > 0) {
                LOG.warn("{} inputs could not be scored: {}", skipped, summary.path("skipped_by_reason"));
            }
            System.out.println("reviewnet predict: " + summary.path("scored").asLong() + " reviews scored with "
                    + version + ", " + skipped + " skipped " + summary.path("skipped_by_reason") + " -> "
                    + settings.outputPath());
            return summary;
        } finally {
            raw.unpersist();
        }
    }

    /** Rows of {@link ReviewSchema#RAW} (split and label null). */
    private Dataset<Row> read(SparkSession spark) {
        if (settings.format() == PredictSettings.Format.TEXT_FILES) {
            return new TextFolderReader(settings.inputPath(), settings.maxBytes()).read(spark);
        }
        // the same reader as prepare (max-bytes, BOM stripping, CSV options, null ids), without labels or splits
        InputSettings.Format format = InputSettings.Format.valueOf(settings.format().name());
        InputSettings input = new InputSettings(settings.inputPath(), format, List.of(), List.of(),
                settings.maxBytes(),
                new InputSettings.Columns(settings.idColumn(), settings.textColumn(), null, null), settings.csv());
        return TabularCorpusReader.unlabelled(input).read(spark);
    }
}

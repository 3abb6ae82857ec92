package reviewnet.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.config.RetrainSettings;
import reviewnet.corpus.CorpusReader;
import reviewnet.corpus.ReviewSchema;
import reviewnet.eval.DistributedEvaluator;
import reviewnet.eval.Metrics;
import reviewnet.eval.ResultRow;
import reviewnet.eval.ResultsTable;
import reviewnet.predict.Scorer;
import reviewnet.registry.Registry;
import reviewnet.registry.RegistryLock;

import static org.apache.spark.sql.functions.col;

/**
 * retrain: under the registry lock, trains the configured architectures on the current corpus (prepared data reused
 * when its fingerprint is unchanged), checkpointing every epoch, registers each trained model as a version, and
 * promotes the best one to champion when its test accuracy beats the champion's on the same test data by
 * {@code reviewnet.retrain.margin}.
 *
 * <p>The run record {@code runs/<run-id>.json} is the run's one commit point:
 * <ol>
 *   <li>before it, each architecture's version is written ({@code model.zip}, then {@code metrics.json} with its
 *   results row, which marks it complete), and the decision is taken against the champion pointer as it was: nothing
 *   this run writes before the record is visible to predict or to the results table;</li>
 *   <li>the record (decision, the pointer to set, the results table) is written by rename;</li>
 *   <li>after it, idempotent completion: the champion pointer is set (only while it still names the champion the
 *   decision was taken against), the results rows are appended unless the table holds that (run id, architecture)
 *   already, and the checkpoints are deleted.</li>
 * </ol>
 * A re-run of the same run id after a kill anywhere resumes: complete versions are reused, unfinished ones resume
 * from their checkpoints, and a committed run is only completed, never decided again.
 */
public final class RetrainJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(RetrainJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Called after each step of a run, in order: {@code version:<architecture>} (each version complete),
     * {@code recorded} (the commit point), {@code champion} (pointer), {@code results} (results rows). Tests
     * interrupt runs there.
     */
    interface Steps {
        void after(String step);
    }

    private final RetrainSettings settings;
    private final TrainingService training;
    private final Steps steps;

    public RetrainJob(RetrainSettings settings, String jobName) {
        this(settings, jobName, step -> { });
    }

    RetrainJob(RetrainSettings settings, String jobName, Steps steps) {
        this.settings = settings;
        this.training = new TrainingService(settings.compare(), jobName);
        this.steps = steps;
    }

    /** One complete version of this run, as {@code metrics.json} records it. */
    record TrainedVersion(String version, double accuracy, int epochsTrained, int resumedFromEpoch,
                          ResultRow resultsRow) {
    }

    @Override
    public void configure(SparkConf conf) {
        training.configure(conf);
    }

    @Override
    public List<PathSetting> paths() {
        List<PathSetting> paths = new ArrayList<>(CompareJob.paths(settings.compare()));
        paths.add(PathSetting.other("reviewnet.retrain.registry", settings.registry()));
        return paths;
    }

    @Override
    public void execute(SparkSession spark) {
        run(spark);
    }

    /** Returns the run record (also written to the registry). */
    public JsonNode run(SparkSession spark) {
        String runId = settings.runId().isEmpty() ? TrainingService.newRunId(Instant.now()) : settings.runId();
        Registry registry = new Registry(settings.registry(), spark.sparkContext().hadoopConfiguration());
        try (RegistryLock lock = RegistryLock.acquire(registry, runId)) {
            Optional<JsonNode> committed = registry.run(runId);
            ObjectNode record;
            if (committed.isPresent()) {
                record = (ObjectNode) committed.get();
                LOG.info("run {} is committed already ({}): completing what a kill may have left undone", runId,
                        record.path("decision").asText());
            } else {
                record = trainAndDecide(spark, registry, runId);
                registry.recordRun(runId, record);
                steps.after("recorded");
            }
            complete(spark, registry, runId, record);
            System.out.println("reviewnet retrain: run " + runId + ": " + record.path("decision").asText() + " — "
                    + record.path("reason").asText() + (committed.isPresent() ? " (committed earlier)" : ""));
            return record;
        }
    }

    /** Everything before the commit point: the versions and the decision; the registry's pointer is not touched. */
    private ObjectNode trainAndDecide(SparkSession spark, Registry registry, String runId) {
        PreparedData prepared = PreparedData.ensure(spark, settings.compare().prepare());
        String fingerprint = prepared.fingerprint();
        List<TrainedVersion> versions = new ArrayList<>();
        TrainingService.Run run = null;
        try {
            for (String name : settings.compare().train().architectures()) {
                String version = runId + "-" + name;
                Optional<TrainedVersion> done = completeVersion(registry, version, fingerprint);
                if (done.isPresent()) {
                    LOG.info("{}: version {} is complete from an earlier attempt of run {}: reused", name, version,
                            runId);
                } else {
                    if (run == null) {
                        run = training.start(spark, runId, prepared);
                    }
                    TrainingService.Outcome outcome = training.trainAndEvaluate(spark, run, name,
                            registry.versionDir(version), registry.checkpointDir(runId, name));
                    done = Optional.of(writeMetrics(registry, version, outcome, run));
                }
                versions.add(done.get());
                steps.after("version:" + name);
            }
        } finally {
            if (run != null) {
                run.close();
                TrainingService.deleteQuietly(spark, run.tmp());
            }
        }
        return decide(spark, registry, runId, prepared, versions);
    }

    /**
     * The version's {@code metrics.json} when an earlier attempt of this run completed it on the same data and
     * settings.
     */
    private Optional<TrainedVersion> completeVersion(Registry registry, String version, String fingerprint) {
        Optional<JsonNode> metrics = registry.read(new Path(registry.versionDir(version), "metrics.json"));
        if (metrics.isEmpty() || !metrics.get().has("results_row")) {
            return Optional.empty();
        }
        JsonNode m = metrics.get();
        List<String> differences = new ArrayList<>();
        if (!fingerprint.equals(m.path("data_fingerprint").asText())) {
            differences.add("data fingerprint " + m.path("data_fingerprint").asText() + " -> " + fingerprint);
        }
        if (!settings.compare().resolvedConfig().equals(m.path("config").asText())) {
            differences.add("settings (reviewnet.*)");
        }
        if (!differences.isEmpty()) {
            throw new IllegalStateException("version " + version + " was completed by an earlier attempt of this run "
                    + "on other data or settings (" + String.join(", ", differences) + "): refusing to mix them. "
                    + "Re-run with the original input and settings, or use a new run id");
        }
        return Optional.of(new TrainedVersion(version, m.path("accuracy").asDouble(),
                m.path("epochs_trained").asInt(), m.path("resumed_from_epoch").asInt(),
                ResultsTable.fromJson(m.path("results_row"))));
    }

    private TrainedVersion writeMetrics(Registry registry, String version, TrainingService.Outcome outcome,
                                        TrainingService.Run run) {
        ObjectNode metrics = JSON.valueToTree(outcome.metrics());
        metrics.put("version", version);
        metrics.put("data_fingerprint", run.context().dataFingerprint());
        metrics.put("epochs_trained", outcome.epochsTrained());
        metrics.put("resumed_from_epoch", outcome.resumedFromEpoch());
        metrics.put("config", run.context().config());
        metrics.set("results_row", ResultsTable.toJson(outcome.row()));
        registry.write(new Path(registry.versionDir(version), "metrics.json"), metrics);
        return new TrainedVersion(version, outcome.metrics().accuracy(), outcome.epochsTrained(),
                outcome.resumedFromEpoch(), outcome.row());
    }

    private ObjectNode decide(SparkSession spark, Registry registry, String runId, PreparedData prepared,
                              List<TrainedVersion> trained) {
        String fingerprint = prepared.fingerprint();
        TrainedVersion best = trained.get(0);
        for (TrainedVersion v : trained) {
            if (v.accuracy() > best.accuracy()) {
                best = v;
            }
        }
        double margin = settings.margin();
        Optional<JsonNode> champion = registry.champion();
        String finished = Instant.now().toString();
        ObjectNode record = JSON.createObjectNode().put("run_id", runId).put("finished", finished)
                .put("data_fingerprint", fingerprint).put("margin", margin);
        ArrayNode versions = record.putArray("versions");
        for (TrainedVersion v : trained) {
            versions.addObject().put("version", v.version()).put("accuracy", v.accuracy())
                    .put("epochs_trained", v.epochsTrained()).put("resumed_from_epoch", v.resumedFromEpoch());
        }
        boolean promote;
        String reason;
        if (champion.isEmpty()) {
            promote = true;
            reason = "no champion yet";
        } else {
            String championVersion = champion.get().path("version").asText();
            double championAccuracy = championAccuracy(spark, registry, champion.get(), prepared, record);
            record.put("champion_before", championVersion).put("champion_accuracy", championAccuracy);
            promote = best.accuracy() >= championAccuracy + margin;
            reason = String.format("%s accuracy %.4f vs champion %s %.4f on the same test data: %s the margin %.4f",
                    best.version(), best.accuracy(), championVersion, championAccuracy,
                    promote ? "beats it by at least" : "does not beat it by", margin);
        }
        record.put("decision", promote ? "promoted " + best.version()
                : "kept " + champion.get().path("version").asText());
        record.put("promoted", promote).put("reason", reason);
        if (promote) {
            record.putObject("champion").put("version", best.version()).put("accuracy", best.accuracy())
                    .put("data_fingerprint", fingerprint).put("run_id", runId).put("promoted", finished)
                    .put("reason", reason);
        }
        record.put("results_table", new Path(settings.compare().paths().output(), TrainingService.RESULTS).toString());
        LOG.info("run {}: {} ({})", runId, record.path("decision").asText(), reason);
        return record;
    }

    /**
     * After the commit point, idempotent: the champion pointer, the results rows, the checkpoints. (A record written
     * before the commit point existed carries no pointer or results table: those were written before it.)
     */
    private void complete(SparkSession spark, Registry registry, String runId, JsonNode record) {
        JsonNode pointer = record.path("champion");
        if (record.path("promoted").asBoolean() && pointer.isObject()) {
            String mine = pointer.path("version").asText();
            String current = registry.champion().map(c -> c.path("version").asText()).orElse(null);
            String before = record.hasNonNull("champion_before") ? record.path("champion_before").asText() : null;
            if (Objects.equals(current, before)) {
                registry.setChampion((ObjectNode) pointer.deepCopy());
                LOG.info("run {}: champion pointer set to {}", runId, mine);
            } else if (!mine.equals(current)) {
                LOG.warn("run {} promoted {}, but the champion pointer has moved since to {}: left as it is", runId,
                        mine, current);
            }
        }
        steps.after("champion");
        if (record.hasNonNull("results_table")) {
            List<ResultRow> rows = new ArrayList<>();
            for (JsonNode v : record.path("versions")) {
                String version = v.path("version").asText();
                JsonNode metrics = registry.read(new Path(registry.versionDir(version), "metrics.json"))
                        .orElseThrow(() -> new IllegalStateException("the committed version " + version
                                + " has no metrics.json in " + registry.root()));
                rows.add(ResultsTable.fromJson(metrics.path("results_row")));
            }
            List<ResultRow> appended = new ResultsTable(record.path("results_table").asText()).appendMissing(spark, rows);
            LOG.info("run {}: {} results row(s) appended to {} ({} there already)", runId, appended.size(),
                    record.path("results_table").asText(), rows.size() - appended.size());
        }
        steps.after("results");
        registry.deleteCheckpoints(runId);
    }

    /**
     * The champion's accuracy on the challengers' test data: its recorded accuracy when it was evaluated on the same
     * prepared data (same fingerprint); else it is evaluated again, through the same evaluator as the challengers
     * ({@link DistributedEvaluator}: one pass, {@code eval-batch-size}), on exactly the reviews they were tested on
     * (the prepared test split's ids), each analysed, encoded and padded with the champion's own settings and
     * vocabulary. Its metrics go into the run record ({@code champion_metrics}).
     */
    private double championAccuracy(SparkSession spark, Registry registry, JsonNode champion, PreparedData prepared,
                                    ObjectNode record) {
        if (prepared.fingerprint().equals(champion.path("data_fingerprint").asText())) {
            return champion.path("accuracy").asDouble();
        }
        String version = champion.path("version").asText();
        LOG.info("the champion {} was evaluated on other data: evaluating it on the current test split", version);
        Scorer scorer = Scorer.load(spark, registry.resolve(version), version);
        Dataset<Row> testIds = spark.read().parquet(prepared.test()).select(ReviewSchema.ID);
        Dataset<Row> test = ReviewSchema.usable(CorpusReader.of(settings.compare().prepare().input()).read(spark))
                .where(col(ReviewSchema.SPLIT).equalTo(settings.compare().prepare().input().testSplit()))
                .join(testIds, ReviewSchema.ID).select(ReviewSchema.LABEL, ReviewSchema.TEXT);
        Metrics metrics = scorer.evaluate(spark, test, settings.compare().train().evalBatchSize(),
                spark.sparkContext().defaultParallelism());
        if (metrics.examples() != prepared.testRows()) {
            throw new IllegalStateException("the champion was evaluated on " + metrics.examples() + " reviews, the "
                    + "challengers on " + prepared.testRows() + ": the input changed during the run");
        }
        record.set("champion_metrics", JSON.valueToTree(metrics));
        return metrics.accuracy();
    }
}

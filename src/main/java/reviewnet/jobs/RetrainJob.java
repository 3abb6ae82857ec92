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
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reviewnet.config.RetrainSettings;
import reviewnet.corpus.CorpusReader;
import reviewnet.corpus.ReviewIds;
import reviewnet.corpus.ReviewSchema;
import reviewnet.eval.Evaluated;
import reviewnet.eval.Metrics;
import reviewnet.eval.Predictions;
import reviewnet.eval.Uncertainty;
import reviewnet.eval.ResultRow;
import reviewnet.eval.ResultsTable;
import reviewnet.io.HadoopFiles;
import reviewnet.ml.ReviewModels;
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
 *   <li>before it, each architecture's version is written (the model, then {@code metrics.json} with its
 *   results row, which marks it complete), and the decision is taken against the champion pointer as it was: nothing
 *   this run writes before the record is visible to predict or to the results table;</li>
 *   <li>the record (decision, the pointer to set, the results table) is written by rename;</li>
 *   <li>after it, idempotent completion: the champion pointer is set (only while it still names the champion the
 *   decision was taken against), the results rows are appended unless the table holds that (run id, architecture)
 *   already, and the checkpoints are deleted.</li>
 * </ol>
 * When that is done the record is marked {@code completed}. A re-run of the same run id after a kill anywhere
 * resumes: complete versions are reused, unfinished ones resume from their checkpoints, and a committed run is only
 * completed, never decided again. Any run, of any id, first completes (under the lock) every other run that committed
 * but was not marked completed: a run killed after its commit point is finished by whichever run comes next.
 */
public final class RetrainJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(RetrainJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Records of this format are marked {@code completed} when everything after their commit point is done, so any
     * later run can tell a committed-but-unfinished run and complete it. Earlier records carry no such mark.
     */
    static final int RECORD_FORMAT = 2;

    /**
     * Called after each step of a run, in order: {@code rolled-forward} (other runs completed),
     * {@code version:<architecture>} (each version complete),
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
        /** The validation accuracy of its restored epoch; null when trained without the hold-out. */
        Double validationAccuracy() {
            return resultsRow.validationAccuracy();
        }
    }

    /**
     * The challenger: the version with the highest validation accuracy (the first on ties); with a single version,
     * that one. The test split plays no part: choosing on it would inflate the very figure the champion is then
     * compared with (the winner's curse).
     */
    static TrainedVersion select(List<TrainedVersion> versions) {
        if (versions.size() == 1) {
            return versions.get(0);
        }
        TrainedVersion best = null;
        for (TrainedVersion v : versions) {
            if (v.validationAccuracy() == null) {
                throw new IllegalStateException("version " + v.version() + " has no validation accuracy: the "
                        + "challenger among several versions is chosen on validation data only");
            }
            if (best == null || v.validationAccuracy() > best.validationAccuracy()) {
                best = v;
            }
        }
        return best;
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
            rollForward(spark, registry, runId);
            steps.after("rolled-forward");
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

    /**
     * Completes every other run that committed (its record written, in this record format) but was not completed:
     * killed after its commit point, by whatever id runs next. Oldest commit first, so that pointers move in the
     * order the decisions were taken.
     */
    private void rollForward(SparkSession spark, Registry registry, String runId) {
        List<ObjectNode> unfinished = new ArrayList<>();
        for (String id : registry.runIds()) {
            if (id.equals(runId)) {
                continue; // this run id completes itself below
            }
            registry.run(id).filter(r -> marksCompletion(r) && !r.hasNonNull("completed"))
                    .ifPresent(r -> unfinished.add((ObjectNode) r));
        }
        unfinished.sort(java.util.Comparator.comparing((ObjectNode r) -> r.path("finished").asText())
                .thenComparing(r -> r.path("run_id").asText()));
        for (ObjectNode record : unfinished) {
            String id = record.path("run_id").asText();
            LOG.warn("run {} committed ({}) but did not complete: completing it before run {}", id,
                    record.path("decision").asText(), runId);
            complete(spark, registry, id, record);
        }
    }

    /** Whether a run record is of the format that is marked {@code completed} once its completion is done. */
    private static boolean marksCompletion(JsonNode record) {
        return record.path("record_format").asInt(1) >= RECORD_FORMAT;
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
                    TrainingService.Outcome outcome = training.trainAndEvaluate(spark, run, name, 1,
                            settings.compare().train().seed(), new TrainingService.Destination(
                                    registry.versionDir(version), registry.checkpointDir(runId, name),
                                    predictionsDir(registry, version)));
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

    /** Where a version's per-review test predictions are. */
    static String predictionsDir(Registry registry, String version) {
        return new Path(registry.versionDir(version), Predictions.DIR).toString();
    }

    private ObjectNode decide(SparkSession spark, Registry registry, String runId, PreparedData prepared,
                              List<TrainedVersion> trained) {
        String fingerprint = prepared.fingerprint();
        TrainedVersion best = select(trained);
        double margin = settings.margin();
        Optional<JsonNode> champion = registry.champion();
        String finished = Instant.now().toString();
        ObjectNode record = JSON.createObjectNode().put("record_format", RECORD_FORMAT).put("run_id", runId)
                .put("finished", finished)
                .put("data_fingerprint", fingerprint).put("margin", margin)
                .put("promote_when", settings.promoteWhen().name().toLowerCase(java.util.Locale.ROOT))
                .put("alpha", settings.alpha())
                .put("selected_by", trained.size() == 1 ? "only version" : "validation")
                .put("challenger", best.version());
        ArrayNode versions = record.putArray("versions");
        for (TrainedVersion v : trained) {
            ObjectNode entry = versions.addObject().put("version", v.version()).put("accuracy", v.accuracy())
                    .put("epochs_trained", v.epochsTrained()).put("resumed_from_epoch", v.resumedFromEpoch());
            if (v.validationAccuracy() != null) {
                entry.put("validation_accuracy", v.validationAccuracy());
            } else {
                entry.putNull("validation_accuracy");
            }
        }
        boolean promote;
        String reason;
        if (champion.isEmpty()) {
            promote = true;
            reason = "no champion yet";
        } else {
            String championVersion = champion.get().path("version").asText();
            record.put("champion_before", championVersion);
            Paired paired = paired(spark, registry, champion.get(), prepared, best, record);
            record.put("champion_accuracy", paired.championAccuracy())
                    .put("challenger_accuracy", paired.challengerAccuracy());
            boolean byMargin = paired.challengerAccuracy() >= paired.championAccuracy() + margin;
            if (paired.p() == null) {
                record.putNull("discordant");
                record.putNull("p_value");
            } else {
                record.putObject("discordant").put("challenger_only", paired.challengerOnly())
                        .put("champion_only", paired.championOnly());
                record.put("p_value", paired.p());
            }
            boolean significant = paired.p() != null && paired.p() < settings.alpha();
            promote = byMargin && (settings.promoteWhen() == RetrainSettings.PromoteWhen.MARGIN || significant);
            String test = paired.p() == null ? "no paired test (the champion's per-review predictions are not there)"
                    : String.format(java.util.Locale.ROOT, "McNemar's exact test p = %.4g on %d + %d discordant "
                            + "reviews (%s at alpha %.3g)", paired.p(), paired.challengerOnly(),
                            paired.championOnly(), significant ? "significant" : "not significant", settings.alpha());
            reason = String.format(java.util.Locale.ROOT, "%s (%s) accuracy %.4f vs champion %s %.4f on the "
                            + "same test reviews: %s the margin %.4f; %s", best.version(),
                    trained.size() == 1 ? "its run's only version" : "chosen on validation", paired.challengerAccuracy(),
                    championVersion, paired.championAccuracy(), byMargin ? "beats it by at least"
                            : "does not beat it by", margin, test);
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

    /** The challenger against the champion on the same test reviews; p (and the counts) null without a paired test. */
    record Paired(double challengerAccuracy, double championAccuracy, long challengerOnly, long championOnly,
                  Double p) {
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
        if (marksCompletion(record) && !record.hasNonNull("completed")) {
            registry.recordRun(runId, ((ObjectNode) record.deepCopy()).put("completed", Instant.now().toString()));
        }
    }

    /**
     * The challenger and the champion on the same test reviews, review by review. The challenger's per-review
     * predictions are those its evaluation wrote. The champion's: those it wrote itself when it was evaluated on the same
     * prepared data (same fingerprint); else it is scored again, through the same network evaluation, on exactly the
     * reviews the challenger was tested on (the prepared test split's ids), each analysed, encoded and padded with the
     * champion's own settings and vocabulary ({@code champion_metrics} in the record). Reviews are paired by id; a
     * review missing on either side fails the run. A champion with neither (a registry from before predictions
     * existed, on the same data) is compared by its recorded accuracy, without a paired test.
     */
    private Paired paired(SparkSession spark, Registry registry, JsonNode champion, PreparedData prepared,
                          TrainedVersion challenger, ObjectNode record) {
        String version = champion.path("version").asText();
        String own = predictionsDir(registry, version);
        boolean sameData = prepared.fingerprint().equals(champion.path("data_fingerprint").asText());
        Dataset<Row> championScores;
        Evaluated rescored = null;
        try {
            if (sameData && HadoopFiles.exists(spark, own, "the champion's predictions")) {
                championScores = Predictions.read(spark, own).select(col("id"), col("probability"));
            } else if (sameData && !modelExists(spark, registry, version)) {
                double recorded = champion.path("accuracy").asDouble();
                return new Paired(challenger.accuracy(), recorded, 0, 0, null);
            } else {
                LOG.info("scoring the champion {} on the current test split, review by review", version);
                PipelineModel model = ReviewModels.withBatchSize(ReviewModels.load(spark, registry.resolve(version)),
                        settings.compare().train().evalBatchSize());
                Dataset<Row> testIds = spark.read().parquet(prepared.test()).select(ReviewSchema.ID);
                Dataset<Row> inputTest = ReviewSchema.usable(CorpusReader.of(settings.compare().prepare().input())
                        .read(spark)).where(col(ReviewSchema.SPLIT).equalTo(settings.compare().prepare().input().testSplit()));
                ReviewIds.requireAllPresent(testIds, inputTest, "scoring the champion again: the prepared test reviews "
                        + "joined by id with the input");
                Dataset<Row> test = inputTest.join(testIds, ReviewSchema.ID);
                // held until the pairs are collected below: the champion is scored once, for its metrics and its pairs
                rescored = ReviewModels.evaluated(model, test.select(ReviewSchema.ID, ReviewSchema.LABEL,
                        ReviewSchema.TEXT));
                record.set("champion_metrics", JSON.valueToTree(rescored.metrics()));
                championScores = rescored.predictions(spark, "", version, 1).select(col("id"), col("probability"));
            }
            Dataset<Row> labels = spark.read().parquet(prepared.test()).select(col(ReviewSchema.ID).as("id"),
                    col(ReviewSchema.LABEL).as("label"));
            Dataset<Row> mine = Predictions.read(spark, predictionsDir(registry, challenger.version()))
                    .select(col("id"), col("probability").as("challenger"));
            List<Row> pairs = labels.join(mine, "id").join(championScores.withColumnRenamed("probability", "champion"),
                    "id").select("label", "challenger", "champion").collectAsList();
            if (pairs.size() != prepared.testRows()) {
                throw new IllegalStateException("the champion and the challenger were paired on " + pairs.size()
                        + " of the " + prepared.testRows() + " test reviews: the input changed during the run, or a "
                        + "review id is missing on one side");
            }
            long challengerRight = 0;
            long championRight = 0;
            long challengerOnly = 0;
            long championOnly = 0;
            for (Row r : pairs) {
                boolean positive = r.getInt(0) == 1;
                boolean a = (r.getDouble(1) >= 0.5) == positive;
                boolean b = (r.getDouble(2) >= 0.5) == positive;
                challengerRight += a ? 1 : 0;
                championRight += b ? 1 : 0;
                challengerOnly += a && !b ? 1 : 0;
                championOnly += b && !a ? 1 : 0;
            }
            return new Paired(challengerRight / (double) pairs.size(), championRight / (double) pairs.size(),
                    challengerOnly, championOnly, Uncertainty.mcnemarExactP(challengerOnly, championOnly));
        } finally {
            if (rescored != null) {
                rescored.close();
            }
        }
    }

    private static boolean modelExists(SparkSession spark, Registry registry, String version) {
        return HadoopFiles.exists(spark, registry.versionDir(version), "the registry version");
    }
}

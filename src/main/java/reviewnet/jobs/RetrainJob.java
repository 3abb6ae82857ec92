package reviewnet.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
import reviewnet.predict.Scorer;
import reviewnet.registry.Registry;
import reviewnet.registry.RegistryLock;

import static org.apache.spark.sql.functions.col;

/**
 * retrain: under the registry lock, trains the configured architectures on the current corpus (prepared data reused
 * when its fingerprint is unchanged), checkpointing every epoch, registers each trained model as a version, and
 * promotes the best one to champion when its test accuracy beats the champion's on the same test data by
 * {@code reviewnet.retrain.margin}. A finished run id is not run again.
 */
public final class RetrainJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(RetrainJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RetrainSettings settings;
    private final CompareJob training;

    public RetrainJob(RetrainSettings settings, String jobName) {
        this.settings = settings;
        this.training = new CompareJob(settings.compare(), jobName);
    }

    @Override
    public void configure(SparkConf conf) {
        training.configure(conf);
    }

    @Override
    public void execute(SparkSession spark) {
        run(spark);
    }

    /** Returns the run record (also written to the registry). */
    public JsonNode run(SparkSession spark) {
        String runId = settings.runId().isEmpty() ? CompareJob.newRunId(Instant.now()) : settings.runId();
        Registry registry = new Registry(settings.registry(), spark.sparkContext().hadoopConfiguration());
        try (RegistryLock lock = RegistryLock.acquire(registry, runId)) {
            Optional<JsonNode> finished = registry.run(runId);
            if (finished.isPresent()) {
                LOG.info("run {} already finished ({}): nothing to do", runId, finished.get().path("decision").asText());
                System.out.println("reviewnet retrain: run " + runId + " already finished; nothing changed");
                return finished.get();
            }
            CompareJob.Run run = training.start(spark, runId);
            List<CompareJob.Outcome> outcomes = new ArrayList<>();
            try {
                for (String name : settings.compare().train().architectures()) {
                    String version = runId + "-" + name;
                    CompareJob.Outcome outcome = training.trainAndEvaluate(spark, run, name,
                            registry.versionDir(version), registry.checkpointDir(runId, name));
                    writeMetrics(registry, version, outcome, run);
                    outcomes.add(outcome);
                }
            } finally {
                run.close();
                CompareJob.deleteQuietly(spark, run.tmp());
            }
            ObjectNode record = decide(spark, registry, runId, run, outcomes);
            registry.recordRun(runId, record);
            registry.deleteCheckpoints(runId);
            System.out.println("reviewnet retrain: run " + runId + ": " + record.path("decision").asText() + " — "
                    + record.path("reason").asText());
            return record;
        }
    }

    private void writeMetrics(Registry registry, String version, CompareJob.Outcome outcome, CompareJob.Run run) {
        ObjectNode metrics = JSON.valueToTree(outcome.metrics());
        metrics.put("version", version);
        metrics.put("data_fingerprint", run.context().dataFingerprint());
        metrics.put("epochs_trained", outcome.trained().epochs());
        metrics.put("resumed_from_epoch", outcome.trained().resumedFromEpoch());
        registry.write(new Path(registry.versionDir(version), "metrics.json"), metrics);
    }

    private ObjectNode decide(SparkSession spark, Registry registry, String runId, CompareJob.Run run,
                              List<CompareJob.Outcome> outcomes) {
        CompareJob.Outcome best = outcomes.get(0);
        for (CompareJob.Outcome o : outcomes) {
            if (o.metrics().accuracy() > best.metrics().accuracy()) {
                best = o;
            }
        }
        String bestVersion = versionOf(runId, best);
        double margin = settings.margin();
        Optional<JsonNode> champion = registry.champion();
        ObjectNode record = JSON.createObjectNode().put("run_id", runId).put("finished", Instant.now().toString())
                .put("data_fingerprint", run.context().dataFingerprint()).put("margin", margin);
        ArrayNode versions = record.putArray("versions");
        for (CompareJob.Outcome o : outcomes) {
            versions.addObject().put("version", versionOf(runId, o)).put("accuracy", o.metrics().accuracy())
                    .put("epochs_trained", o.trained().epochs())
                    .put("resumed_from_epoch", o.trained().resumedFromEpoch());
        }
        boolean promote;
        String reason;
        if (champion.isEmpty()) {
            promote = true;
            reason = "no champion yet";
        } else {
            String championVersion = champion.get().path("version").asText();
            double championAccuracy = championAccuracy(spark, registry, champion.get(), run);
            record.put("champion_before", championVersion).put("champion_accuracy", championAccuracy);
            promote = best.metrics().accuracy() >= championAccuracy + margin;
            reason = String.format("%s accuracy %.4f vs champion %s %.4f on the same test data: %s the margin %.4f",
                    bestVersion, best.metrics().accuracy(), championVersion, championAccuracy,
                    promote ? "beats it by at least" : "does not beat it by", margin);
        }
        if (promote) {
            registry.setChampion(JSON.createObjectNode().put("version", bestVersion)
                    .put("accuracy", best.metrics().accuracy()).put("data_fingerprint", run.context().dataFingerprint())
                    .put("run_id", runId).put("promoted", Instant.now().toString()).put("reason", reason));
        }
        record.put("decision", promote ? "promoted " + bestVersion : "kept " + champion.get().path("version").asText());
        record.put("promoted", promote).put("reason", reason);
        LOG.info("run {}: {} ({})", runId, record.path("decision").asText(), reason);
        return record;
    }

    static String versionOf(String runId, CompareJob.Outcome outcome) {
        return runId + "-" + reviewnet.eval.ResultsTable.string(outcome.row(), "architecture");
    }

    /**
     * The champion's accuracy on the current test data: its recorded accuracy when it was evaluated on the same
     * prepared data (same fingerprint), else it is scored again on the current test split, with its own analysis
     * and vocabulary.
     */
    private double championAccuracy(SparkSession spark, Registry registry, JsonNode champion, CompareJob.Run run) {
        if (run.context().dataFingerprint().equals(champion.path("data_fingerprint").asText())) {
            return champion.path("accuracy").asDouble();
        }
        String version = champion.path("version").asText();
        LOG.info("the champion {} was evaluated on other data: scoring it on the current test split", version);
        Scorer scorer = Scorer.load(spark, registry.resolve(version), version);
        CorpusReader reader = CorpusReader.of(settings.compare().prepare().input());
        Dataset<Row> test = ReviewSchema.usable(reader.read(spark))
                .where(col(ReviewSchema.SPLIT).equalTo(settings.compare().prepare().input().testSplit()));
        Dataset<Row> scored = scorer.score(spark, test, 256).join(test.select("id", "label"), "id");
        long total = scored.count();
        long correct = scored.where(col("prediction").equalTo(col("label"))).count();
        return total == 0 ? 0 : (double) correct / total;
    }
}

package reviewnet.eval;

import java.sql.Timestamp;
import java.time.Instant;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import reviewnet.config.ModelSettings;
import reviewnet.config.TrainSettings;

/** Builds one results row (see {@link ResultsTable#SCHEMA}) with its full provenance. */
public final class ResultRow {
    private ResultRow() {
    }

    /** What is the same for every architecture of one run. */
    public record RunContext(String runId, Instant started, String job, String sparkMaster, String dataFingerprint,
                             long trainExamples, long testExamples, String config, String codeVersion) {
    }

    public static Row of(RunContext run, String architecture, ModelSettings model, TrainSettings train, int workers,
                         TrainSettings.Approach approach, long parameters, double trainSeconds, double examplesPerSecond, Metrics m,
                         String modelPath) {
        return RowFactory.create(run.runId(), Timestamp.from(run.started()), run.job(), architecture,
                train.epochs(), train.seed(), train.batchSize(), train.learningRate(),
                train.averagingFrequency(architecture),
                workers, approach.name().toLowerCase(), model.embedding(), model.hidden(), model.dropout(),
                model.filters(), model.kernel(), model.pool(), model.vocabularySize(), model.sequenceLength(),
                parameters, run.sparkMaster(), run.dataFingerprint(), run.trainExamples(), run.testExamples(),
                m.accuracy(), m.precision(), m.recall(), m.f1(), m.auc(), m.loss(), m.tp(), m.fp(), m.tn(), m.fn(),
                trainSeconds, examplesPerSecond, m.seconds(), modelPath, run.config(), run.codeVersion());
    }
}

package reviewnet.eval;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import reviewnet.config.ModelSettings;
import reviewnet.config.TrainSettings;

/**
 * One row of the results table ({@link ResultsTable#SCHEMA}: the same columns, in the same order, in snake_case), with
 * its full provenance. Spark {@link Row}s exist only where the table is written and read ({@link #toRow},
 * {@link #fromRow}).
 */
public record ResultRow(String runId, Instant timestamp, String job, String architecture, int epochs, long seed,
                        int batchSize, double learningRate, int averagingFrequency, int
                        workers, String trainingApproach, int embedding, int hidden,
                        double dropout, int filters, int kernel, int pool, int
                        vocabSize, int sequenceLength, long parameters, String
                        sparkMaster, String dataFingerprint, long trainExamples, long
                        testExamples, double accuracy, double precision, double recall,
                        double f1, double auc, double testLoss, long tp, long fp, long
                        tn, long fn, double trainSeconds, double examplesPerSecond,
                        double evalSeconds, String modelPath, String config, String
                        codeVersion, int epochsTrained, int bestEpoch, Double validationAccuracy,
                        Double validationLoss, String validationHistory, int repeat) {

    /** What is the same for every architecture of one run. */
    public record RunContext(String runId, Instant started, String job, String sparkMaster, String dataFingerprint,
                             long trainExamples, long testExamples, String config, String codeVersion) {
    }

    /**
     * The validation columns of a row: epochs trained, the restored epoch, its validation accuracy and loss (null
     * without validation) and every epoch's validation scores as JSON text ({@code [{"epoch":1,"loss":..,
     * "accuracy":..}, ..]}, {@code []} without validation).
     */
    public record Validation(int epochsTrained, int bestEpoch, Double accuracy, Double loss, String history) {
        /** A model trained {@code epochs} epochs without validation. */
        public static Validation none(int epochs) {
            return new Validation(epochs, epochs, null, null, "[]");
        }
    }

    /** A network's row; {@code train} carries the seed this repeat used. */
    public static ResultRow of(RunContext run, String architecture, int repeat, ModelSettings model,
                               TrainSettings train, int workers, TrainSettings.Approach approach, long parameters,
                               double trainSeconds, double examplesPerSecond, Metrics m, String modelPath,
                               Validation v) {
        return new ResultRow(run.runId(), run.started(), run.job(), architecture, train.epochLimit(), train.seed(),
                train.batchSize(architecture), train.learningRate(architecture), train.averagingFrequency(architecture),
                workers,
                approach.name().toLowerCase(), model.embedding(), model.hidden(), model.dropout(), model.filters(),
                model.kernel(), model.pool(), model.vocabularySize(), model.sequenceLength(), parameters,
                run.sparkMaster(), run.dataFingerprint(), run.trainExamples(), run.testExamples(), m.accuracy(),
                m.precision(), m.recall(), m.f1(), m.auc(), m.loss(), m.tp(), m.fp(), m.tn(), m.fn(), trainSeconds,
                examplesPerSecond, m.seconds(), modelPath, run.config(), run.codeVersion(), v.epochsTrained(),
                v.bestEpoch(), v.accuracy(), v.loss(), v.history(), repeat);
    }

    /** Training seconds per epoch. */
    public double epochSeconds() {
        return trainSeconds / Math.max(1, epochsTrained);
    }

    /** The row in {@link ResultsTable#SCHEMA} order. */
    public Row toRow() {
        return RowFactory.create(runId, Timestamp.from(timestamp), job, architecture, epochs, seed, batchSize,
                learningRate, averagingFrequency, workers, trainingApproach,
                embedding, hidden, dropout, filters, kernel, pool, vocabSize,
                sequenceLength, parameters, sparkMaster, dataFingerprint,
                trainExamples, testExamples, accuracy, precision, recall, f1, auc,
                testLoss, tp, fp, tn, fn, trainSeconds, examplesPerSecond,
                evalSeconds, modelPath, config, codeVersion, epochsTrained, bestEpoch, validationAccuracy,
                validationLoss, validationHistory, repeat);
    }

    /** A row with (at least) the columns of {@link ResultsTable#SCHEMA}, by name. */
    public static ResultRow fromRow(Row row) {
        return new ResultRow(row.getString(row.fieldIndex("run_id")),
                row.getTimestamp(row.fieldIndex("timestamp")).toInstant(),
                row.getString(row.fieldIndex("job")),
                row.getString(row.fieldIndex("architecture")),
                row.getInt(row.fieldIndex("epochs")),
                row.getLong(row.fieldIndex("seed")),
                row.getInt(row.fieldIndex("batch_size")),
                row.getDouble(row.fieldIndex("learning_rate")),
                row.getInt(row.fieldIndex("averaging_frequency")),
                row.getInt(row.fieldIndex("workers")),
                row.getString(row.fieldIndex("training_approach")),
                row.getInt(row.fieldIndex("embedding")),
                row.getInt(row.fieldIndex("hidden")),
                row.getDouble(row.fieldIndex("dropout")),
                row.getInt(row.fieldIndex("filters")),
                row.getInt(row.fieldIndex("kernel")),
                row.getInt(row.fieldIndex("pool")),
                row.getInt(row.fieldIndex("vocab_size")),
                row.getInt(row.fieldIndex("sequence_length")),
                row.getLong(row.fieldIndex("parameters")),
                row.getString(row.fieldIndex("spark_master")),
                row.getString(row.fieldIndex("data_fingerprint")),
                row.getLong(row.fieldIndex("train_examples")),
                row.getLong(row.fieldIndex("test_examples")),
                row.getDouble(row.fieldIndex("accuracy")),
                row.getDouble(row.fieldIndex("precision")),
                row.getDouble(row.fieldIndex("recall")),
                row.getDouble(row.fieldIndex("f1")),
                row.getDouble(row.fieldIndex("auc")),
                row.getDouble(row.fieldIndex("test_loss")),
                row.getLong(row.fieldIndex("tp")),
                row.getLong(row.fieldIndex("fp")),
                row.getLong(row.fieldIndex("tn")),
                row.getLong(row.fieldIndex("fn")),
                row.getDouble(row.fieldIndex("train_seconds")),
                row.getDouble(row.fieldIndex("examples_per_second")),
                row.getDouble(row.fieldIndex("eval_seconds")),
                row.getString(row.fieldIndex("model_path")),
                row.getString(row.fieldIndex("config")),
                row.getString(row.fieldIndex("code_version")),
                // tables written before validation existed: no value means epochs trained = epochs, no validation
                intOr(row, "epochs_trained", row.getInt(row.fieldIndex("epochs"))),
                intOr(row, "best_epoch", row.getInt(row.fieldIndex("epochs"))),
                doubleOrNull(row, "validation_accuracy"),
                doubleOrNull(row, "validation_loss"),
                row.isNullAt(row.fieldIndex("validation_history")) ? "[]"
                        : row.getString(row.fieldIndex("validation_history")),
                // tables written before repeats existed: every row is its run's only repeat
                intOr(row, "repeat", 1));
    }

    private static int intOr(Row row, String field, int otherwise) {
        int i = row.fieldIndex(field);
        return row.isNullAt(i) ? otherwise : row.getInt(i);
    }

    private static Double doubleOrNull(Row row, String field) {
        int i = row.fieldIndex(field);
        return row.isNullAt(i) ? null : row.getDouble(i);
    }

    public static List<Row> toRows(List<ResultRow> rows) {
        return rows.stream().map(ResultRow::toRow).toList();
    }
}

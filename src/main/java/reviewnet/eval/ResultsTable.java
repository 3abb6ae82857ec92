package reviewnet.eval;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The results table: Parquet at {@code <reviewnet.output.path>/results}, one row per (run, architecture), appended
 * when an architecture is trained, evaluated and its model saved. Each append is one Spark write of complete rows
 * (committed by Spark's file commit protocol): a failure appends nothing.
 */
public final class ResultsTable {
    public static final StructType SCHEMA = new StructType()
            .add("run_id", DataTypes.StringType, false)
            .add("timestamp", DataTypes.TimestampType, false)
            .add("job", DataTypes.StringType, false)
            .add("architecture", DataTypes.StringType, false)
            .add("epochs", DataTypes.IntegerType, false)
            .add("seed", DataTypes.LongType, false)
            .add("batch_size", DataTypes.IntegerType, false)
            .add("learning_rate", DataTypes.DoubleType, false)
            .add("averaging_frequency", DataTypes.IntegerType, false)
            .add("workers", DataTypes.IntegerType, false)
            .add("training_approach", DataTypes.StringType, false)
            .add("embedding", DataTypes.IntegerType, false)
            .add("hidden", DataTypes.IntegerType, false)
            .add("dropout", DataTypes.DoubleType, false)
            .add("filters", DataTypes.IntegerType, false)
            .add("kernel", DataTypes.IntegerType, false)
            .add("pool", DataTypes.IntegerType, false)
            .add("vocab_size", DataTypes.IntegerType, false)
            .add("sequence_length", DataTypes.IntegerType, false)
            .add("parameters", DataTypes.LongType, false)
            .add("spark_master", DataTypes.StringType, false)
            .add("data_fingerprint", DataTypes.StringType, false)
            .add("train_examples", DataTypes.LongType, false)
            .add("test_examples", DataTypes.LongType, false)
            .add("accuracy", DataTypes.DoubleType, false)
            .add("precision", DataTypes.DoubleType, false)
            .add("recall", DataTypes.DoubleType, false)
            .add("f1", DataTypes.DoubleType, false)
            .add("auc", DataTypes.DoubleType, false)
            .add("test_loss", DataTypes.DoubleType, false)
            .add("tp", DataTypes.LongType, false)
            .add("fp", DataTypes.LongType, false)
            .add("tn", DataTypes.LongType, false)
            .add("fn", DataTypes.LongType, false)
            .add("train_seconds", DataTypes.DoubleType, false)
            .add("examples_per_second", DataTypes.DoubleType, false)
            .add("eval_seconds", DataTypes.DoubleType, false)
            .add("model_path", DataTypes.StringType, false)
            .add("config", DataTypes.StringType, false)
            .add("code_version", DataTypes.StringType, false);

    private final String path;

    /** A value of a results row by column name (rows built by {@link ResultRow} carry no schema of their own). */
    public static double number(Row row, String column) {
        return ((Number) row.get(SCHEMA.fieldIndex(column))).doubleValue();
    }

    public static String string(Row row, String column) {
        return (String) row.get(SCHEMA.fieldIndex(column));
    }

    public ResultsTable(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }

    public void append(SparkSession spark, List<Row> rows) {
        for (Row row : rows) {
            if (row.size() != SCHEMA.size()) {
                throw new IllegalArgumentException("a results row has " + SCHEMA.size() + " values, got " + row.size());
            }
        }
        spark.createDataFrame(rows, SCHEMA).coalesce(1).write().mode(SaveMode.Append).parquet(path);
    }

    public Dataset<Row> read(SparkSession spark) {
        return spark.read().schema(SCHEMA).parquet(path);
    }
}

package reviewnet.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import reviewnet.io.HadoopFiles;

/**
 * The results table: Parquet at {@code <reviewnet.output.path>/results}, one row per (run, architecture), appended
 * when an architecture is trained, evaluated and its model saved. Each append is one Spark write of complete rows
 * (committed by Spark's file commit protocol): a failure appends nothing. {@link #appendMissing} appends only rows
 * whose (run id, architecture) the table does not hold yet, so a re-run completing a committed run appends nothing twice.
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
            .add("code_version", DataTypes.StringType, false)
            // validation (nullable: tables written before these columns existed read them as null)
            .add("epochs_trained", DataTypes.IntegerType, true)
            .add("best_epoch", DataTypes.IntegerType, true)
            .add("validation_accuracy", DataTypes.DoubleType, true)
            .add("validation_loss", DataTypes.DoubleType, true)
            .add("validation_history", DataTypes.StringType, true)
            // repeats (nullable: 1 for tables written before repeats existed); `seed` is the seed this repeat used
            .add("repeat", DataTypes.IntegerType, true);

    private final String path;

    public ResultsTable(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }

    public void append(SparkSession spark, List<ResultRow> rows) {
        spark.createDataFrame(ResultRow.toRows(rows), SCHEMA).coalesce(1).write().mode(SaveMode.Append).parquet(path);
    }

    /** Appends the rows whose (run id, architecture, repeat) is not in the table yet; returns those appended. */
    public List<ResultRow> appendMissing(SparkSession spark, List<ResultRow> rows) {
        Set<String> present = new HashSet<>();
        if (HadoopFiles.exists(spark, path, "the results table")) {
            for (Row r : read(spark).select("run_id", "architecture", "repeat").distinct().collectAsList()) {
                present.add(r.getString(0) + "\u0000" + r.getString(1) + "\u0000" + (r.isNullAt(2) ? 1 : r.getInt(2)));
            }
        }
        List<ResultRow> missing = new ArrayList<>();
        for (ResultRow row : rows) {
            if (present.add(row.runId() + "\u0000" + row.architecture() + "\u0000" + row.repeat())) {
                missing.add(row);
            }
        }
        if (!missing.isEmpty()) {
            append(spark, missing);
        }
        return missing;
    }

    /** A results row as JSON, exactly (timestamps as ISO instants with their full precision). */
    public static ObjectNode toJson(ResultRow result) {
        Row row = result.toRow();
        ObjectNode node = new ObjectMapper().createObjectNode();
        for (StructField field : SCHEMA.fields()) {
            Object value = row.get(SCHEMA.fieldIndex(field.name()));
            DataType type = field.dataType();
            if (value == null) {
                node.putNull(field.name());
            } else if (type.equals(DataTypes.TimestampType)) {
                node.put(field.name(), ((Timestamp) value).toInstant().toString());
            } else if (type.equals(DataTypes.StringType)) {
                node.put(field.name(), (String) value);
            } else if (type.equals(DataTypes.IntegerType)) {
                node.put(field.name(), ((Number) value).intValue());
            } else if (type.equals(DataTypes.LongType)) {
                node.put(field.name(), ((Number) value).longValue());
            } else {
                node.put(field.name(), ((Number) value).doubleValue());
            }
        }
        return node;
    }

    /** The row {@link #toJson} wrote. */
    public static ResultRow fromJson(JsonNode node) {
        Object[] values = new Object[SCHEMA.size()];
        for (StructField field : SCHEMA.fields()) {
            JsonNode value = node.path(field.name());
            if (value.isMissingNode() && !field.nullable()) {
                throw new IllegalArgumentException("a results row without " + field.name() + ": " + node);
            }
            DataType type = field.dataType();
            Object v;
            if (value.isMissingNode() || value.isNull()) {
                v = null;
            } else if (type.equals(DataTypes.TimestampType)) {
                v = Timestamp.from(Instant.parse(value.asText()));
            } else if (type.equals(DataTypes.StringType)) {
                v = value.asText();
            } else if (type.equals(DataTypes.IntegerType)) {
                v = value.asInt();
            } else if (type.equals(DataTypes.LongType)) {
                v = value.asLong();
            } else {
                v = value.asDouble();
            }
            values[SCHEMA.fieldIndex(field.name())] = v;
        }
        return ResultRow.fromRow(new GenericRowWithSchema(values, SCHEMA));
    }

    /** The table's rows, typed. */
    public List<ResultRow> rows(SparkSession spark) {
        return read(spark).collectAsList().stream().map(ResultRow::fromRow).toList();
    }

    public Dataset<Row> read(SparkSession spark) {
        return spark.read().schema(SCHEMA).parquet(path);
    }
}

package reviewnet.sequence;

import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import reviewnet.config.SequenceSettings;
import reviewnet.ml.ColumnTransformer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

/** Spark ML stage: a variable-length {@code array<int>} to a fixed-length one with {@link Padding}. */
public final class SequencePadder extends ColumnTransformer {
    private final SequenceSettings settings;

    public SequencePadder(SequenceSettings settings) {
        this(Identifiable.randomUID("sequencePadder"), settings);
    }

    public SequencePadder(String uid, SequenceSettings settings) {
        super(uid, "indices", "seq");
        this.settings = settings;
    }

    @Override
    public SequencePadder copy(ParamMap extra) {
        return copyValues(new SequencePadder(uid(), settings), extra);
    }

    @Override
    protected DataType inputType() {
        return DataTypes.createArrayType(DataTypes.IntegerType, false);
    }

    @Override
    protected DataType outputType() {
        return DataTypes.createArrayType(DataTypes.IntegerType, false);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        SequenceSettings s = settings;
        UserDefinedFunction pad = udf((UDF1<scala.collection.Seq<Integer>, int[]>) seq -> {
            int[] values = new int[seq.length()];
            for (int i = 0; i < values.length; i++) {
                values[i] = seq.apply(i);
            }
            return Padding.pad(values, s);
        }, outputType());
        return dataset.withColumn(getOutputCol(), pad.apply(col(getInputCol())));
    }
}

package reviewnet.sequence;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import reviewnet.config.SequenceSettings;
import reviewnet.ml.ColumnTransformer;
import reviewnet.ml.StageMetadata;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

/**
 * Spark ML stage: a variable-length {@code array<int>} to a fixed-length one with {@link Padding}. The length and the
 * sides ({@link SequenceSettings}) are params, so they travel inside a saved {@code PipelineModel}.
 */
public final class SequencePadder extends ColumnTransformer {
    private final IntParam length = new IntParam(this, "length", "the fixed sequence length",
            ParamValidators.gtEq(1));
    private final Param<String> padding = new Param<>(this, "padding", "where zeros are added: PRE or POST",
            ParamValidators.inArray(new String[] {"PRE", "POST"}));
    private final Param<String> truncating = new Param<>(this, "truncating",
            "where longer sequences are cut: PRE or POST", ParamValidators.inArray(new String[] {"PRE", "POST"}));

    /** Spark's reader's way in: the params come from the saved metadata. */
    public SequencePadder(String uid) {
        super(uid, "indices", "seq");
    }

    public SequencePadder(SequenceSettings settings) {
        this(Identifiable.randomUID("sequencePadder"));
        set(length, settings.length());
        set(padding, settings.padding().name());
        set(truncating, settings.truncating().name());
    }

    public static MLReader<SequencePadder> read() {
        return StageMetadata.paramsReader();
    }

    public static SequencePadder load(String path) {
        return read().load(path);
    }

    public IntParam length() {
        return length;
    }

    public Param<String> padding() {
        return padding;
    }

    public Param<String> truncating() {
        return truncating;
    }

    /** The length and sides the params describe. */
    public SequenceSettings settings() {
        return new SequenceSettings((Integer) $(length), SequenceSettings.Side.valueOf($(padding)),
                SequenceSettings.Side.valueOf($(truncating)));
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
        SequenceSettings s = settings();
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

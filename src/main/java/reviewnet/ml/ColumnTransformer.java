package reviewnet.ml;

import java.util.Arrays;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Transformer} that reads one column and appends one: holds the {@code inputCol}/{@code outputCol}
 * params and the schema check every such stage performs before any work. Its settings are params too, so a subclass
 * saves and loads with Spark's default params writer and reader (it needs a public {@code (String uid)} constructor
 * and a static {@code read()}), inside a {@code PipelineModel} or alone.
 */
public abstract class ColumnTransformer extends Transformer implements DefaultParamsWritable {
    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;

    protected ColumnTransformer(String uid, String defaultInput, String defaultOutput) {
        this.uid = uid;
        this.inputCol = new Param<>(this, "inputCol", "input column name");
        this.outputCol = new Param<>(this, "outputCol", "output column name");
        setDefault(inputCol, defaultInput);
        setDefault(outputCol, defaultOutput);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public String getInputCol() {
        return $(inputCol);
    }

    public String getOutputCol() {
        return $(outputCol);
    }

    public ColumnTransformer setInputCol(String value) {
        set(inputCol, value);
        return this;
    }

    public ColumnTransformer setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    /** A copy with the same uid and params, {@code extra} applied (the subclass' {@code (String uid)} constructor). */
    @Override
    public Transformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    protected abstract DataType inputType();

    protected abstract DataType outputType();

    @Override
    public StructType transformSchema(StructType schema) {
        return checkedOutputSchema(schema, getInputCol(), inputType(), getOutputCol(), outputType(), uid);
    }

    /** The schema with {@code output} appended, after checking {@code input} exists with the expected type. */
    public static StructType checkedOutputSchema(StructType schema, String input, DataType inputType, String output,
                                                 DataType outputType, String stage) {
        return appended(requireColumn(schema, input, inputType, stage), output, outputType, stage);
    }

    /** The schema, after checking {@code input} exists with the expected type. */
    public static StructType requireColumn(StructType schema, String input, DataType inputType, String stage) {
        if (!Arrays.asList(schema.fieldNames()).contains(input)) {
            throw new IllegalArgumentException(stage + ": input column '" + input + "' does not exist; columns are "
                    + Arrays.toString(schema.fieldNames()));
        }
        DataType actual = schema.apply(input).dataType();
        if (!actual.sameType(inputType)) {
            throw new IllegalArgumentException(stage + ": input column '" + input + "' must be of type "
                    + inputType.simpleString() + " but is " + actual.simpleString());
        }
        return schema;
    }

    /** The schema with {@code output} appended, after checking no column has that name. */
    public static StructType appended(StructType schema, String output, DataType outputType, String stage) {
        if (Arrays.asList(schema.fieldNames()).contains(output)) {
            throw new IllegalArgumentException(stage + ": output column '" + output + "' already exists");
        }
        return schema.add(new StructField(output, outputType, true, org.apache.spark.sql.types.Metadata.empty()));
    }
}

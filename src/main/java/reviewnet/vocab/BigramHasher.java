package reviewnet.vocab;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import reviewnet.config.BigramSettings;
import reviewnet.config.SequenceSettings;
import reviewnet.sequence.SequencePadder;
import reviewnet.ml.ColumnTransformer;
import reviewnet.ml.StageMetadata;

/**
 * Spark ML stage: a review's tokens ({@code array<string>}) to the hashed ids of its adjacent token pairs
 * ({@code array<int>}, one fewer than the tokens, empty for fewer than two), each pair "a b" hashed with Spark SQL's
 * {@code hash} (Murmur3, seed 42, stable across Spark versions) into 1..buckets. The pairs are of the analyzed tokens,
 * before any vocabulary cut, so a bigram of two rare words keeps its own bucket. Runs as a SQL expression (no UDF).
 */
public final class BigramHasher extends ColumnTransformer {
    private final IntParam buckets = new IntParam(this, "buckets", "hash buckets: ids 1..buckets",
            ParamValidators.gtEq(1));

    /** Spark's reader's way in: the params come from the saved metadata. */
    public BigramHasher(String uid) {
        super(uid, "tokens", "bigram_ids");
    }

    public BigramHasher(BigramSettings settings) {
        this(Identifiable.randomUID("bigramHasher"));
        set(buckets, settings.buckets());
    }

    public static MLReader<BigramHasher> read() {
        return StageMetadata.paramsReader();
    }

    public static BigramHasher load(String path) {
        return read().load(path);
    }

    public IntParam buckets() {
        return buckets;
    }

    @Override
    public BigramHasher setInputCol(String value) {
        super.setInputCol(value);
        return this;
    }

    @Override
    public BigramHasher setOutputCol(String value) {
        super.setOutputCol(value);
        return this;
    }

    @Override
    protected DataType inputType() {
        return DataTypes.createArrayType(DataTypes.StringType, true);
    }

    @Override
    protected DataType outputType() {
        return DataTypes.createArrayType(DataTypes.IntegerType, false);
    }

    /**
     * This stage then {@link SequencePadder} with {@code sequence}: the bigram ids padded and truncated like the word
     * sequence, in {@code paddedCol} (the unpadded ids are not kept). What prepare writes and predict recomputes.
     */
    public Dataset<Row> transformPadded(Dataset<?> dataset, SequenceSettings sequence, String paddedCol) {
        return new SequencePadder(sequence).setInputCol(getOutputCol()).setOutputCol(paddedCol)
                .transform(transform(dataset)).drop(getOutputCol());
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        String in = "`" + getInputCol().replace("`", "``") + "`";
        String pairs = "zip_with(slice(" + in + ", 1, size(" + in + ") - 1), slice(" + in + ", 2, size(" + in
                + ") - 1), (a, b) -> cast(pmod(hash(concat(a, ' ', b)), " + $(buckets) + ") + 1 as int))";
        return dataset.withColumn(getOutputCol(), when(size(col(getInputCol())).lt(2), array().cast(outputType()))
                .otherwise(expr(pairs)));
    }
}

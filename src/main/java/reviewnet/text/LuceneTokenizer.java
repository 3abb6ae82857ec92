package reviewnet.text;

import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import reviewnet.config.TextSettings;
import reviewnet.ml.ColumnTransformer;
import reviewnet.ml.StageMetadata;

/**
 * Spark ML stage: a text column to an {@code array<string>} of tokens with {@link ReviewAnalyzer}. The analysis policy
 * ({@link TextSettings}) is held as params, so it travels inside a saved {@code PipelineModel}; defaults are
 * reference.conf's {@code reviewnet.text}. The analyzer is built on the executor, once per partition, and closed when
 * the partition is done. A null text gives no tokens.
 */
public final class LuceneTokenizer extends ColumnTransformer {
    private final BooleanParam stripHtml = new BooleanParam(this, "stripHtml", "strip HTML before tokenizing");
    private final BooleanParam lowercase = new BooleanParam(this, "lowercase", "lower-case the tokens");
    private final Param<String> stopWords = new Param<>(this, "stopWords", "stop words to drop: NONE or ENGLISH",
            ParamValidators.inArray(names(TextSettings.StopWords.values())));
    private final Param<String> stemming = new Param<>(this, "stemming",
            "stemming: NONE, PORTER or ENGLISH_MINIMAL", ParamValidators.inArray(names(TextSettings.Stemming.values())));
    private final IntParam maxTokenLength = new IntParam(this, "maxTokenLength",
            "longer tokens are split at this length", ParamValidators.inRange(1, 1024 * 1024));

    /** The stage with reference.conf's analysis policy (and Spark's reader's way in). */
    public LuceneTokenizer(String uid) {
        super(uid, "text", "tokens");
        TextSettings defaults = TextSettings.defaults();
        setDefault(stripHtml, defaults.stripHtml());
        setDefault(lowercase, defaults.lowercase());
        setDefault(stopWords, defaults.stopWords().name());
        setDefault(stemming, defaults.stemming().name());
        setDefault(maxTokenLength, defaults.maxTokenLength());
    }

    public LuceneTokenizer(TextSettings settings) {
        this(Identifiable.randomUID("luceneTokenizer"));
        set(stripHtml, settings.stripHtml());
        set(lowercase, settings.lowercase());
        set(stopWords, settings.stopWords().name());
        set(stemming, settings.stemming().name());
        set(maxTokenLength, settings.maxTokenLength());
    }

    public static MLReader<LuceneTokenizer> read() {
        return StageMetadata.paramsReader();
    }

    public static LuceneTokenizer load(String path) {
        return read().load(path);
    }

    public BooleanParam stripHtml() {
        return stripHtml;
    }

    public BooleanParam lowercase() {
        return lowercase;
    }

    public Param<String> stopWords() {
        return stopWords;
    }

    public Param<String> stemming() {
        return stemming;
    }

    public IntParam maxTokenLength() {
        return maxTokenLength;
    }

    /** The analysis policy the params describe. */
    public TextSettings settings() {
        return new TextSettings((Boolean) $(stripHtml), (Boolean) $(lowercase),
                TextSettings.StopWords.valueOf($(stopWords)), TextSettings.Stemming.valueOf($(stemming)),
                (Integer) $(maxTokenLength));
    }

    private static String[] names(Enum<?>[] values) {
        return java.util.Arrays.stream(values).map(Enum::name).toArray(String[]::new);
    }

    @Override
    protected DataType inputType() {
        return DataTypes.StringType;
    }

    @Override
    protected DataType outputType() {
        return DataTypes.createArrayType(DataTypes.StringType, false);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        int textIndex = dataset.schema().fieldIndex(getInputCol());
        TextSettings policy = settings();
        return dataset.toDF().mapPartitions((MapPartitionsFunction<Row, Row>) rows -> tokenize(rows, textIndex,
                policy), Encoders.row(out));
    }

    private static Iterator<Row> tokenize(Iterator<Row> rows, int textIndex, TextSettings policy) {
        ReviewAnalyzer analyzer = new ReviewAnalyzer(policy);
        return new Iterator<>() {
            private boolean open = true;

            @Override
            public boolean hasNext() {
                boolean more = rows.hasNext();
                if (!more && open) {
                    analyzer.close();
                    open = false;
                }
                return more;
            }

            @Override
            public Row next() {
                Row row = rows.next();
                Object[] values = new Object[row.size() + 1];
                for (int i = 0; i < row.size(); i++) {
                    values[i] = row.get(i);
                }
                String text = row.isNullAt(textIndex) ? null : row.getString(textIndex);
                values[row.size()] = text == null ? new String[0] : analyzer.tokens(text).toArray(new String[0]);
                return RowFactory.create(values);
            }
        };
    }
}

package reviewnet.text;

import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.ParamMap;
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

/**
 * Spark ML stage: a text column to an {@code array<string>} of tokens with {@link ReviewAnalyzer}. The analyzer is
 * built on the executor, once per partition, and closed when the partition is done. A null text gives no tokens.
 */
public final class LuceneTokenizer extends ColumnTransformer {
    private final TextSettings settings;

    public LuceneTokenizer(TextSettings settings) {
        this(Identifiable.randomUID("luceneTokenizer"), settings);
    }

    public LuceneTokenizer(String uid, TextSettings settings) {
        super(uid, "text", "tokens");
        this.settings = settings;
    }

    @Override
    public LuceneTokenizer copy(ParamMap extra) {
        return copyValues(new LuceneTokenizer(uid(), settings), extra);
    }

    public TextSettings settings() {
        return settings;
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
        TextSettings policy = settings;
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

package reviewnet.corpus;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.col;

/** The columns every corpus reader produces. */
public final class ReviewSchema {
    public static final String ID = "id";
    public static final String SPLIT = "split";
    public static final String LABEL = "label";
    public static final String RATING = "rating";
    public static final String SOURCE = "source";
    public static final String TEXT = "text";
    /** Null for a usable review, else the code of why it is skipped ({@link SkipReason#code()}). */
    public static final String SKIP_REASON = "skip_reason";
    /** Null for a usable review, else the detail of why this input is skipped. */
    public static final String SKIP_DETAIL = "skip_detail";
    /** True when a UTF-8 byte order mark was removed. */
    public static final String BOM = "bom";

    /** What a reader returns: one row per input file or record, usable or not. */
    public static final StructType RAW = new StructType()
            .add(ID, DataTypes.StringType, false)
            .add(SPLIT, DataTypes.StringType, true)
            .add(LABEL, DataTypes.IntegerType, true)
            .add(RATING, DataTypes.IntegerType, true)
            .add(SOURCE, DataTypes.StringType, false)
            .add(TEXT, DataTypes.StringType, true)
            .add(SKIP_REASON, DataTypes.StringType, true)
            .add(SKIP_DETAIL, DataTypes.StringType, true)
            .add(BOM, DataTypes.BooleanType, false);

    private ReviewSchema() {
    }

    /** Usable reviews: id, split, label, rating, source, text. */
    public static Dataset<Row> usable(Dataset<Row> raw) {
        return raw.where(col(SKIP_REASON).isNull()).select(reviewColumns());
    }

    /** Skipped inputs: source, split, label, reason (code), detail. */
    public static Dataset<Row> skipped(Dataset<Row> raw) {
        return raw.where(col(SKIP_REASON).isNotNull())
                .select(col(SOURCE), col(SPLIT), col(LABEL), col(SKIP_REASON).as("reason"),
                        col(SKIP_DETAIL).as("detail"));
    }

    /** One row of {@link #RAW}; {@code skip} null for a usable review. */
    public static Row raw(String id, String split, Integer label, Integer rating, String source, String text,
                          SkipReason.Skip skip, boolean bom) {
        return org.apache.spark.sql.RowFactory.create(id, split, label, rating, source, text,
                skip == null ? null : skip.code(), skip == null ? null : skip.detail(), bom);
    }

    static Column[] reviewColumns() {
        return new Column[] {col(ID), col(SPLIT), col(LABEL), col(RATING), col(SOURCE), col(TEXT)};
    }
}

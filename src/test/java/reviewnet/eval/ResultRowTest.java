package reviewnet.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.junit.jupiter.api.Test;

/** The typed results row and the table schema stay in step: same columns, same order, lossless both ways. */
class ResultRowTest {
    static final ResultRow ROW = new ResultRow("run-1", Instant.parse("2026-11-28T21:00:00.123456Z"), "compare",
            "conv", 2, 42, 32, 1e-3, 20, 2, "export", 128, 128, 0.2, 64, 5, 4, 20000, 100, 2602561, "local[2]",
            "abc", 25000, 25000, 0.85, 0.84, 0.86, 0.85, 0.93, 0.33, 10, 20, 30, 40, 16.6, 1503.0, 2.4,
            "file:/m", "{}", "0.1.0", 3, 2, 0.86, 0.31,
            "[{\"epoch\":1,\"loss\":0.4,\"accuracy\":0.8},{\"epoch\":2,\"loss\":0.31,\"accuracy\":0.86},"
                    + "{\"epoch\":3,\"loss\":0.35,\"accuracy\":0.85}]", 3);
    /** A row without validation: its validation accuracy and loss are null. */
    static final ResultRow UNVALIDATED = new ResultRow("run-1", ROW.timestamp(), "compare", "conv", 1, 42, 32, 1e-3,
            20, 2, "export", 128, 128, 0.2, 64, 5, 4, 20000, 100, 2602561, "local[2]", "abc", 25000, 25000, 0.85, 0.84,
            0.86, 0.85, 0.93, 0.33, 10, 20, 30, 40, 16.6, 1503.0, 2.4, "file:/m", "{}", "0.1.0", 1, 1, null, null, "[]",
            1);

    @Test
    void componentsAreTheSchemaColumnsInOrder() {
        List<String> components = Arrays.stream(ResultRow.class.getRecordComponents())
                .map(c -> c.getName().replaceAll("([A-Z])", "_$1").toLowerCase()).toList();
        assertEquals(List.of(ResultsTable.SCHEMA.fieldNames()), components);
    }

    @Test
    void roundTripsThroughARowAndJson() {
        org.apache.spark.sql.Row row = ROW.toRow();
        Object[] values = new Object[row.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = row.get(i);
        }
        assertEquals(ROW, ResultRow.fromRow(new GenericRowWithSchema(values, ResultsTable.SCHEMA)));
        assertEquals(ROW, ResultsTable.fromJson(ResultsTable.toJson(ROW)));
        assertEquals(UNVALIDATED, ResultsTable.fromJson(ResultsTable.toJson(UNVALIDATED)));
        // seconds per epoch trained (3), not per epoch limit (2)
        assertEquals(16.6 / 3, ROW.epochSeconds(), 1e-12);
    }

    /** A table written before the validation columns existed reads them as null: epochs trained = epochs. */
    @Test
    void readsRowsWithoutValidationColumns() {
        org.apache.spark.sql.Row row = UNVALIDATED.toRow();
        Object[] values = new Object[row.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = row.get(i);
        }
        int first = ResultsTable.SCHEMA.fieldIndex("epochs_trained");
        for (int i = first; i < values.length; i++) {
            values[i] = null;
        }
        assertEquals(UNVALIDATED, ResultRow.fromRow(new GenericRowWithSchema(values, ResultsTable.SCHEMA)));
    }
}

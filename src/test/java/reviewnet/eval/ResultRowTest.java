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
            "file:/m", "{}", "0.1.0");

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
        assertEquals(8.3, new ResultRow("r", ROW.timestamp(), "j", "a", 2, 1, 1, 1, 1, 1, "x", 1, 1, 0, 1, 1, 1, 1, 1,
                1, "m", "f", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16.6, 1, 1, "p", "c", "v").epochSeconds(), 1e-12);
    }
}

package reviewnet.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reviewnet.config.InputSettings;
import reviewnet.config.JobConfig;
import reviewnet.testing.SparkTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TabularCorpusReaderTest extends SparkTest {
    @TempDir
    static Path tmp;

    static InputSettings input(String... overrides) {
        return InputSettings.from(JobConfig.resolve(JobConfig.parseOverrides(List.of(overrides))));
    }

    @Test
    void csvWithConfiguredColumnsAndSkippedRows() throws IOException {
        Path csv = tmp.resolve("reviews.csv");
        Files.writeString(csv, """
                review_id,body,sentiment,part
                a1,"Loved it, ""truly"".",positive,train
                a2,"Multi
                line review",negative,train
                a3,Meh,negative,test
                a4,Fine,1,test
                a5,Who knows,neutral,test
                a6,,positive,train
                a7,Lost,positive,validation
                """);
        List<Row> rows = new TabularCorpusReader(input("reviewnet.input.path=" + csv, "reviewnet.input.format=csv",
                "reviewnet.input.labels=[negative, positive]", "reviewnet.input.columns.id=review_id",
                "reviewnet.input.columns.text=body", "reviewnet.input.columns.label=sentiment",
                "reviewnet.input.columns.split=part")).read(spark).collectAsList();
        Map<String, Row> byId = rows.stream().collect(Collectors.toMap(r -> r.getString(0), r -> r));
        assertEquals(7, byId.size());
        assertEquals("Loved it, \"truly\".", byId.get("a1").getString(5));
        assertEquals(1, byId.get("a1").getInt(2));
        assertEquals("Multi\nline review", byId.get("a2").getString(5));
        assertEquals(0, byId.get("a2").getInt(2));
        assertEquals(1, byId.get("a4").getInt(2), "label given as its index");
        assertNull(byId.get("a1").getString(6));
        assertEquals("unknown-label", byId.get("a5").getString(6));
        assertTrue(byId.get("a5").getString(7).startsWith("'neutral'"), byId.get("a5").getString(7));
        assertEquals("empty-text", byId.get("a6").getString(6));
        assertEquals("unknown-split", byId.get("a7").getString(6));
        assertTrue(byId.get("a7").getString(7).startsWith("'validation'"), byId.get("a7").getString(7));
    }

    @Test
    void jsonWithoutIdColumnGetsGeneratedIds() throws IOException {
        Path json = tmp.resolve("reviews.json");
        Files.writeString(json, """
                {"text": "Great", "label": "pos", "split": "train"}
                {"text": "Awful", "label": "neg", "split": "test"}
                """);
        List<Row> rows = new TabularCorpusReader(input("reviewnet.input.path=" + json,
                "reviewnet.input.format=json")).read(spark).collectAsList();
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).getString(0).contains("reviews.json:"), rows.get(0).getString(0));
        assertEquals(2, rows.stream().map(r -> r.getString(0)).distinct().count());
    }

    @Test
    void missingColumnsAreNamed() throws IOException {
        Path json = tmp.resolve("other.json");
        Files.writeString(json, "{\"review\": \"x\", \"label\": \"pos\"}\n");
        CorpusException e = assertThrows(CorpusException.class, () -> new TabularCorpusReader(
                input("reviewnet.input.path=" + json, "reviewnet.input.format=json")).read(spark));
        assertTrue(e.getMessage().contains("has no column(s) [text, split]"), e.getMessage());
    }

    @Test
    void missingPathIsAClearError() {
        CorpusException e = assertThrows(CorpusException.class, () -> new TabularCorpusReader(
                input("reviewnet.input.path=" + tmp.resolve("none.parquet"), "reviewnet.input.format=parquet"))
                .read(spark));
        assertTrue(e.getMessage().contains("none.parquet does not exist"), e.getMessage());
    }

    @Test
    void unlabelledReadsTextAndIdOnlyWithTheSameSkipsAsTraining() throws IOException {
        Path csv = tmp.resolve("unlabelled.csv");
        Files.writeString(csv, "id,text,extra\n"
                + "u1,\"Loved it, \"\"truly\"\".\",x\n"
                + "u2,\"\uFEFFWith a BOM\",x\n"
                + "u3,,x\n"
                + "u4,\"" + "long ".repeat(30) + "\",x\n"
                + "u5,\"Multi\nline\",x\n");
        InputSettings in = input("reviewnet.input.path=" + csv, "reviewnet.input.format=csv",
                "reviewnet.input.max-bytes=100");
        List<Row> rows = TabularCorpusReader.unlabelled(in).read(spark).collectAsList();
        Map<String, Row> byId = rows.stream().collect(Collectors.toMap(r -> r.getString(0), r -> r));
        // (id, text, skip reason, bom)
        Object[][] expected = {
                {"u1", "Loved it, \"truly\".", null, false},
                {"u2", "With a BOM", null, true},
                {"u3", null, "empty-text", false},
                {"u4", null, "too-large", false},
                {"u5", "Multi\nline", null, false},
        };
        assertEquals(expected.length, byId.size());
        for (Object[] row : expected) {
            Row r = byId.get((String) row[0]);
            assertEquals(List.of(String.valueOf(row[1]), String.valueOf(row[2]), row[3]),
                    List.of(String.valueOf(r.getString(5)), String.valueOf(r.getString(6)), r.getBoolean(8)),
                    (String) row[0]);
            assertNull(r.get(1), "no split");
            assertNull(r.get(2), "no label");
        }
    }
}

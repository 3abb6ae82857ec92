package reviewnet.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

    /**
     * Without an id column the ids come from the content: one CSV file read as on one core, as on two, and in 1 KB
     * splits (the settings by which the cores decide the splits: Spark's leaf-node parallelism, the split size) gives
     * the same id for every review; the former file-name-and-row-key ids changed with the splits. Every id is
     * distinct, exact duplicates numbered.
     */
    @Test
    void idsDerivedFromTheContentDoNotDependOnThePartitioning() throws IOException {
        Path csv = tmp.resolve("no-ids.csv");
        StringBuilder content = new StringBuilder("text,label,split\n");
        for (int copy = 0; copy < 3; copy++) {
            for (int i = 0; i < 40; i++) {
                content.append("\"Review ").append(i % 30).append(" of a kind, ").append("words ".repeat(i % 7))
                        .append("\",").append(i % 2 == 0 ? "pos" : "neg").append(',')
                        .append(i % 3 == 0 ? "test" : "train").append('\n');
            }
        }
        Files.writeString(csv, content);
        InputSettings in = input("reviewnet.input.path=" + csv, "reviewnet.input.format=csv",
                "reviewnet.input.csv.multi-line=false");
        // (setting, value): one core, two cores, a tiny split size
        String[][] readings = {
                {"spark.sql.leafNodeDefaultParallelism", "1"},
                {"spark.sql.leafNodeDefaultParallelism", "2"},
                {"spark.sql.files.maxPartitionBytes", "1k"}};
        List<Map<String, List<String>>> ids = new java.util.ArrayList<>();
        List<Integer> splits = new java.util.ArrayList<>();
        for (String[] reading : readings) {
            Map<String, String> saved = new java.util.HashMap<>();
            for (String key : List.of(reading[0], "spark.sql.files.openCostInBytes")) {
                scala.Option<String> value = spark.conf().getOption(key);
                saved.put(key, value.isDefined() ? value.get() : null);
            }
            try {
                spark.conf().set("spark.sql.files.openCostInBytes", "0");
                spark.conf().set(reading[0], reading[1]);
                splits.add(spark.read().option("header", true).csv(csv.toString()).rdd().getNumPartitions());
                ids.add(idsToContent(new TabularCorpusReader(in).read(spark)));
            } finally {
                saved.forEach((key, value) -> {
                    if (value == null) {
                        spark.conf().unset(key);
                    } else {
                        spark.conf().set(key, value);
                    }
                });
            }
        }
        assertTrue(splits.get(0) < splits.get(1) && splits.get(1) < splits.get(2), "read in other splits: " + splits);
        assertEquals(120, ids.get(0).size(), "one distinct id per row: " + ids.get(0).keySet());
        assertEquals(ids.get(0), ids.get(1), "one core against two");
        assertEquals(ids.get(0), ids.get(2), "one core against 1 KB splits");
        assertTrue(ids.get(0).keySet().stream().allMatch(id -> id.matches("[0-9a-f]{32}(-[0-9]+)?")),
                ids.get(0).keySet().toString());
        assertTrue(ids.get(0).keySet().stream().anyMatch(id -> id.endsWith("-3")), "exact duplicates numbered");
    }

    /** Every id with its (split, label, text, source) as read. */
    private static Map<String, List<String>> idsToContent(Dataset<Row> rows) {
        return rows.collectAsList().stream().collect(Collectors.toMap(r -> r.getString(0), r -> List.of(
                String.valueOf(r.getString(1)), String.valueOf(r.get(2)), String.valueOf(r.getString(5)),
                r.getString(4))));
    }

    /** Rows: (id column values, what the error names). A given id column must have no blank or repeated value. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a1;;a3          | the id column 'review_id' is blank in 1 row(s)",
            "a1; ;a3         | the id column 'review_id' is blank in 1 row(s)",
            "a1;a2;a1;a2;a1  | repeats 2 id(s), e.g. 'a1' (3 rows",
            "a1;a2;a2        | repeats 1 id(s), e.g. 'a2' (2 rows"})
    void blankOrRepeatedGivenIdsAreRefusedWithExamples(String ids, String expected) throws IOException {
        Path csv = tmp.resolve("ids-" + Integer.toHexString(ids.hashCode()) + ".csv");
        StringBuilder content = new StringBuilder("review_id,text,label,split\n");
        for (String id : ids.split(";", -1)) {
            content.append(id).append(",Some review,pos,train\n");
        }
        Files.writeString(csv, content);
        CorpusException e = assertThrows(CorpusException.class, () -> new TabularCorpusReader(input(
                "reviewnet.input.path=" + csv, "reviewnet.input.format=csv", "reviewnet.input.columns.id=review_id"))
                .read(spark));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(csv.getFileName().toString()), "names the file: " + e.getMessage());
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

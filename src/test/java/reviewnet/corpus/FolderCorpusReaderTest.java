package reviewnet.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reviewnet.config.InputSettings;
import reviewnet.config.JobConfig;
import reviewnet.testing.FixtureCorpus;
import reviewnet.testing.SparkTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reader on a fixture tree holding every kind of bad input next to good reviews. */
class FolderCorpusReaderTest extends SparkTest {
    static final long MAX_BYTES = 1024 * 1024;

    @TempDir
    static Path tmp;
    static Path root;

    static final Object[][] FIXTURES = FixtureCorpus.FIXTURES;

    @BeforeAll
    static void writeFixtures() throws IOException {
        root = FixtureCorpus.write(tmp.resolve("corpus"));
    }

    static InputSettings input(Path path, String... overrides) {
        List<String> args = new java.util.ArrayList<>(List.of("reviewnet.input.path=" + path));
        args.addAll(List.of(overrides));
        return InputSettings.from(JobConfig.resolve(JobConfig.parseOverrides(args)));
    }

    @Test
    void readsGoodFilesAndReportsEveryBadOne() {
        FolderCorpusReader reader = new FolderCorpusReader(input(root));
        Dataset<Row> raw = reader.read(spark);
        Map<String, Row> bySource = raw.collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getString(r.fieldIndex("source")), r -> r));
        // every .txt in a label folder comes back exactly once; notes.md, urls_pos.txt and unsup/ do not
        assertEquals(FIXTURES.length, bySource.size(), bySource.keySet().toString());
        assertEquals(1, reader.ignoredFiles());
        assertEquals(FIXTURES.length, reader.list(spark).size());
        Map<String, List<String>> reasons = new HashMap<>();
        for (Row row : bySource.values()) {
            String source = row.getString(row.fieldIndex("source"));
            reasons.put(source.substring(source.indexOf("/corpus/") + 8), java.util.Arrays.asList(
                    row.getString(row.fieldIndex("skip_reason")), row.getString(row.fieldIndex("skip_detail"))));
        }
        for (Object[] fixture : FIXTURES) {
            List<String> expected = java.util.Arrays.asList((String) fixture[2], (String) fixture[3]);
            if ("no-tokens".equals(fixture[2])) {
                expected = java.util.Arrays.asList(null, null); // decoded fine; the tokenizer stage skips it
            }
            assertEquals(expected, reasons.get((String) fixture[0]), (String) fixture[0]);
        }
    }

    @Test
    void derivesIdSplitLabelRatingAndStripsBom() {
        List<Row> rows = new FolderCorpusReader(input(root)).read(spark).where("skip_reason is null")
                .orderBy("id").collectAsList();
        Map<String, Row> byId = rows.stream().collect(Collectors.toMap(r -> r.getString(0), r -> r));
        Row rated = byId.get("train/pos/2_10");
        assertEquals("train", rated.getString(1));
        assertEquals(1, rated.getInt(2));
        assertEquals(10, rated.getInt(3));
        assertEquals("Great acting, great story.", rated.getString(5));
        assertTrue(rated.getBoolean(rated.fieldIndex("bom")));
        Row unrated = byId.get("train/pos/3");
        assertTrue(unrated.isNullAt(3));
        assertEquals(0, byId.get("test/neg/11_4").getInt(2));
        assertEquals(4, byId.get("test/neg/11_4").getInt(3));
    }

    @Test
    void otherLabelNamesViaConfig() throws IOException {
        Path other = tmp.resolve("other");
        for (String split : List.of("fit", "holdout")) {
            for (String label : List.of("bad", "good")) {
                Files.createDirectories(other.resolve(split).resolve(label));
                Files.writeString(other.resolve(split).resolve(label).resolve("review-" + label + ".txt"),
                        "a " + label + " review");
            }
        }
        List<Row> rows = new FolderCorpusReader(input(other, "reviewnet.input.labels=[bad, good]",
                "reviewnet.input.splits=[fit, holdout]")).read(spark).orderBy("id").collectAsList();
        assertEquals(4, rows.size());
        assertEquals("fit/bad/review-bad", rows.get(0).getString(0));
        assertEquals(0, rows.get(0).getInt(2));
        assertEquals(1, rows.get(1).getInt(2));
        assertNull(rows.get(1).get(3));
        assertEquals("holdout", rows.get(3).getString(1));
    }

    static String failure(Path path) {
        return assertThrows(CorpusException.class, () -> new FolderCorpusReader(input(path)).read(spark))
                .getMessage();
    }

    @Test
    void missingInputPathIsAClearError() {
        String message = failure(tmp.resolve("nowhere"));
        assertTrue(message.contains("nowhere does not exist") && message.contains("expected the aclImdb layout"),
                message);
    }

    @Test
    void missingSplitFolderIsAClearError() throws IOException {
        Path noTest = tmp.resolve("no-test");
        Files.createDirectories(noTest.resolve("train/pos"));
        Files.createDirectories(noTest.resolve("train/neg"));
        Files.writeString(noTest.resolve("train/pos/1_7.txt"), "fine");
        Files.writeString(noTest.resolve("train/neg/1_2.txt"), "fine");
        String message = failure(noTest);
        assertTrue(message.startsWith("missing split folder") && message.contains("no-test/test"), message);
    }

    @Test
    void emptyLabelFolderIsAClearError() throws IOException {
        Path empty = tmp.resolve("empty-label");
        for (String dir : List.of("train/pos", "train/neg", "test/pos", "test/neg")) {
            Files.createDirectories(empty.resolve(dir));
            if (!dir.equals("test/neg")) {
                Files.writeString(empty.resolve(dir).resolve("1_5.txt"), "fine");
            }
        }
        Files.writeString(empty.resolve("test/neg/readme.md"), "no reviews here");
        String message = failure(empty);
        assertTrue(message.contains("empty-label/test/neg has no *.txt files"), message);
    }

    @Test
    void fileInsteadOfFolderIsAClearError() throws IOException {
        Path file = Files.writeString(tmp.resolve("reviews.csv"), "id,text\n");
        String message = failure(file);
        assertTrue(message.contains("is not a directory") && message.contains("csv"), message);
    }
}

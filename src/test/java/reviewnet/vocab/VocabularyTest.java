package reviewnet.vocab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reviewnet.config.VocabSettings;
import reviewnet.testing.SparkTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VocabularyTest extends SparkTest {
    static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType)
            .add("tokens", DataTypes.createArrayType(DataTypes.StringType, false));

    /** Counts: the 5, a 4, film 3, bad 2, good 2, zebra 1, apple 1 (ties: bad < good, apple < zebra). */
    static Dataset<Row> corpus() {
        List<Row> rows = List.of(
                RowFactory.create("r1", new String[] {"the", "film", "the", "good", "a"}),
                RowFactory.create("r2", new String[] {"the", "bad", "a", "film", "zebra"}),
                RowFactory.create("r3", new String[] {"a", "the", "film", "good", "bad"}),
                RowFactory.create("r4", new String[] {"the", "a", "apple"}),
                RowFactory.create("r5", new String[] {}));
        return spark.createDataFrame(rows, SCHEMA);
    }

    static int[] indices(Row row) {
        List<Integer> list = row.getList(row.fieldIndex("indices"));
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void topWordsByFrequencyTiesAlphabetical() {
        VocabularyModel model = new Vocabulary(new VocabSettings(8, 1, 2, 3)).fit(corpus());
        // capacity 8 - 3 = 5 words: the(5) a(4) film(3) bad(2) good(2); apple, zebra (1) do not fit
        assertEquals(List.of("the", "a", "film", "bad", "good"), model.words());
        assertEquals(5, model.count(0));
        assertEquals(2, model.count(4));
        assertEquals(3, model.indexOf("the"));
        assertEquals(7, model.indexOf("good"));
        assertEquals(2, model.indexOf("apple"));
    }

    @Test
    void allWordsFitWhenCapacityIsLarge() {
        VocabularyModel model = new Vocabulary(new VocabSettings(100, 1, 2, 3)).fit(corpus());
        assertEquals(List.of("the", "a", "film", "bad", "good", "apple", "zebra"), model.words());
    }

    @Test
    void transformAddsStartMarkerAndOov() {
        VocabularyModel model = new Vocabulary(new VocabSettings(8, 1, 2, 3)).fit(corpus());
        List<Row> rows = model.transform(corpus()).orderBy("id").collectAsList();
        int[][] expected = {
                {1, 3, 5, 3, 7, 4},
                {1, 3, 6, 4, 5, 2},
                {1, 4, 3, 5, 7, 6},
                {1, 3, 4, 2},
                {1}};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Arrays.toString(expected[i]), Arrays.toString(indices(rows.get(i))), "row " + i);
        }
    }

    @Test
    void noStartMarkerWhenStartCharIsZero() {
        VocabularyModel model = new Vocabulary(new VocabSettings(8, 0, 1, 2)).fit(corpus());
        Row r4 = model.transform(corpus()).where("id = 'r4'").first();
        assertEquals("[2, 3, 7]", Arrays.toString(indices(r4)));  // capacity 6 words: apple (7) fits
    }

    @Test
    void everyIndexIsBelowSize() {
        VocabularyModel model = new Vocabulary(new VocabSettings(6, 1, 2, 3)).fit(corpus());
        for (Row row : model.transform(corpus()).collectAsList()) {
            for (int index : indices(row)) {
                assertTrue(index >= 1 && index < 6, "index " + index);
            }
        }
    }

    /** A vocabulary saved by earlier versions (metadata.json beside words/), as registries and prepared data hold. */
    @Test
    void loadsTheLayoutOfEarlierVersions(@TempDir Path dir) throws Exception {
        Path old = Files.createDirectories(dir.resolve("vocabulary"));
        Files.writeString(old.resolve("metadata.json"), "{\"class\": \"reviewnet.vocab.VocabularyModel\", "
                + "\"uid\": \"vocabulary_0a1b\", \"sparkVersion\": \"3.5.9\", \"inputCol\": \"tokens\", "
                + "\"outputCol\": \"indices\", \"size\": 8, \"startChar\": 1, \"oovChar\": 2, "
                + "\"indexFrom\": 3, \"words\": 2}");
        spark.createDataFrame(List.of(RowFactory.create(3, "film", 7L), RowFactory.create(4, "good", 5L)),
                new StructType().add("index", DataTypes.IntegerType, false).add("word", DataTypes.StringType, false)
                        .add("count", DataTypes.LongType, false)).coalesce(1).write().parquet(old.resolve("words")
                        .toString());
        VocabularyModel loaded = VocabularyModel.load(spark, old.toString());
        assertEquals(List.of("film", "good"), loaded.words());
        assertEquals(new VocabSettings(8, 1, 2, 3), loaded.settings());
        assertEquals("vocabulary_0a1b", loaded.uid());
        assertEquals(List.of(3, 4, 2), List.of(loaded.indexOf("film"), loaded.indexOf("good"), loaded.indexOf("bad")));
    }

    @Test
    void saveLoadRoundTrip(@TempDir Path dir) throws Exception {
        VocabularyModel model = new Vocabulary(new VocabSettings(8, 1, 2, 3)).fit(corpus());
        String path = dir.resolve("vocab").toString();
        model.write().save(path);
        assertTrue(Files.isDirectory(dir.resolve("vocab/metadata")), "Spark ML's stage metadata");
        VocabularyModel loaded = VocabularyModel.read().load(path);
        assertEquals(model.words(), loaded.words());
        assertEquals(model.settings(), loaded.settings());
        assertEquals(model.uid(), loaded.uid());
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        model.transform(corpus()).orderBy("id").collectAsList().forEach(r -> before.add(Arrays.toString(indices(r))));
        loaded.transform(corpus()).orderBy("id").collectAsList().forEach(r -> after.add(Arrays.toString(indices(r))));
        assertEquals(before, after);
    }

    @Test
    void schemaIsCheckedBeforeWork() {
        Dataset<Row> wrong = corpus().withColumnRenamed("tokens", "words");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new Vocabulary(new VocabSettings(8, 1, 2, 3)).fit(wrong));
        assertTrue(missing.getMessage().contains("'tokens' does not exist"), missing.getMessage());
        Dataset<Row> text = corpus().selectExpr("id", "concat_ws(' ', tokens) as tokens");
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> new Vocabulary(new VocabSettings(8, 1, 2, 3)).fit(text));
        assertTrue(type.getMessage().contains("must be of type array<string>"), type.getMessage());
    }
}

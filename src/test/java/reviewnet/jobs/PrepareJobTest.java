package reviewnet.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.hash.Murmur3_x86_32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reviewnet.config.JobConfig;
import reviewnet.config.ModelSettings;
import reviewnet.config.PrepareSettings;
import reviewnet.corpus.CorpusException;
import reviewnet.sequence.Padding;
import reviewnet.text.ReviewAnalyzer;
import reviewnet.testing.FixtureCorpus;
import reviewnet.testing.ImdbData;
import reviewnet.testing.SparkTest;
import reviewnet.vocab.VocabularyModel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrepareJobTest extends SparkTest {
    static final int PER_FOLDER = 250;

    @TempDir
    static Path tmp;
    static Path imdb;

    @BeforeAll
    static void data() {
        imdb = ImdbData.slice(PER_FOLDER);
    }

    static PrepareSettings settings(Path input, Path prepared, String... more) {
        List<String> overrides = new ArrayList<>(List.of("reviewnet.input.path=" + input,
                "reviewnet.prepared.path=" + prepared));
        overrides.addAll(List.of(more));
        return PrepareSettings.from(JobConfig.resolve(JobConfig.parseOverrides(overrides)));
    }

    static int[] seq(Row row) {
        return row.getList(row.fieldIndex("seq")).stream().mapToInt(o -> (Integer) o).toArray();
    }

    /**
     * With a validation hold-out, the vocabulary is fitted on the rest of the training split only: the slice has fewer
     * distinct words than the vocabulary holds, so every word of a fitted review has its own index, while a word that
     * only held-out reviews use is out of vocabulary (index 2) there. The hold-out is the seeded hash's share.
     */
    @Test
    void theVocabularyIsFittedWithoutTheHoldOut() {
        Path out = tmp.resolve("imdb-holdout");
        new PrepareJob(settings(imdb, out, "reviewnet.train.validation-fraction=0.2")).run(spark);
        Dataset<Row> train = spark.read().parquet(out.resolve("train").toString());
        long held = train.where("holdout").count();
        assertTrue(held > 60 && held < 140, "about 20% of 500 held out: " + held);
        assertEquals(0, train.where("not holdout and exists(seq, x -> x = 2)").count(),
                "every word of the fitted reviews is in the vocabulary");
        assertTrue(train.where("holdout and exists(seq, x -> x = 2)").count() > held / 2,
                "held-out reviews have words the vocabulary never saw");
        // the hold-out is a function of the ids and the validation seed
        assertEquals(train.where(reviewnet.train.HoldOut.held(0.2, 42)).select("id").orderBy("id").collectAsList(),
                train.where("holdout").select("id").orderBy("id").collectAsList());
    }

    @Test
    void preparesARealSliceWithExactCountsAndBoundedIndices() throws IOException {
        Path out = tmp.resolve("imdb-prepared");
        PrepareSummary summary = new PrepareJob(settings(imdb, out)).run(spark);

        for (String split : List.of("train", "test")) {
            Dataset<Row> data = spark.read().parquet(out.resolve(split).toString());
            // the training rows mark the validation hold-out (none here: validation-fraction is 0)
            assertEquals(split.equals("train") ? List.of("id", "label", "seq", "bigrams", "holdout")
                    : List.of("id", "label", "seq", "bigrams"), List.of(data.columns()));
            if (split.equals("train")) {
                assertEquals(0, data.where("holdout").count());
            }
            assertEquals(2L * PER_FOLDER, data.count());
            assertEquals(PER_FOLDER, data.where("label = 0").count());
            assertEquals(PER_FOLDER, data.where("label = 1").count());
            assertEquals(0, data.where("size(seq) != 100").count());
            assertEquals(0, data.where("exists(seq, x -> x < 0 or x >= 20000)").count());
            assertEquals(0, data.where("size(bigrams) != 100").count());
            assertEquals(0, data.where("exists(bigrams, x -> x < 0 or x > " + ModelSettings.BIGRAM_BUCKETS + ")").count());
            assertEquals(2L * PER_FOLDER, data.select("id").distinct().count());
            assertEquals(split + "/neg/", data.where("label = 0").first().getString(0).substring(0, split.length() + 5));
            PrepareSummary.Split stats = summary.split(split);
            assertEquals(2L * PER_FOLDER, stats.rows());
            assertEquals(Map.of("neg", (long) PER_FOLDER, "pos", (long) PER_FOLDER), stats.rowsPerLabel());
        }
        assertEquals(0, summary.skippedTotal());
        assertEquals(0.0, summary.split("train").oovRate(), "every training word fits in 19,997");
        assertTrue(summary.split("test").oovRate() > 0.0);

        // one review checked by hand: analyzer -> vocabulary -> start marker -> pre padding/truncation
        VocabularyModel vocab = VocabularyModel.load(spark, out.resolve("vocabulary").toString());
        PrepareSettings s = settings(imdb, out);
        try (Stream<Path> files = Files.list(imdb.resolve("test/pos"));
             ReviewAnalyzer analyzer = new ReviewAnalyzer(s.text())) {
            for (Path file : files.limit(5).toList()) {
                List<String> tokens = analyzer.tokens(Files.readString(file));
                int[] indices = new int[tokens.size() + 1];
                indices[0] = 1;
                for (int i = 0; i < tokens.size(); i++) {
                    indices[i + 1] = vocab.indexOf(tokens.get(i));
                }
                String id = "test/pos/" + file.getFileName().toString().replace(".txt", "");
                Row row = spark.read().parquet(out.resolve("test").toString()).where("id = '" + id + "'").first();
                assertArrayEquals(Padding.pad(indices, s.sequence()), seq(row), id);
                // the bigrams: the adjacent token pairs' ids (BigramHasher), padded and truncated the same way
                int[] pairs = new int[Math.max(0, tokens.size() - 1)];
                for (int i = 0; i + 1 < tokens.size(); i++) {
                    // Spark SQL's hash of a string: Murmur3 x86 32-bit of its UTF-8 bytes, seed 42
                    byte[] pair = (tokens.get(i) + " " + tokens.get(i + 1)).getBytes(StandardCharsets.UTF_8);
                    pairs[i] = Math.floorMod(Murmur3_x86_32.hashUnsafeBytes(pair, Platform.BYTE_ARRAY_OFFSET,
                            pair.length, 42), s.bigrams().buckets()) + 1;
                }
                assertArrayEquals(Padding.pad(pairs, s.sequence()),
                        row.getList(row.fieldIndex("bigrams")).stream().mapToInt(o -> (Integer) o).toArray(), id);
            }
        }
        JsonNode json = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(summary.fingerprint(), json.get("fingerprint").asText());
        assertEquals(vocab.words().size(), json.get("vocabulary").get("words").asInt());
        // the typed summary as summary.json: snake_case keys (what PreparedData and operators read)
        assertEquals(2L * PER_FOLDER, json.at("/splits/train/rows").asLong());
        assertEquals(PER_FOLDER, json.at("/splits/test/rows_per_label/pos").asLong());
        assertEquals(summary.split("test").oovRate(), json.at("/splits/test/oov_rate").asDouble(), 1e-12);
        assertEquals(0, json.at("/skipped/total").asLong());
        assertTrue(json.at("/skipped/by_reason").isObject() && json.has("bom_stripped") && json.has("seconds"),
                json.toString());
    }

    @Test
    void smallVocabularyKeepsEveryIndexBelowItsSize() {
        Path out = tmp.resolve("imdb-small-vocab");
        PrepareSummary summary = new PrepareJob(settings(imdb, out, "reviewnet.vocab.size=1000",
                "reviewnet.sequence.length=50", "reviewnet.sequence.padding=post")).run(spark);
        VocabularyModel vocab = VocabularyModel.load(spark, out.resolve("vocabulary").toString());
        assertEquals(997, vocab.words().size());
        Dataset<Row> train = spark.read().parquet(out.resolve("train").toString());
        assertEquals(0, train.where("size(seq) != 50 or exists(seq, x -> x >= 1000)").count());
        // truncating stays `pre`: exactly the truncated reviews lose their start marker (index 1 marks nothing else)
        long truncated = summary.split("train").truncated();
        assertTrue(truncated > 0 && truncated < 2L * PER_FOLDER);
        assertEquals(2L * PER_FOLDER - truncated, train.where("seq[0] = 1").count());
        assertEquals(0, train.where("seq[0] = 0").count(), "post padding never pads at the front");
        assertTrue(train.where("exists(seq, x -> x = 2)").count() > 0, "a 997-word vocabulary leaves words out");
        assertTrue(summary.split("train").oovRate() > 0.01);
    }

    @Test
    void badInputIsCountedAndReported() throws IOException {
        Path corpus = FixtureCorpus.write(tmp.resolve("fixtures"));
        Path out = tmp.resolve("fixtures-prepared");
        PrepareSummary summary = new PrepareJob(settings(corpus, out)).run(spark);
        assertEquals(6, summary.skippedTotal());
        // one count per reason code, whatever the detail (byte offsets, sizes)
        assertEquals(Map.of("binary", 1L, "empty-file", 1L, "empty-text", 1L, "invalid-utf8", 1L, "no-tokens", 1L,
                "too-large", 1L), summary.skippedByReason());
        assertEquals(1, summary.bomStripped());
        assertEquals(1, summary.withoutRating());
        assertEquals(1, summary.ignoredFiles());
        Dataset<Row> skipped = spark.read().parquet(out.resolve("skipped").toString());
        assertEquals(6, skipped.count());
        Set<String> usable = new HashSet<>();
        spark.read().parquet(out.resolve("train").toString()).collectAsList().forEach(r -> usable.add(r.getString(0)));
        spark.read().parquet(out.resolve("test").toString()).collectAsList().forEach(r -> usable.add(r.getString(0)));
        assertEquals(Set.of("train/pos/1_9", "train/pos/2_10", "train/pos/3", "train/neg/5_1", "test/pos/10_7",
                "test/neg/11_4"), usable);
    }

    @Test
    void aFailedRunLeavesThePreviousOutputIntact() throws IOException {
        Path corpus = FixtureCorpus.write(tmp.resolve("fixtures-2"));
        Path out = tmp.resolve("kept");
        new PrepareJob(settings(corpus, out)).run(spark);
        String before = Files.readString(out.resolve("summary.json"));
        // every test/neg review unusable: detected after reading, before anything is written
        Files.writeString(corpus.resolve("test/neg/11_4.txt"), "<p></p>");
        CorpusException e = assertThrows(CorpusException.class, () -> new PrepareJob(settings(corpus, out)).run(spark));
        assertTrue(e.getMessage().contains("no usable review for [test/neg]"), e.getMessage());
        assertEquals(before, Files.readString(out.resolve("summary.json")));
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertFalse(siblings.anyMatch(p -> p.getFileName().toString().startsWith(".kept")),
                    "no staging directory is left behind");
        }
    }

    /** (what changes, whether the prepared data must be rebuilt). */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> fingerprintCases() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("nothing", false),
                org.junit.jupiter.params.provider.Arguments.of("a review rewritten", true),
                org.junit.jupiter.params.provider.Arguments.of("a review added", true),
                org.junit.jupiter.params.provider.Arguments.of("vocabulary size", true),
                org.junit.jupiter.params.provider.Arguments.of("stop words", true),
                org.junit.jupiter.params.provider.Arguments.of("code version", true),
                org.junit.jupiter.params.provider.Arguments.of("prepared path", false),
                org.junit.jupiter.params.provider.Arguments.of("training settings", false),
                org.junit.jupiter.params.provider.Arguments.of("a file that is not read", false));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("fingerprintCases")
    void theFingerprintChangesExactlyWithWhatChangesTheOutput(String change, boolean rebuild) throws IOException {
        Path corpus = FixtureCorpus.write(tmp.resolve("fingerprint-" + change.replace(' ', '-')));
        Path out = tmp.resolve("unused");
        String before = new PrepareJob(settings(corpus, out), "1.0").list(spark).fingerprint();
        List<String> more = new ArrayList<>();
        String code = "1.0";
        Path prepared = out;
        switch (change) {
            case "a review rewritten" -> Files.writeString(corpus.resolve("train/pos/1_9.txt"), "Changed my mind.");
            case "a review added" -> Files.writeString(corpus.resolve("test/pos/13_8.txt"), "Another one.");
            case "vocabulary size" -> more.add("reviewnet.vocab.size=500");
            case "stop words" -> more.add("reviewnet.text.stop-words=english");
            case "code version" -> code = "1.1";
            case "prepared path" -> prepared = tmp.resolve("elsewhere");
            case "training settings" -> more.addAll(List.of("reviewnet.train.epochs=3",
                    "reviewnet.train.architectures=[conv]"));
            case "a file that is not read" -> Files.writeString(corpus.resolve("train/pos/notes.md"), "edited");
            default -> { }
        }
        String after = new PrepareJob(settings(corpus, prepared, more.toArray(new String[0])), code).list(spark)
                .fingerprint();
        assertEquals(rebuild, !before.equals(after), change);
    }
}

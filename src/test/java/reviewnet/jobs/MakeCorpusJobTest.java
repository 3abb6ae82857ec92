package reviewnet.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reviewnet.config.CorpusGeneratorSettings;
import reviewnet.config.InputSettings;
import reviewnet.config.JobConfig;
import reviewnet.corpus.CorpusException;
import reviewnet.corpus.CorpusReader;
import reviewnet.corpus.FolderCorpusReader;
import reviewnet.corpus.ReviewSchema;
import reviewnet.generate.SentenceSplitter;
import reviewnet.testing.ImdbData;
import reviewnet.testing.SparkTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * make-corpus on a real IMDB slice (with unlabelled reviews): exact balanced counts, readable by both corpus readers,
 * deterministic for a seed (whatever the format and partitioning), different for another seed, no IMDB training
 * sentence in a generated test review, and labels a simple lexicon classifier can learn.
 */
class MakeCorpusJobTest extends SparkTest {
    static final int PER_FOLDER = 200;
    static final int UNSUP = 400;
    static final int REVIEWS = 1600;

    @TempDir
    static Path tmp;
    static Path source;
    static CorpusSummary summary;
    /** id -> [split, label, text], read back by the corpus readers. */
    static Map<String, List<String>> parquet;
    /** The same seed, the first half of the reviews, as folders, in another number of partitions. */
    static Map<String, List<String>> folders;

    @BeforeAll
    static void generate() {
        source = ImdbData.sliceWithUnsup(PER_FOLDER, UNSUP);
        summary = new MakeCorpusJob(settings(tmp.resolve("seed7-parquet"), "reviewnet.make-corpus.seed=7"))
                .run(spark);
        parquet = read(tmp.resolve("seed7-parquet"), "parquet");
        new MakeCorpusJob(settings(tmp.resolve("seed7-folders"), "reviewnet.make-corpus.seed=7",
                "reviewnet.make-corpus.reviews=" + REVIEWS / 2, "reviewnet.make-corpus.format=folders",
                "reviewnet.make-corpus.partitions=3")).run(spark);
        folders = read(tmp.resolve("seed7-folders"), "folders");
    }

    static CorpusGeneratorSettings settings(Path out, String... more) {
        List<String> overrides = new ArrayList<>(List.of("reviewnet.make-corpus.source=" + source,
                "reviewnet.make-corpus.output=" + out, "reviewnet.make-corpus.reviews=" + REVIEWS));
        overrides.addAll(List.of(more));
        return CorpusGeneratorSettings.from(JobConfig.resolve(JobConfig.parseOverrides(overrides)));
    }

    /** Reads a generated corpus with the reader prepare would use, default settings otherwise; fails on a skip. */
    static Map<String, List<String>> read(Path dir, String format) {
        InputSettings input = InputSettings.from(JobConfig.resolve(JobConfig.parseOverrides(List.of(
                "reviewnet.input.path=" + dir, "reviewnet.input.format=" + format))));
        CorpusReader reader = CorpusReader.of(input);
        Dataset<Row> raw = reader.read(spark);
        assertEquals(List.of(), ReviewSchema.skipped(raw).collectAsList(), "skipped inputs in " + dir);
        assertEquals(0, reader.ignoredFiles(), "ignored files in " + dir);
        Map<String, List<String>> byId = new HashMap<>();
        for (Row r : ReviewSchema.usable(raw).collectAsList()) {
            String label = input.labels().get(r.getInt(r.fieldIndex(ReviewSchema.LABEL)));
            List<String> previous = byId.put(r.getString(0), List.of(r.getString(r.fieldIndex(ReviewSchema.SPLIT)),
                    label, r.getString(r.fieldIndex(ReviewSchema.TEXT))));
            assertTrue(previous == null, "duplicate id " + r.getString(0));
        }
        return byId;
    }

    static Map<String, Long> countsBySplitAndLabel(Map<String, List<String>> corpus) {
        return corpus.values().stream().collect(Collectors.groupingBy(v -> v.get(0) + "/" + v.get(1), TreeMap::new,
                Collectors.counting()));
    }

    @Test
    void balancedSplitsInBothFormatsReadByTheCorpusReaders() {
        Map<String, Long> expected = Map.of("train/neg", REVIEWS / 4L, "train/pos", REVIEWS / 4L,
                "test/neg", REVIEWS / 4L, "test/pos", REVIEWS / 4L);
        assertEquals(expected, countsBySplitAndLabel(parquet));
        assertEquals(expected, summary.rows());
        assertEquals(Map.of("train/neg", REVIEWS / 8L, "train/pos", REVIEWS / 8L, "test/neg", REVIEWS / 8L,
                "test/pos", REVIEWS / 8L), countsBySplitAndLabel(folders));
        // ids: split/label/number, as FolderCorpusReader makes them from <split>/<label>/<number>.txt
        for (Map.Entry<String, List<String>> e : parquet.entrySet()) {
            long number = Long.parseLong(e.getKey().substring(e.getKey().lastIndexOf('/') + 1));
            assertTrue(number >= 0 && number < REVIEWS, e.getKey());
            assertEquals(e.getValue().get(0) + "/" + e.getValue().get(1) + "/" + number, e.getKey());
        }
        assertEquals(List.of("id", "split", "label", "text"),
                List.of(spark.read().parquet(tmp.resolve("seed7-parquet").toString()).columns()));
        assertTrue(Files.isRegularFile(tmp.resolve("seed7-folders").resolve(CorpusSummary.FILE)));
        assertTrue(summary.pools().get("test/pos").droppedAsInTraining() > 0,
                "some IMDB test sentences also occur in IMDB training reviews: " + summary.pools());
    }

    @Test
    void theSameSeedGivesTheSameReviewsWhateverTheFormatPartitioningAndSize() {
        // a review depends on the seed and its number only: the corpus of 800 is the first 800 of the 1,600
        assertEquals(REVIEWS / 2, folders.size());
        folders.forEach((id, review) -> assertEquals(parquet.get(id), review, id));
    }

    @Test
    void noGeneratedTestReviewHasASentenceOfAnImdbTrainingReview() throws IOException {
        SentenceSplitter splitter = new SentenceSplitter();
        Set<String> training = new HashSet<>();
        for (String label : List.of("neg", "pos")) {
            try (Stream<Path> files = Files.list(source.resolve("train").resolve(label))) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    splitter.split(Files.readString(file)).forEach(s -> training.add(s.toLowerCase(Locale.ROOT)));
                }
            }
        }
        long testSentences = 0;
        long trainSentences = 0;
        long trainFromImdbTraining = 0;
        for (List<String> review : parquet.values()) {
            for (String sentence : splitter.split(review.get(2))) {
                boolean known = training.contains(sentence.toLowerCase(Locale.ROOT));
                if (review.get(0).equals("test")) {
                    testSentences++;
                    assertFalse(known, "a generated test review has the IMDB training sentence '" + sentence + "'");
                } else {
                    trainSentences++;
                    trainFromImdbTraining += known ? 1 : 0;
                }
            }
        }
        assertTrue(testSentences > 1000, testSentences + " test sentences");
        // the check above can see a shared sentence: most generated training sentences are IMDB training sentences
        assertTrue(trainFromImdbTraining > 0.6 * trainSentences, trainFromImdbTraining + " of " + trainSentences);
    }

    @Test
    void labelsCarrySignalAndLengthsResembleImdb() throws IOException {
        // a log-count-ratio lexicon (naive Bayes over word presence), fitted on a training half, scored on a test half
        double generated = lexiconAccuracy(parquet.values());
        List<List<String>> imdb = new ArrayList<>();
        for (String split : List.of("train", "test")) {
            for (String label : List.of("neg", "pos")) {
                try (Stream<Path> files = Files.list(source.resolve(split).resolve(label))) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        imdb.add(List.of(split, label, Files.readString(file)));
                    }
                }
            }
        }
        double real = lexiconAccuracy(imdb);
        System.out.printf("lexicon accuracy on the test half: generated %.4f, IMDB slice %.4f%n", generated, real);
        // chance is 0.5 (800 test reviews: one standard deviation is 0.018, so 0.6 is over 5 of them above it); the
        // same lexicon on the 400 + 400 IMDB reviews of the slice scores 0.67, the generated corpus 0.65
        assertTrue(generated > 0.6 && generated > real - 0.08,
                "lexicon accuracy on the generated test half " + generated + ", on the IMDB slice " + real);

        double generatedLength = parquet.values().stream().mapToInt(r -> r.get(2).length()).average().orElseThrow();
        double imdbLength = imdb.stream().mapToInt(r -> r.get(2).length()).average().orElseThrow();
        assertTrue(generatedLength > 0.75 * imdbLength && generatedLength < 1.33 * imdbLength,
                "mean length " + generatedLength + " vs " + imdbLength);
    }

    /** Reviews as [split, label, text]: fitted on split train, the accuracy on split test. */
    static double lexiconAccuracy(java.util.Collection<List<String>> reviews) {
        Map<String, double[]> documents = new HashMap<>();
        double[] perLabel = new double[2];
        for (List<String> review : reviews) {
            if (review.get(0).equals("train")) {
                int label = review.get(1).equals("pos") ? 1 : 0;
                perLabel[label]++;
                for (String word : words(review.get(2))) {
                    documents.computeIfAbsent(word, w -> new double[2])[label]++;
                }
            }
        }
        Map<String, Double> ratio = new HashMap<>();
        documents.forEach((word, n) -> ratio.put(word, Math.log((n[1] + 1) / (perLabel[1] + 2))
                - Math.log((n[0] + 1) / (perLabel[0] + 2))));
        long correct = 0;
        long test = 0;
        for (List<String> review : reviews) {
            if (review.get(0).equals("test")) {
                double score = words(review.get(2)).stream().mapToDouble(w -> ratio.getOrDefault(w, 0.0)).sum();
                correct += (score > 0) == review.get(1).equals("pos") ? 1 : 0;
                test++;
            }
        }
        return (double) correct / test;
    }

    @Test
    void anotherSeedGivesOtherReviewsAndANonEmptyOutputIsReplacedOnlyWhenAsked() throws IOException {
        Path out = tmp.resolve("existing");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "someone's file");
        CorpusException refused = assertThrows(CorpusException.class, () -> new MakeCorpusJob(settings(out,
                "reviewnet.make-corpus.seed=8", "reviewnet.make-corpus.reviews=400")).run(spark));
        assertTrue(refused.getMessage().contains("exists and is not empty"), refused.getMessage());
        assertTrue(Files.exists(out.resolve("keep.txt")));

        new MakeCorpusJob(settings(out, "reviewnet.make-corpus.seed=8", "reviewnet.make-corpus.reviews=400",
                "reviewnet.make-corpus.overwrite=true")).run(spark);
        assertFalse(Files.exists(out.resolve("keep.txt")));
        Map<String, List<String>> otherSeed = read(out, "parquet");
        assertEquals(400, otherSeed.size());
        long same = otherSeed.keySet().stream().filter(id -> otherSeed.get(id).equals(parquet.get(id))).count();
        assertTrue(same < 4, same + " of 400 reviews are the same for seeds 7 and 8");
    }

    @Test
    void aSourceWithoutUnlabelledReviewsIsRefusedWithTheWayOut() throws IOException {
        Path bare = tmp.resolve("bare");
        for (String folder : List.of("train/neg", "train/pos", "test/neg", "test/pos")) {
            Files.createDirectories(bare.resolve(folder));
            Files.writeString(bare.resolve(folder).resolve("1_1.txt"), "A review. Of two sentences.");
        }
        CorpusException e = assertThrows(CorpusException.class, () -> new MakeCorpusJob(settings(tmp.resolve("none"),
                "reviewnet.make-corpus.source=" + bare)).run(spark));
        assertTrue(e.getMessage().contains("--with-unsup"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("none")));
    }

    static List<String> words(String text) {
        return List.of(text.toLowerCase(Locale.ROOT).split("[^a-z']+")).stream().filter(w -> !w.isEmpty())
                .distinct().toList();
    }
}

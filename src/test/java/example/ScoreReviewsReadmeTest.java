package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's "Use a model in your own Spark job" shows {@link ScoreReviews} as it is, so the example a user copies
 * is the one {@code CompareJobTest} runs against a model compare saved.
 */
class ScoreReviewsReadmeTest {
    @Test
    void theReadmeShowsTheExampleTheTestsRun() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("### Use a model in your own Spark job");
        assertTrue(section >= 0, "the README has the section");
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        int end = readme.indexOf("```", start);
        assertEquals(Files.readString(Path.of("src/test/java/example/ScoreReviews.java")),
                readme.substring(start, end));
    }
}

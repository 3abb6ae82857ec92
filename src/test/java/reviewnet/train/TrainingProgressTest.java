package reviewnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Without a console, a plain line for the first and last round and at most one per interval in between. */
class TrainingProgressTest {
    static Stream<Arguments> rounds() {
        return Stream.of(
                // seconds at which rounds 1..n end (5 rounds of 100 of 450 examples), interval 10 s -> logged rounds
                Arguments.of(List.of(1.0, 2.0, 3.0, 4.0, 5.0), List.of(1, 5)),
                Arguments.of(List.of(1.0, 12.0, 13.0, 23.0, 24.0), List.of(1, 2, 4, 5)),
                Arguments.of(List.of(30.0, 60.0, 61.0, 62.0, 95.0), List.of(1, 2, 5)));
    }

    @ParameterizedTest
    @MethodSource("rounds")
    void logsThrottledPlainLines(List<Double> endsAt, List<Integer> expected) {
        TrainingProgress progress = new TrainingProgress("group", "training conv epoch 1/1", 100, 450,
                Duration.ofSeconds(10), false);
        assertEquals(5, progress.rounds());
        long start = System.nanoTime();
        List<Integer> logged = new ArrayList<>();
        for (int i = 0; i < endsAt.size(); i++) {
            if (progress.roundDone(start + (long) (endsAt.get(i) * 1e9))) {
                logged.add(i + 1);
            }
        }
        progress.close();
        assertEquals(expected, logged);
    }
}

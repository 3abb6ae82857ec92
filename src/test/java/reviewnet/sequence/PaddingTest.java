package reviewnet.sequence;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reviewnet.config.SequenceSettings;
import reviewnet.config.SequenceSettings.Side;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Expected values are those of Keras pad_sequences(seqs, maxlen=4, padding=..., truncating=...). */
class PaddingTest {
    static Stream<Arguments> cases() {
        int[] shortSeq = {5, 6};
        int[] longSeq = {1, 2, 3, 4, 5, 6};
        int[] exact = {7, 8, 9, 10};
        return Stream.of(
                arguments(Side.PRE, Side.PRE, shortSeq, new int[] {0, 0, 5, 6}),
                arguments(Side.POST, Side.PRE, shortSeq, new int[] {5, 6, 0, 0}),
                arguments(Side.PRE, Side.PRE, longSeq, new int[] {3, 4, 5, 6}),
                arguments(Side.PRE, Side.POST, longSeq, new int[] {1, 2, 3, 4}),
                arguments(Side.POST, Side.POST, longSeq, new int[] {1, 2, 3, 4}),
                arguments(Side.POST, Side.PRE, longSeq, new int[] {3, 4, 5, 6}),
                arguments(Side.PRE, Side.PRE, exact, new int[] {7, 8, 9, 10}),
                arguments(Side.POST, Side.POST, exact, new int[] {7, 8, 9, 10}),
                arguments(Side.PRE, Side.PRE, new int[0], new int[] {0, 0, 0, 0}),
                arguments(Side.POST, Side.POST, new int[0], new int[] {0, 0, 0, 0}));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void padsAndTruncatesLikeKeras(Side padding, Side truncating, int[] input, int[] expected) {
        assertArrayEquals(expected, Padding.pad(input, new SequenceSettings(4, padding, truncating)));
    }
}

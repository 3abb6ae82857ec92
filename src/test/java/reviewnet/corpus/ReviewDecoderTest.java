package reviewnet.corpus;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ReviewDecoderTest {
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** (bytes, expected text, expected skip reason, expected BOM flag). */
    static Stream<Arguments> cases() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] junk = new byte[64];
        for (int i = 0; i < junk.length; i++) {
            junk[i] = (byte) (i * 37 + 11);
        }
        byte[] controls = utf8("ab\u0001\u0002\u0003\u0004cd");
        return Stream.of(
                arguments(utf8("A fine film."), "A fine film.", null, false),
                arguments(utf8("Zürich — naïve ☺"), "Zürich — naïve ☺", null, false),
                arguments(concat(bom, utf8("Hello")), "Hello", null, true),
                arguments(new byte[0], null, "empty-file: 0 bytes", false),
                arguments(utf8(" \n\t "), null, "empty-text: whitespace only", false),
                arguments(concat(bom, utf8("  ")), null, "empty-text: whitespace only", false),
                arguments(new byte[] {'o', 'k', (byte) 0xC3, '(', 'x'}, null, "invalid-utf8: at byte offset 2", false),
                arguments(new byte[] {'a', (byte) 0xFF}, null, "invalid-utf8: at byte offset 1", false),
                arguments(new byte[] {'a', 0, 'b'}, null, "binary: NUL byte at offset 1", false),
                arguments(junk, null, "invalid-utf8: at byte offset 4", false),
                arguments(controls, null, "binary: 4 control characters in 8", false),
                arguments(utf8("x".repeat(101)), null, "too-large: 101 bytes > reviewnet.input.max-bytes (100)",
                        false));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void decodes(byte[] bytes, String text, String reason, boolean bom) {
        ReviewDecoder.Decoded decoded = ReviewDecoder.decode(bytes, 100);
        assertEquals(text, decoded.text());
        assertEquals(reason, decoded.skip() == null ? null : decoded.skip().code() + ": " + decoded.skip().detail());
        assertEquals(bom, decoded.bom());
    }
}

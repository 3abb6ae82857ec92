package reviewnet.corpus;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the bytes of one review file into text, or into the reason it is skipped: empty, too large, binary,
 * invalid UTF-8. A leading UTF-8 byte order mark is removed (and reported).
 */
public final class ReviewDecoder {
    /** Share of control characters (other than tab, CR, LF, FF) above which a text counts as binary. */
    static final double MAX_CONTROL_SHARE = 0.01;

    private ReviewDecoder() {
    }

    /** The outcome for one file: exactly one of {@code text} and {@code skip} is non-null. */
    public record Decoded(String text, SkipReason.Skip skip, boolean bom) {
        static Decoded skip(SkipReason.Skip skip) {
            return new Decoded(null, skip, false);
        }
    }

    static SkipReason.Skip emptyFile() {
        return SkipReason.EMPTY_FILE.because("0 bytes");
    }

    public static Decoded decode(byte[] bytes, long maxBytes) {
        if (bytes.length == 0) {
            return Decoded.skip(emptyFile());
        }
        if (bytes.length > maxBytes) {
            return Decoded.skip(tooLarge(bytes.length, maxBytes));
        }
        int offset = 0;
        boolean bom = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF;
        if (bom) {
            offset = 3;
        }
        for (int i = offset; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return Decoded.skip(SkipReason.BINARY.because("NUL byte at offset " + i));
            }
        }
        String text;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, bytes.length - offset);
        CharBuffer out = CharBuffer.allocate(bytes.length - offset + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            return Decoded.skip(SkipReason.INVALID_UTF8.because("at byte offset " + in.position()));
        }
        result = decoder.flush(out);
        if (result.isError()) {
            return Decoded.skip(SkipReason.INVALID_UTF8.because("at end of file"));
        }
        out.flip();
        text = out.toString();
        if (text.isBlank()) {
            return Decoded.skip(SkipReason.EMPTY_TEXT.because("whitespace only"));
        }
        long control = text.chars().filter(ReviewDecoder::isBinaryControl).count();
        if (control > MAX_CONTROL_SHARE * text.length()) {
            return Decoded.skip(SkipReason.BINARY.because(control + " control characters in " + text.length()));
        }
        return new Decoded(text, null, bom);
    }

    static SkipReason.Skip tooLarge(long length, long maxBytes) {
        return SkipReason.TOO_LARGE.because(length + " bytes > reviewnet.input.max-bytes (" + maxBytes + ")");
    }

    private static boolean isBinaryControl(int c) {
        return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F;
    }
}

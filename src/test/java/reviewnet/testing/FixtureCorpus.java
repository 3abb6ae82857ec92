package reviewnet.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small hand-written corpus in the aclImdb layout with every kind of bad input next to good reviews. */
public final class FixtureCorpus {
    /** (relative path, bytes, expected skip reason code and detail, both null for a usable review). */
    public static final Object[][] FIXTURES = {
            {"train/pos/1_9.txt", utf8("A wonderful film.<br /><br />Loved it."), null, null},
            {"train/pos/2_10.txt", bom("Great acting, great story."), null, null},
            {"train/pos/3.txt", utf8("No rating in this file name."), null, null},
            {"train/pos/4_8.txt", new byte[0], "empty-file", "0 bytes"},
            {"train/neg/5_1.txt", utf8("Dreadful. Just dreadful."), null, null},
            {"train/neg/6_2.txt", new byte[] {'b', 'a', 'd', (byte) 0xC3, '(', '!'}, "invalid-utf8",
                "at byte offset 3"},
            {"train/neg/7_3.txt", new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0}, "binary",
                "NUL byte at offset 7"},
            {"train/neg/8_4.txt", utf8("word ".repeat(450_000)), "too-large",
                "2250000 bytes > reviewnet.input.max-bytes (1048576)"},
            {"train/neg/9_2.txt", utf8("<br /><br />"), "no-tokens", "the analyzer kept no token of the text"},
            {"test/pos/10_7.txt", utf8("Pretty good."), null, null},
            {"test/neg/11_4.txt", utf8("Not for me."), null, null},
            {"test/neg/12_3.txt", utf8("  \n "), "empty-text", "whitespace only"},
    };

    private FixtureCorpus() {
    }

    /** Writes the fixtures, plus files that are not read (notes.md, train/urls_pos.txt, train/unsup/). */
    public static Path write(Path root) throws IOException {
        for (Object[] fixture : FIXTURES) {
            Path file = root.resolve((String) fixture[0]);
            Files.createDirectories(file.getParent());
            Files.write(file, (byte[]) fixture[1]);
        }
        Files.writeString(root.resolve("train/pos/notes.md"), "not a review");
        Files.writeString(root.resolve("train/urls_pos.txt"), "http://example.com");
        Files.createDirectories(root.resolve("train/unsup"));
        Files.writeString(root.resolve("train/unsup/99_0.txt"), "unlabelled review");
        return root;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bom(String s) {
        byte[] text = utf8(s);
        byte[] out = new byte[text.length + 3];
        out[0] = (byte) 0xEF;
        out[1] = (byte) 0xBB;
        out[2] = (byte) 0xBF;
        System.arraycopy(text, 0, out, 3, text.length);
        return out;
    }
}

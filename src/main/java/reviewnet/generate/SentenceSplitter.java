package reviewnet.generate;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Splits a review into sentences: IMDB's {@code <br />} line breaks end a paragraph, and each paragraph is cut by the
 * JDK's English sentence {@link BreakIterator} (terminal punctuation followed by a space and a capital, and the like).
 * Runs of white space inside a sentence become one space; blank pieces are not sentences, and pieces without a word
 * (a letter or digit outside HTML tags: "...", ":-)", "<i>") are counted in {@link #wordless()} and left out, so that
 * every sentence gives the analyzer at least one token. Not thread-safe: one per partition.
 */
public final class SentenceSplitter {
    private static final Pattern LINE_BREAK = Pattern.compile("(?i)<br\\s*/?>");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]");

    private final BreakIterator sentences = BreakIterator.getSentenceInstance(Locale.ENGLISH);
    private int wordless;

    /** The sentences of a review, in order. */
    public List<String> split(String review) {
        wordless = 0;
        List<String> out = new ArrayList<>();
        for (String paragraph : LINE_BREAK.split(review)) {
            sentences.setText(paragraph);
            int start = sentences.first();
            for (int end = sentences.next(); end != BreakIterator.DONE; start = end, end = sentences.next()) {
                String sentence = SPACES.matcher(paragraph.substring(start, end)).replaceAll(" ").strip();
                if (sentence.isEmpty()) {
                    continue;
                }
                if (WORD.matcher(TAG.matcher(sentence).replaceAll("")).find()) {
                    out.add(sentence);
                } else {
                    wordless++;
                }
            }
        }
        return out;
    }

    /** Pieces of the last review {@link #split} left out for having no word. */
    public int wordless() {
        return wordless;
    }
}

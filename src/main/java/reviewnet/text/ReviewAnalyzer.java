package reviewnet.text;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import reviewnet.config.TextSettings;

/**
 * The review analysis policy: HTML stripped (char filter), Unicode word segmentation ({@link StandardTokenizer}),
 * lower case, then optionally English stop words and stemming. Not serializable: build one per partition.
 */
public final class ReviewAnalyzer extends Analyzer {
    private final TextSettings settings;

    public ReviewAnalyzer(TextSettings settings) {
        this.settings = settings;
    }

    @Override
    protected Reader initReader(String fieldName, Reader reader) {
        return settings.stripHtml() ? new HTMLStripCharFilter(reader) : reader;
    }

    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
        StandardTokenizer source = new StandardTokenizer();
        source.setMaxTokenLength(settings.maxTokenLength());
        TokenStream stream = source;
        if (settings.lowercase()) {
            stream = new LowerCaseFilter(stream);
        }
        if (settings.stopWords() == TextSettings.StopWords.ENGLISH) {
            stream = new StopFilter(stream, new CharArraySet(EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, true));
        }
        stream = switch (settings.stemming()) {
            case NONE -> stream;
            case PORTER -> new PorterStemFilter(stream);
            case ENGLISH_MINIMAL -> new EnglishMinimalStemFilter(stream);
        };
        return new TokenStreamComponents(source, stream);
    }

    /** The tokens of one text, in order. */
    public List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        try (TokenStream stream = tokenStream("text", text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                tokens.add(term.toString());
            }
            stream.end();
        } catch (IOException e) {
            throw new UncheckedIOException("analysis of an in-memory string failed", e);
        }
        return tokens;
    }
}

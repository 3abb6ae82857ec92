package reviewnet.train;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;
import reviewnet.config.ModelSettings;
import reviewnet.nn.Architecture;

/**
 * How a network's input row is made from prepared columns ({@link Architecture.Inputs}): the word indices of
 * {@code seq}, and for {@code WORDS_AND_BIGRAMS} the hashed bigram ids of {@code bigrams} after them, each id b as the
 * index {@code vocabularySize + b − 1} (past every word index), padding 0 kept as 0.
 */
public record Features(Architecture.Inputs inputs, int vocabularySize) implements Serializable {
    public static final String SEQ = "seq";
    public static final String BIGRAMS = "bigrams";

    /** The notebook networks' input: the word indices alone. */
    public static final Features WORDS = new Features(Architecture.Inputs.WORDS, 0);

    public static Features of(Architecture architecture, ModelSettings model) {
        return new Features(architecture.inputs(), model.vocabularySize());
    }

    /** The prepared columns read, in order. */
    public List<String> columns() {
        return inputs == Architecture.Inputs.WORDS_AND_BIGRAMS ? List.of(SEQ, BIGRAMS) : List.of(SEQ);
    }

    /**
     * Writes the input of {@code row} (its feature columns from index {@code first}, each an int array of the same
     * length) to {@code out} from {@code offset}; returns the number of values written.
     */
    public int fill(Row row, int first, float[] out, int offset) {
        return fill(row, new int[] {first, first + 1}, out, offset);
    }

    /**
     * Writes the input of {@code row} (its feature columns at the indices {@code columns}, in the order of
     * {@link #columns()}, each an int array of the same length) to {@code out} from {@code offset}; returns the number
     * of values written.
     */
    public int fill(Row row, int[] columns, float[] out, int offset) {
        List<Integer> seq = row.getList(columns[0]);
        int length = seq.size();
        for (int t = 0; t < length; t++) {
            out[offset + t] = seq.get(t);
        }
        if (inputs != Architecture.Inputs.WORDS_AND_BIGRAMS) {
            return length;
        }
        List<Integer> bigrams = row.getList(columns[1]);
        if (bigrams.size() != length) {
            throw new IllegalStateException("bigrams must have the sequence length " + length + ", found "
                    + bigrams.size() + " (are they padded like the words, from one prepare run?)");
        }
        for (int t = 0; t < length; t++) {
            int b = bigrams.get(t);
            out[offset + length + t] = b == 0 ? 0 : vocabularySize + b - 1;
        }
        return 2 * length;
    }

    /** Values per example for sequences of {@code length}. */
    public int width(int length) {
        return inputs == Architecture.Inputs.WORDS_AND_BIGRAMS ? 2 * length : length;
    }
}

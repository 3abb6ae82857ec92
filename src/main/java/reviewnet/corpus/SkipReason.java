package reviewnet.corpus;

import java.util.Locale;

/**
 * Why an input is not used: a stable code (the {@code skip_reason} column, the key of the counts in
 * {@code summary.json}) plus a free-text detail per input (the {@code skip_detail} column: offsets, sizes, values).
 */
public enum SkipReason {
    /** A file of 0 bytes. */
    EMPTY_FILE,
    /** Text that is empty or whitespace only. */
    EMPTY_TEXT,
    /** More bytes than {@code reviewnet.input.max-bytes}. */
    TOO_LARGE,
    /** NUL bytes or too many control characters. */
    BINARY,
    /** Bytes that are not UTF-8. */
    INVALID_UTF8,
    /** A split value outside {@code reviewnet.input.splits}. */
    UNKNOWN_SPLIT,
    /** A label value outside {@code reviewnet.input.labels}. */
    UNKNOWN_LABEL,
    /** Text from which the analyzer keeps no token. */
    NO_TOKENS;

    /** The code as written in the data: lower case with dashes, e.g. {@code invalid-utf8}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** One skipped input's reason and detail. */
    public record Skip(SkipReason reason, String detail) implements java.io.Serializable {
        public String code() {
            return reason.code();
        }
    }

    public Skip because(String detail) {
        return new Skip(this, detail);
    }
}

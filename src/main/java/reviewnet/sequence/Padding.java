package reviewnet.sequence;

import reviewnet.config.SequenceSettings;

/** Keras {@code pad_sequences} for one sequence: fixed length, padding value 0, {@code pre}/{@code post} sides. */
public final class Padding {
    private Padding() {
    }

    public static int[] pad(int[] sequence, SequenceSettings settings) {
        int length = settings.length();
        int[] out = new int[length];
        int kept = Math.min(sequence.length, length);
        int from = settings.truncating() == SequenceSettings.Side.PRE ? sequence.length - kept : 0;
        int to = settings.padding() == SequenceSettings.Side.PRE ? length - kept : 0;
        System.arraycopy(sequence, from, out, to, kept);
        return out;
    }
}

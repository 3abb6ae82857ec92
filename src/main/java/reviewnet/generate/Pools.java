package reviewnet.generate;

import java.util.List;

/**
 * The six sentence pools, numbered {@code 3 * split + kind}: per IMDB split (0 = training, 1 = test) the sentences of
 * its label-0 reviews, of its label-1 reviews, and the filler (sentences of one half of the unlabelled reviews).
 */
public final class Pools {
    public static final int COUNT = 6;
    static final int FILLER = 2;

    private Pools() {
    }

    static int labelled(int split, int label) {
        return 3 * split + label;
    }

    static int filler(int split) {
        return 3 * split + FILLER;
    }

    static boolean isFiller(int pool) {
        return pool % 3 == FILLER;
    }

    static int split(int pool) {
        return pool / 3;
    }

    /** E.g. {@code train/pos} or {@code test/filler}. */
    static String name(int pool, List<String> splits, List<String> labels) {
        return splits.get(split(pool)) + "/" + (isFiller(pool) ? "filler" : labels.get(pool % 3));
    }

    /** The names of all pools, by number. */
    public static List<String> names(List<String> splits, List<String> labels) {
        List<String> names = new java.util.ArrayList<>();
        for (int pool = 0; pool < COUNT; pool++) {
            names.add(name(pool, splits, labels));
        }
        return List.copyOf(names);
    }
}

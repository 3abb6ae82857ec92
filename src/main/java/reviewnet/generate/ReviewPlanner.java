package reviewnet.generate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decides what generated review number {@code r} is made of, as a pure function of the seed and {@code r}: its split
 * and label ({@code r mod 4}: train/label 0, train/label 1, test/label 0, test/label 1, so every prefix of 4k reviews is
 * balanced), its number of sentences (drawn from the sentences-per-review distribution of the IMDB reviews of the same
 * split and label), and for each position a sentence: with probability {@code fillerShare} one of the split's filler
 * pool, otherwise one of the pool of its split and label; uniformly by index. Nothing here depends on the corpus size
 * or on partitioning: the first N reviews of a larger corpus of the same seed are the corpus of N reviews.
 */
public final class ReviewPlanner implements Serializable {
    private static final long LENGTH = 1;
    private static final long FILLER = 2;
    private static final long PICK = 3;

    private final long seed;
    private final double fillerShare;
    private final long[] poolSizes;
    /** Per labelled pool: {@code [k]} = number of IMDB reviews with at most k sentences. */
    private final long[][] cumulative = new long[Pools.COUNT][];

    /** One sentence of a review: its position, the pool and the index in the pool. */
    public record Pick(int position, int pool, long index) {
    }

    /**
     * @param poolSizes    sentences per pool
     * @param lengthCounts per labelled pool, {@code [k]} = IMDB reviews with k sentences (k &ge; 1 where non-zero)
     */
    public ReviewPlanner(long seed, double fillerShare, long[] poolSizes, long[][] lengthCounts) {
        this.seed = seed;
        this.fillerShare = fillerShare;
        this.poolSizes = poolSizes.clone();
        for (int pool = 0; pool < Pools.COUNT; pool++) {
            boolean needed = !Pools.isFiller(pool) || fillerShare > 0;
            if (needed && poolSizes[pool] <= 0) {
                throw new IllegalArgumentException("sentence pool " + pool + " is empty");
            }
            if (!Pools.isFiller(pool)) {
                long[] counts = lengthCounts[pool];
                if (counts.length == 0 || counts[0] != 0) {
                    throw new IllegalArgumentException("pool " + pool + ": review lengths start at one sentence");
                }
                cumulative[pool] = Arrays.copyOf(counts, counts.length);
                Arrays.parallelPrefix(cumulative[pool], Long::sum);
                if (cumulative[pool][counts.length - 1] == 0) {
                    throw new IllegalArgumentException("pool " + pool + " has no review lengths");
                }
            }
        }
    }

    public static int split(long review) {
        return (int) (review % 4) / 2;
    }

    public static int label(long review) {
        return (int) (review % 4) % 2;
    }

    /** The number of sentences of review {@code r}: inverse of the empirical distribution at a uniform draw. */
    public int sentences(long review) {
        long[] cum = cumulative[Pools.labelled(split(review), label(review))];
        long draw = Hashing.below(Hashing.hash(seed, review, 0, LENGTH), cum[cum.length - 1]);
        int k = Arrays.binarySearch(cum, draw + 1);
        if (k < 0) {
            k = -k - 1;
        } else {
            while (k > 0 && cum[k - 1] == draw + 1) {
                k--;
            }
        }
        return k;
    }

    public List<Pick> picks(long review) {
        int split = split(review);
        int labelled = Pools.labelled(split, label(review));
        int filler = Pools.filler(split);
        int k = sentences(review);
        List<Pick> picks = new ArrayList<>(k);
        for (int p = 0; p < k; p++) {
            int pool = Hashing.unit(Hashing.hash(seed, review, p, FILLER)) < fillerShare ? filler : labelled;
            picks.add(new Pick(p, pool, Hashing.below(Hashing.hash(seed, review, p, PICK), poolSizes[pool])));
        }
        return picks;
    }
}

package reviewnet.generate;

/**
 * The generator's only source of randomness: a pure function of its inputs, so that a corpus depends on the seed and
 * the review number alone (not on partitioning, task order or retries). SplitMix64's finalizer (Steele, Lea and
 * Flood 2014; the mixer of {@code java.util.SplittableRandom}) chained over the inputs. Written out here rather than
 * taken from a library so that no library upgrade can change a generated corpus: changing it changes every corpus.
 */
final class Hashing {
    private Hashing() {
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A well-mixed 64-bit value of the inputs. */
    static long hash(long seed, long a, long b, long purpose) {
        long h = mix(seed + 0x9e3779b97f4a7c15L);
        h = mix(h + a);
        h = mix(h + b);
        return mix(h + purpose);
    }

    /** Uniform in [0, 1) from the top 53 bits. */
    static double unit(long hash) {
        return (hash >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, n) (the bias of a 64-bit remainder is below 2^-40 for the pool sizes here). */
    static long below(long hash, long n) {
        return Long.remainderUnsigned(hash, n);
    }
}

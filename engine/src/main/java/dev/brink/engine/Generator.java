package dev.brink.engine;

/**
 * Seeded, counter-based random number generator. Every random tensor draws a block of counters; element
 * {@code i} of the block is a pure function of {@code (seed, counter + i)}, so any backend (CPU or GPU) produces
 * the same numbers for the same seed, and a run is reproducible from its seed and the generator's position.
 *
 * <p>Uniform floats lie in [0, 1). Normal values use Box-Muller on the uniforms at counters {@code 2i} and
 * {@code 2i+1} of the block.
 */
public final class Generator {
    private final long seed;
    private long counter;

    /** A generator at position 0 of the stream for {@code seed}. */
    public Generator(long seed) {
        this(seed, 0);
    }

    /** A generator at a given position, e.g. restored from a checkpoint. */
    public Generator(long seed, long counter) {
        this.seed = seed;
        this.counter = counter;
    }

    public long seed() {
        return seed;
    }

    /** Position in the stream: the number of counters consumed so far. Save it to resume a run exactly. */
    public long counter() {
        return counter;
    }

    /** Reserves {@code n} counters and returns the first one. */
    public long reserve(long n) {
        long c = counter;
        counter += n;
        return c;
    }

    /** 64 random bits for counter {@code index} of the stream {@code seed} (SplitMix64 finalizer over both). */
    public static long bits(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + mix(index + 0x632BE59BD9B4E019L);
        return mix(z);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform double in [0, 1) with 53 random bits. */
    public static double uniform(long seed, long index) {
        return (bits(seed, index) >>> 11) * 0x1.0p-53;
    }

    /** Uniform float in [0, 1) with 24 random bits (never rounds up to 1). */
    public static float uniformFloat(long seed, long index) {
        return (bits(seed, index) >>> 40) * 0x1.0p-24f;
    }

    /** Standard normal value {@code i} of a block that starts at {@code counter} (uses counters 2i and 2i+1). */
    public static double normal(long seed, long counter, long i) {
        double u1 = 1.0 - uniform(seed, counter + 2 * i); // (0, 1]
        double u2 = uniform(seed, counter + 2 * i + 1);
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}

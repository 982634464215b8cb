package dev.brink.nn.data;

import dev.brink.engine.Generator;

/** Seeded permutations: a Fisher–Yates shuffle driven by the engine's counter-based {@link Generator#bits}. */
final class Shuffle {
    private Shuffle() {}

    /**
     * A permutation of {@code 0..n-1} that is a pure function of {@code (n, seed)}: same arguments, same order, on
     * any machine. Step {@code i} (from {@code n-1} down to 1) swaps position {@code i} with position
     * {@code bits(seed, i) mod (i+1)} (unsigned; the modulo bias is below 2^-32 for any int {@code n}).
     */
    static int[] permutation(int n, long seed) {
        if (n < 0) throw new IllegalArgumentException("permutation: n = " + n + " < 0");
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = (int) Long.remainderUnsigned(Generator.bits(seed, i), i + 1L);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The stream seed for epoch {@code epoch} of a loader seeded with {@code seed}. */
    static long epochSeed(long seed, int epoch) {
        return Generator.bits(seed, 0x45504F4348000000L ^ (epoch & 0xFFFFFFFFL));
    }
}

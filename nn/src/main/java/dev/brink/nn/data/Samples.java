package dev.brink.nn.data;

import dev.brink.engine.Generator;

import java.util.Arrays;

/**
 * Subsets of a data set for quick runs ({@code --limit N}, {@code --sample first|balanced}): the first {@code N}
 * samples in the data set's order, or a seeded class-balanced sample.
 */
public final class Samples {
    private Samples() {}

    /** How a limited subset is chosen. */
    public enum Kind {
        /** The first {@code N} samples in the data set's order. */
        FIRST,
        /** A seeded sample with (as near as the classes allow) equal counts per class. */
        BALANCED;

        /** Parses {@code first} or {@code balanced} (case-insensitive). */
        public static Kind parse(String s) {
            for (Kind k : values()) if (k.name().equalsIgnoreCase(s == null ? "" : s.trim())) return k;
            throw new IllegalArgumentException("--sample must be first or balanced, got '" + s + "'");
        }

        /** The lower-case name used on the command line. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** {@link #first} or {@link #balanced}; the whole set when {@code n >= size()}. */
    public static Dataset subset(Dataset d, int n, Kind kind, long seed) {
        return kind == Kind.BALANCED ? balanced(d, n, seed) : first(d, n);
    }

    /**
     * The first {@code n} samples (the whole set when {@code n >= size()}).
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static Dataset first(Dataset d, int n) {
        check(d, n);
        if (n >= d.size()) return d;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return d.subset(idx);
    }

    /**
     * A class-balanced sample of {@code n} samples, a pure function of {@code (data, n, seed)}: each class gets
     * {@code n / classes} samples (the remainder going one each to classes picked by a seeded permutation; a class
     * with too few samples gives all it has and the rest is shared among the others), drawn by a seeded permutation
     * of that class's samples. The chosen samples keep the data set's order. The whole set when
     * {@code n >= size()}.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static Dataset balanced(Dataset d, int n, long seed) {
        check(d, n);
        if (n >= d.size()) return d;
        return d.subset(balancedIndices(d.labelArray(), d.numClasses(), n, seed));
    }

    /** The sorted indices {@link #balanced} picks from these labels. */
    static int[] balancedIndices(int[] labels, int classes, int n, long seed) {
        int[] avail = new int[classes];
        for (int l : labels) avail[l]++;
        int[] quota = quotas(avail, n, Shuffle.permutation(classes, Generator.bits(seed, -1L)));
        int[][] members = new int[classes][];
        int[] fill = new int[classes];
        for (int k = 0; k < classes; k++) members[k] = new int[avail[k]];
        for (int i = 0; i < labels.length; i++) members[labels[i]][fill[labels[i]]++] = i;
        int[] out = new int[n];
        int m = 0;
        for (int k = 0; k < classes; k++) {
            int[] perm = Shuffle.permutation(avail[k], Generator.bits(seed, k));
            for (int j = 0; j < quota[k]; j++) out[m++] = members[k][perm[j]];
        }
        Arrays.sort(out);
        return out;
    }

    /** Shares {@code n} out as evenly as the availabilities allow; remainders go in {@code order}. */
    static int[] quotas(int[] avail, int n, int[] order) {
        int[] q = new int[avail.length];
        int left = n;
        while (left > 0) {
            int open = 0;
            for (int k = 0; k < avail.length; k++) if (q[k] < avail[k]) open++;
            if (open == 0) break;
            int share = left / open;
            if (share == 0) {
                for (int k : order) {
                    if (left == 0) break;
                    if (q[k] < avail[k]) {
                        q[k]++;
                        left--;
                    }
                }
                break;
            }
            for (int k = 0; k < avail.length; k++) {
                int take = Math.min(share, avail[k] - q[k]);
                q[k] += take;
                left -= take;
            }
        }
        return q;
    }

    private static void check(Dataset d, int n) {
        if (n < 1) throw new IllegalArgumentException("--limit must be positive, got " + n + " (data set " + d.name() + ")");
    }
}

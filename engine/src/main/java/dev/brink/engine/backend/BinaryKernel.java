package dev.brink.engine.backend;

/**
 * Elementwise functions of two broadcast arguments computed by {@link Backend#binary}. Comparisons write 1 where
 * the relation holds and 0 elsewhere, in the output's dtype. {@link #MAX}/{@link #MIN} return either argument
 * on ties (they are equal).
 */
public enum BinaryKernel {
    ADD, SUB, MUL, DIV, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE,
    /** {@code b > 0 ? a : 0} (0 also where b is NaN): the relu backward, {@code g} kept where {@code x > 0}. */
    MASK_POSITIVE
}

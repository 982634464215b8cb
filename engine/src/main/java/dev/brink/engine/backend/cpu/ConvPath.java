package dev.brink.engine.backend.cpu;

import java.util.Locale;

/**
 * Which float32 convolution path computes a problem: lowering (im2col + packed GEMM, {@link FloatConv}) or the
 * implicit GEMM ({@link ImplicitConv}). The system property {@code brink.conv} forces one ({@code lowered} or
 * {@code implicit}; read once, for benchmarks and tests); by default ({@code auto}) the rule below chooses, from
 * the JMH numbers in docs/performance.md ("CPU convolution paths"): the forward pass goes implicit for strided
 * convolutions and small maps (where im2col copies short rows), the weight gradient wherever the kernel has
 * enough taps to fill the tap tiles.
 */
final class ConvPath {
    /**
     * Output positions per image up to which the forward pass goes implicit even with stride 1: im2col rows of
     * small maps are short copies (Galloway et al.'s 5x5 layer on 6x6: 2.2x faster implicit; Madry et al.'s
     * second layer, 14x14: 1.1-1.5x). On 32x32 maps lowering's long copies tie or win.
     */
    static final int SMALL_MAP = 256;
    /**
     * Kernel taps ({@code C*kh*kw}) from which the weight gradient goes implicit: below it (one- and
     * three-channel first layers, 25 or 27 taps) the tap tiles are mostly padding and lowering wins.
     */
    static final int MIN_TAPS = 64;

    /** auto: the rule; lowered, implicit: that path wherever it applies. */
    enum Mode { AUTO, LOWERED, IMPLICIT }

    private static volatile Mode mode = parse(System.getProperty("brink.conv", "auto"));

    private ConvPath() {}

    private static Mode parse(String s) {
        try {
            return Mode.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property brink.conv must be auto, lowered or implicit, got '" + s + "'");
        }
    }

    /** Switches the mode (tests run every path); returns the previous one. */
    static Mode use(Mode m) {
        Mode old = mode;
        mode = m;
        return old;
    }

    /** True when the forward pass of d runs as an implicit GEMM. */
    static boolean implicitForward(ImplicitConv.Dims d) {
        if (!ImplicitConv.supports(d.g(), d.n(), d.ho(), d.wo())) return false;
        return switch (mode) {
            case LOWERED -> false;
            case IMPLICIT -> true;
            case AUTO -> d.g().strideH() > 1 || d.g().strideW() > 1 || d.p() <= SMALL_MAP;
        };
    }

    /** True when the weight gradient of d runs as an implicit GEMM. */
    static boolean implicitWeightGrad(ImplicitConv.Dims d) {
        if (!ImplicitConv.supports(d.g(), d.n(), d.ho(), d.wo())) return false;
        return switch (mode) {
            case LOWERED -> false;
            case IMPLICIT -> true;
            case AUTO -> d.k() >= MIN_TAPS;
        };
    }
}

package dev.brink.engine.backend.cpu;

import java.util.Locale;

/**
 * Which float32 convolution path computes a problem: lowering (im2col + packed GEMM, {@link FloatConv}) or the
 * implicit GEMM ({@link ImplicitConv}). The system property {@code brink.conv} forces one ({@code lowered} or
 * {@code implicit}; read once, for benchmarks and tests); by default ({@code auto}) the rule below chooses, from
 * the JMH numbers in docs/performance.md ("CPU convolution paths").
 */
final class ConvPath {
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
            case AUTO -> false;
        };
    }

    /** True when the weight gradient of d runs as an implicit GEMM. */
    static boolean implicitWeightGrad(ImplicitConv.Dims d) {
        if (!ImplicitConv.supports(d.g(), d.n(), d.ho(), d.wo())) return false;
        return switch (mode) {
            case LOWERED -> false;
            case IMPLICIT -> true;
            case AUTO -> false;
        };
    }
}

package dev.brink.engine.backend.cpu;

/**
 * A direct float32 weight gradient for convolutions with very few input channels (the first layer of a network:
 * Madry et al.'s 1-channel 5x5, the 3-channel 3x3 stems), where the GEMM forms are poor fits: the product has a
 * tiny output ({@code O x C*kh*kw}, e.g. 32 x 25) over a long reduction, so lowering spends its time building and
 * packing the im2col matrix and the implicit GEMM pads 25 or 27 taps to its tile. Here it runs along image rows,
 * the vector lanes over output columns, reading a zero-padded copy of the input and no im2col matrix:
 * {@code dw[o, c, i, j] = sum over n, oy, ox of gy[n, o, oy, ox] * xpad[n, c, oy + i, ox + j]}, lane-wise partial
 * sums over whole rows (4 output channels x 3 taps in registers), summed over the lanes at the end in a fixed
 * order; split over blocks of output channels, so no result depends on the thread count.
 *
 * <p>Only stride 1, dilation 1, one group and padding of at most {@code k - 1} per side ({@link #supports}). The
 * kernel needs the Vector API ({@code SimdDirectConv}); {@link #get} is null without it and the other paths run.
 * (An input-gradient kernel of the same shape, four or eight output rows per block, lost to the existing paths
 * in JMH: madry1 5.8 ms against 4.7, stem 12.8 against 10.9; it was not kept.)
 */
abstract class DirectConv {
    /** Input channels up to which the kernels apply. */
    static final int MAX_CHANNELS = 4;

    /** The SIMD kernels, or null where the Vector API is unavailable or {@code brink.simd} is off. */
    static DirectConv get() {
        return Current.KERNELS;
    }

    /** Chosen on first use, outside this class's initialization (the SIMD subclass is created by it). */
    private static final class Current {
        static final DirectConv KERNELS = VectorSupport.requested() ? VectorSupport.loadSimdDirectConv() : null;
    }

    /** True when these kernels compute problem d: see the class comment. */
    static boolean supports(ImplicitConv.Dims d) {
        var g = d.g();
        return g.groups() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.dilationH() == 1 && g.dilationW() == 1
                && d.c() <= MAX_CHANNELS && g.padH() <= d.kh() - 1 && g.padW() <= d.kw() - 1
                && d.n() > 0 && d.ho() > 0 && d.wo() > 0
                // the padded input (rows up to a vector plus a kernel wider than the output) and the block of 4
                // images x 4 channels of the output gradient (rows up to a vector wider) fit in Java arrays
                && (long) d.n() * d.c() * (d.h() + 2L * g.padH()) * (d.wo() + 64L + d.kw()) < Integer.MAX_VALUE / 2
                && 16L * d.ho() * (d.wo() + 64L) < Integer.MAX_VALUE / 2;
    }

    /**
     * {@code dw = dL/dw}: x [N, C, H, W] at {@code xd[xo]}, gy [N, O, Ho, Wo] at {@code gd[go]}, dw [O, C, kh, kw] at
     * {@code dwd[dwo]} (overwritten), all contiguous. False, with nothing written, where x holds an infinity or NaN
     * (the caller then takes another path: lanes past a row's end would turn a zero product into NaN).
     */
    abstract boolean weightGrad(ImplicitConv.Dims d, float[] xd, int xo, float[] gd, int go, float[] dwd, int dwo);
}

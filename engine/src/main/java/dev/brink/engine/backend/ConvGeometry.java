package dev.brink.engine.backend;

/**
 * Hyper-parameters of a 2-D convolution over NCHW inputs with OIHW weights ({@code [C_out, C_in/groups, kh, kw]}).
 * Output size per spatial axis: {@code floor((in + 2*pad - dil*(k-1) - 1) / stride) + 1}.
 */
public record ConvGeometry(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {
    public ConvGeometry {
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("conv2d: stride must be >= 1, got [" + strideH + ", " + strideW + "]");
        if (padH < 0 || padW < 0) throw new IllegalArgumentException("conv2d: padding must be >= 0, got [" + padH + ", " + padW + "]");
        if (dilationH < 1 || dilationW < 1) throw new IllegalArgumentException("conv2d: dilation must be >= 1, got [" + dilationH + ", " + dilationW + "]");
        if (groups < 1) throw new IllegalArgumentException("conv2d: groups must be >= 1, got " + groups);
    }

    /** Stride s, padding p, dilation 1, one group, on both axes. */
    public static ConvGeometry of(int stride, int padding) {
        return new ConvGeometry(stride, stride, padding, padding, 1, 1, 1);
    }

    /** Output height for input height {@code h} and kernel height {@code kh}. */
    public int outH(int h, int kh) {
        return Math.floorDiv(h + 2 * padH - dilationH * (kh - 1) - 1, strideH) + 1;
    }

    /** Output width for input width {@code w} and kernel width {@code kw}. */
    public int outW(int w, int kw) {
        return Math.floorDiv(w + 2 * padW - dilationW * (kw - 1) - 1, strideW) + 1;
    }
}

package dev.brink.engine.backend;

/**
 * Window of a 2-D pooling over NCHW inputs. Output size per spatial axis as for {@link ConvGeometry}
 * (floor mode). Padded positions never win a max pool.
 */
public record PoolGeometry(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {
    public PoolGeometry {
        if (kernelH < 1 || kernelW < 1) throw new IllegalArgumentException("pool2d: kernel must be >= 1, got [" + kernelH + ", " + kernelW + "]");
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("pool2d: stride must be >= 1, got [" + strideH + ", " + strideW + "]");
        if (padH < 0 || padW < 0 || 2 * padH > kernelH || 2 * padW > kernelW)
            throw new IllegalArgumentException("pool2d: padding must be between 0 and half the kernel, got [" + padH + ", " + padW + "] for kernel [" + kernelH + ", " + kernelW + "]");
        if (dilationH < 1 || dilationW < 1) throw new IllegalArgumentException("pool2d: dilation must be >= 1");
    }

    /** Square window k, stride s, padding p, no dilation. */
    public static PoolGeometry of(int kernel, int stride, int padding) {
        return new PoolGeometry(kernel, kernel, stride, stride, padding, padding, 1, 1);
    }

    public int outH(int h) {
        return Math.floorDiv(h + 2 * padH - dilationH * (kernelH - 1) - 1, strideH) + 1;
    }

    public int outW(int w) {
        return Math.floorDiv(w + 2 * padW - dilationW * (kernelW - 1) - 1, strideW) + 1;
    }
}

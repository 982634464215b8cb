package dev.brink.engine.op;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.PoolGeometry;

/**
 * Pooling built from primitives, so every derivative order comes for free: max pooling finds the switches with a
 * non-differentiable index kernel and gathers them (its backward scatters, whose backward gathers); average
 * pooling is a depthwise convolution with a constant 1/(kh*kw) kernel (padding counts as zeros, PyTorch's
 * {@code count_include_pad=True}); global average pooling is a mean over H and W.
 */
public final class Pooling {
    public static final OpDef MAX_POOL2D = OpDef.composite("max_pool2d", "max over windows (gather at the argmax switches)");
    public static final OpDef AVG_POOL2D = OpDef.composite("avg_pool2d", "mean over windows (depthwise constant convolution)");
    public static final OpDef GLOBAL_AVG_POOL2D = OpDef.composite("global_avg_pool2d", "mean over H and W: [N,C,H,W] -> [N,C]");

    private Pooling() {}

    /** Max pooling of x {@code [N, C, H, W]}; output {@code [N, C, Ho, Wo]}. */
    public static Tensor maxPool2d(Tensor x, PoolGeometry p) {
        String op = MAX_POOL2D.name();
        Checks.rank(op, "x", x, 4);
        Checks.floating(op, "x", x);
        int[] s = x.shape();
        int ho = p.outH(s[2]), wo = p.outW(s[3]);
        if (ho < 1 || wo < 1) throw new IllegalArgumentException(op + ": input " + Shape.str(s) + " is smaller than the window " + p);
        requireRealWindows(op, s[2], ho, p.kernelH(), p.strideH(), p.padH(), p.dilationH(), s);
        requireRealWindows(op, s[3], wo, p.kernelW(), p.strideW(), p.padW(), p.dilationW(), s);
        Tensor idx = Tensor.empty(x.backend(), DType.INT32, s[0], s[1], ho, wo);
        x.backend().maxPool2dIndices(x, p, idx);
        Tensor flat = x.reshape(s[0], s[1], s[2] * s[3]);
        return Indexing.gatherAt(op, "switches", flat, 2, idx.reshape(s[0], s[1], ho * wo)).reshape(s[0], s[1], ho, wo);
    }

    /** Rejects geometries where some window covers only padding (its maximum would be undefined). */
    private static void requireRealWindows(String op, int size, int out, int k, int stride, int pad, int dil, int[] shape) {
        for (int i = 0; i < out; i++) {
            boolean real = false;
            for (int j = 0; j < k && !real; j++) {
                int pos = i * stride - pad + j * dil;
                real = pos >= 0 && pos < size;
            }
            if (!real)
                throw new IllegalArgumentException(op + ": window " + i + " lies entirely in the padding for input " + Shape.str(shape)
                        + " (kernel " + k + ", stride " + stride + ", padding " + pad + ", dilation " + dil + ")");
        }
    }

    /** Average pooling of x {@code [N, C, H, W]} (zero padding counted in the mean). */
    public static Tensor avgPool2d(Tensor x, PoolGeometry p) {
        String op = AVG_POOL2D.name();
        Checks.rank(op, "x", x, 4);
        if (p.dilationH() != 1 || p.dilationW() != 1) throw new IllegalArgumentException(op + ": dilation is not supported");
        int[] s = x.shape();
        int ho = p.outH(s[2]), wo = p.outW(s[3]);
        if (ho < 1 || wo < 1) throw new IllegalArgumentException(op + ": input " + Shape.str(s) + " is smaller than the window " + p);
        Tensor kernel = Tensor.full(x.backend(), x.dtype(), 1.0 / (p.kernelH() * p.kernelW()), 1, 1, p.kernelH(), p.kernelW());
        ConvGeometry g = new ConvGeometry(p.strideH(), p.strideW(), p.padH(), p.padW(), 1, 1, 1);
        Tensor y = Convolution.conv2d(x.reshape(s[0] * s[1], 1, s[2], s[3]), kernel, null, g);
        return y.reshape(s[0], s[1], ho, wo);
    }

    /** Mean over the spatial axes: {@code [N, C, H, W] -> [N, C]}. */
    public static Tensor globalAvgPool2d(Tensor x) {
        Checks.rank(GLOBAL_AVG_POOL2D.name(), "x", x, 4);
        return x.mean(new int[] {2, 3}, false);
    }
}

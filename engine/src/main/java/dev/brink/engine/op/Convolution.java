package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;

/**
 * 2-D convolution as a closed family of three linear primitives, each one's backward made of the others:
 * <ul>
 *   <li>{@code conv2d(x, w)}: dx = conv2d_input_grad(g, w), dw = conv2d_weight_grad(x, g);</li>
 *   <li>{@code conv2d_input_grad(gy, w)}: d gy = conv2d(g, w), dw = conv2d_weight_grad(g, gy);</li>
 *   <li>{@code conv2d_weight_grad(x, gy)}: dx = conv2d_input_grad(gy, g), d gy = conv2d(x, g).</li>
 * </ul>
 * So convolutions are differentiable to any order. The transposed convolution is conv2d_input_grad with
 * PyTorch's weight layout {@code [C_in, C_out/groups, kh, kw]}. A bias is added in place to the fresh output as a
 * broadcast {@code [1, O, 1, 1]}, and {@code conv2d_relu} applies relu in the same pass
 * ({@link dev.brink.engine.backend.Backend#biasReluInPlace}): one output tensor and one pass over it instead of three
 * tensors and two passes; values and gradients are those of the separate ops, bit for bit.
 */
public final class Convolution {
    public static final OpDef CONV2D = OpDef.primitive("conv2d", "2-D cross-correlation, NCHW x OIHW");
    public static final OpDef INPUT_GRAD = OpDef.primitive("conv2d_input_grad", "gradient of conv2d with respect to its input");
    public static final OpDef WEIGHT_GRAD = OpDef.primitive("conv2d_weight_grad", "gradient of conv2d with respect to its weight");
    public static final OpDef CONV2D_RELU = OpDef.primitive("conv2d_relu", "relu(conv2d(x, w) + bias) with the bias and relu applied in place");
    public static final OpDef CONV_TRANSPOSE2D = OpDef.composite("conv_transpose2d", "transposed 2-D convolution");

    private Convolution() {}

    /**
     * Convolution of x {@code [N, C, H, W]} with w {@code [O, C/groups, kh, kw]} and optional bias {@code [O]};
     * returns {@code [N, O, Ho, Wo]}.
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g) {
        return conv2d(CONV2D, x, w, bias, g, false);
    }

    /**
     * {@code relu(conv2d(x, w, bias))} as one op: the bias and the relu are applied in place to the convolution's
     * output, which is also what the backward reads (relu's mask is {@code y > 0}). Shapes as in
     * {@link #conv2d(Tensor, Tensor, Tensor, ConvGeometry)}.
     */
    public static Tensor conv2dRelu(Tensor x, Tensor w, Tensor bias, ConvGeometry g) {
        return conv2d(CONV2D_RELU, x, w, bias, g, true);
    }

    private static Tensor conv2d(OpDef def, Tensor x, Tensor w, Tensor bias, ConvGeometry g, boolean relu) {
        String op = def.name();
        check(op, x, w, g);
        int[] xs = x.shape(), ws = w.shape();
        int ho = g.outH(xs[2], ws[2]), wo = g.outW(xs[3], ws[3]);
        if (ho < 1 || wo < 1)
            throw new IllegalArgumentException(op + ": input " + Shape.str(xs) + " is too small for kernel " + Shape.str(ws) + " with " + g + " (output " + ho + "x" + wo + ")");
        Tensor b = null;
        if (bias != null) {
            Checks.sameBackend(op, x, bias);
            Checks.sameDType(op, x, bias);
            if (bias.dim() != 1 || bias.size(0) != ws[0])
                throw new IllegalArgumentException(op + ": bias has shape " + Shape.str(bias.shape()) + ", expected [" + ws[0] + "] for weight " + Shape.str(ws));
            b = bias.reshape(1, ws[0], 1, 1);
        }
        return conv(op, x, w, b, g, new int[] {xs[0], ws[0], ho, wo}, relu);
    }

    private static void check(String op, Tensor x, Tensor w, ConvGeometry g) {
        Checks.sameBackend(op, x, w);
        Checks.sameDType(op, x, w);
        Checks.floating(op, "x", x);
        Checks.rank(op, "x", x, 4);
        Checks.rank(op, "w", w, 4);
        int c = x.size(1), o = w.size(0);
        if (c % g.groups() != 0 || o % g.groups() != 0)
            throw new IllegalArgumentException(op + ": groups " + g.groups() + " must divide input channels " + c + " and output channels " + o
                    + " (x " + Shape.str(x.shape()) + ", w " + Shape.str(w.shape()) + ")");
        if (w.size(1) * g.groups() != c)
            throw new IllegalArgumentException(op + ": weight " + Shape.str(w.shape()) + " expects " + w.size(1) * g.groups() + " input channels with groups "
                    + g.groups() + ", but x " + Shape.str(x.shape()) + " has " + c);
    }

    static Tensor conv(Tensor x, Tensor w, ConvGeometry g, int[] outShape) {
        return conv(CONV2D.name(), x, w, null, g, outShape, false);
    }

    /**
     * The convolution node: y = conv(x, w) into a new tensor of outShape, then (when given) the bias b
     * {@code [1, O, 1, 1]} and the relu in place; its backward masks g with {@code y > 0} under relu, and the bias's
     * gradient is that g in the broadcast shape (the walker sums it).
     */
    private static Tensor conv(String op, Tensor x, Tensor w, Tensor b, ConvGeometry g, int[] outShape, boolean relu) {
        Tensor y = Checks.allocOverwritten(x.backend(), x.dtype(), outShape);
        x.backend().conv2d(x, w, g, y);
        if (b != null || relu) x.backend().biasReluInPlace(y, b, relu);
        int[] xs = x.shape(), ws = w.shape();
        Tensor[] inputs = b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
        boolean xGrad = x.requiresGrad(), wGrad = w.requiresGrad(), bGrad = b != null && b.requiresGrad();
        // dx reads w, dw reads x: keep each only for the other's gradient (an attack on a frozen model keeps no x)
        Tensor xForW = wGrad ? x : null, wForX = xGrad ? w : null;
        return Autograd.record(op, y, inputs, gy -> {
            Tensor gz = relu ? BinaryOp.maskPositive(gy, y) : gy;
            Tensor[] grads = new Tensor[b == null ? 2 : 3];
            grads[0] = Autograd.needsGrad(xGrad, 0) ? inputGrad(gz, wForX, g, xs) : null;
            grads[1] = Autograd.needsGrad(wGrad, 1) ? weightGrad(xForW, gz, g, ws) : null;
            if (b != null && Autograd.needsGrad(bGrad, 2)) grads[2] = gz;
            return grads;
        });
    }

    /** Gradient of conv2d with respect to an input of shape {@code xShape}, given the output gradient gy. */
    public static Tensor inputGrad(Tensor gy, Tensor w, ConvGeometry g, int[] xShape) {
        Tensor dx = Checks.allocOverwritten(gy.backend(), gy.dtype(), xShape);
        gy.backend().conv2dInputGrad(gy, w, g, dx);
        int[] gs = gy.shape(), ws = w.shape();
        boolean gyGrad = gy.requiresGrad(), wGrad = w.requiresGrad();
        Tensor gyForW = wGrad ? gy : null, wForGy = gyGrad ? w : null;
        return Autograd.record(INPUT_GRAD.name(), dx, new Tensor[] {gy, w}, h -> new Tensor[] {
                Autograd.needsGrad(gyGrad, 0) ? conv(h, wForGy, g, gs) : null,
                Autograd.needsGrad(wGrad, 1) ? weightGrad(h, gyForW, g, ws) : null});
    }

    /** Gradient of conv2d with respect to a weight of shape {@code wShape}, given input x and output gradient gy. */
    public static Tensor weightGrad(Tensor x, Tensor gy, ConvGeometry g, int[] wShape) {
        Tensor dw = Checks.allocOverwritten(x.backend(), x.dtype(), wShape);
        x.backend().conv2dWeightGrad(x, gy, g, dw);
        int[] xs = x.shape(), gs = gy.shape();
        boolean xGrad = x.requiresGrad(), gyGrad = gy.requiresGrad();
        Tensor xForGy = gyGrad ? x : null, gyForX = xGrad ? gy : null;
        return Autograd.record(WEIGHT_GRAD.name(), dw, new Tensor[] {x, gy}, h -> new Tensor[] {
                Autograd.needsGrad(xGrad, 0) ? inputGrad(gyForX, h, g, xs) : null,
                Autograd.needsGrad(gyGrad, 1) ? conv(xForGy, h, g, gs) : null});
    }

    /**
     * Transposed convolution (PyTorch's conv_transpose2d): x {@code [N, C_in, H, W]}, w {@code [C_in, C_out/groups,
     * kh, kw]}, optional bias {@code [C_out]}; output size {@code (H-1)*stride - 2*pad + dil*(kh-1) + outputPadding + 1}.
     */
    public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g, int outputPadH, int outputPadW) {
        String op = CONV_TRANSPOSE2D.name();
        Checks.sameBackend(op, x, w);
        Checks.sameDType(op, x, w);
        Checks.rank(op, "x", x, 4);
        Checks.rank(op, "w", w, 4);
        if (w.size(0) != x.size(1))
            throw new IllegalArgumentException(op + ": weight " + Shape.str(w.shape()) + " expects " + w.size(0) + " input channels, x " + Shape.str(x.shape()) + " has " + x.size(1));
        if (x.size(1) % g.groups() != 0)
            throw new IllegalArgumentException(op + ": groups " + g.groups() + " must divide input channels " + x.size(1));
        if (outputPadH < 0 || outputPadW < 0 || outputPadH >= Math.max(g.strideH(), g.dilationH()) || outputPadW >= Math.max(g.strideW(), g.dilationW()))
            throw new IllegalArgumentException(op + ": output padding [" + outputPadH + ", " + outputPadW + "] must be smaller than stride or dilation");
        int[] ws = w.shape(), xs = x.shape();
        int h = (xs[2] - 1) * g.strideH() - 2 * g.padH() + g.dilationH() * (ws[2] - 1) + outputPadH + 1;
        int wd = (xs[3] - 1) * g.strideW() - 2 * g.padW() + g.dilationW() * (ws[3] - 1) + outputPadW + 1;
        int cout = ws[1] * g.groups();
        if (h < 1 || wd < 1) throw new IllegalArgumentException(op + ": output size " + h + "x" + wd + " is empty for x " + Shape.str(xs));
        Tensor y = inputGrad(x, w, g, new int[] {xs[0], cout, h, wd});
        if (bias == null) return y;
        if (bias.dim() != 1 || bias.size(0) != cout)
            throw new IllegalArgumentException(op + ": bias has shape " + Shape.str(bias.shape()) + ", expected [" + cout + "]");
        return y.add(bias.reshape(1, cout, 1, 1));
    }
}

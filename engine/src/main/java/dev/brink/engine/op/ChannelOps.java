package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;

/**
 * The per-channel primitives batch normalization and its gradient are made of, each one pass of the backend's kernel
 * ({@link Backend#channelNormalize}, {@link Backend#channelVariance}, {@link Backend#channelCenteredDot}; one-pass
 * kernels on the CPU, the tensor-op
 * composition elsewhere). x is {@code [N, C, ...]} (rank >= 2, channels on axis 1, any strides); the per-channel
 * tensors are {@code [C]} of x's dtype; "over a channel" means over all elements with that index on axis 1.
 * <ul>
 *   <li>{@code channel_normalize(x, center, scale, shift)} = {@code (x - center[c]) * scale[c] + shift[c]}, x's
 *       shape: batch norm's normalize and affine step in one pass (instead of a subtraction, a division, a
 *       multiplication and an addition, each a pass and a temporary).</li>
 *   <li>{@code channel_variance(x, mean)} = {@code mean over the channel of (x - mean[c])^2}, {@code [C]}: the
 *       biased variance about a given mean, read in one pass, without the centered and squared temporaries.</li>
 *   <li>{@code channel_centered_dot(g, x, center)} = {@code sum over the channel of g * (x - center[c])},
 *       {@code [C]}: the scale's gradient of channel_normalize, read in one pass, without the centered and product
 *       temporaries.</li>
 *   <li>{@code channel_combine(u, v, a, b, c)} = {@code u * a[c] + v * b[c] + c[c]}, u's shape (u and v of one
 *       shape): batch norm's input gradient (u the output gradient, v the input) in one pass.</li>
 * </ul>
 * Every backward rule is written in ops (this class's and the tensor ops), so every order of derivative follows:
 * {@code d/dx channel_normalize = g * scale}, {@code d/dcenter = -scale * sum(g)}, {@code d/dscale =
 * channel_centered_dot(g, x, center)}, {@code d/dshift = sum(g)}; {@code d/dx channel_variance = channel_normalize(x,
 * mean, 2g/n, 0)}, {@code d/dmean = -2g/n * sum(x - mean)}; for channel_centered_dot with upstream gradient gc
 * ({@code [C]}), {@code d/dg = channel_normalize(x, center, gc, 0)}, {@code d/dx = g * gc}, {@code d/dcenter = -gc *
 * sum(g)}; for channel_combine with upstream gradient go, {@code d/du = go * a}, {@code d/dv = go * b}, {@code
 * d/da = channel_centered_dot(go, u, 0)}, {@code d/db = channel_centered_dot(go, v, 0)}, {@code d/dc = sum(go)};
 * sums over the channel and n its element count.
 */
public final class ChannelOps {
    public static final OpDef NORMALIZE = OpDef.primitive("channel_normalize", "(x - center[c]) * scale[c] + shift[c] over channel axis 1");
    public static final OpDef NORMALIZE_RELU = OpDef.primitive("channel_normalize_relu", "max((x - center[c]) * scale[c] + shift[c], 0) in one pass");
    public static final OpDef VARIANCE = OpDef.primitive("channel_variance", "mean over each channel (axis 1) of (x - mean[c])^2 -> [C]");
    public static final OpDef CENTERED_DOT = OpDef.primitive("channel_centered_dot", "sum over each channel (axis 1) of g * (x - center[c]) -> [C]");
    public static final OpDef COMBINE = OpDef.primitive("channel_combine", "u * a[c] + v * b[c] + c[c] over channel axis 1");

    private ChannelOps() {}

    /** {@code (x - center[c]) * scale[c] + shift[c]} for x {@code [N, C, ...]} and {@code [C]} center, scale, shift. */
    public static Tensor channelNormalize(Tensor x, Tensor center, Tensor scale, Tensor shift) {
        return normalize(NORMALIZE, x, center, scale, shift, false);
    }

    /**
     * {@code relu(channelNormalize(x, center, scale, shift))} as one op and one pass (batch norm followed by relu):
     * the same values and gradients as the two ops; the backward masks g with {@code out > 0}.
     */
    public static Tensor channelNormalizeRelu(Tensor x, Tensor center, Tensor scale, Tensor shift) {
        return normalize(NORMALIZE_RELU, x, center, scale, shift, true);
    }

    private static Tensor normalize(OpDef def, Tensor x, Tensor center, Tensor scale, Tensor shift, boolean relu) {
        String op = def.name();
        check(op, x, new String[] {"center", "scale", "shift"}, center, scale, shift);
        Tensor out;
        try (GradMode.Scope s = GradMode.noGrad()) {
            out = x.backend().channelNormalize(x, center, scale, shift, relu);
        }
        int[] axes = otherAxes(x), b = channelShape(x);
        Tensor y = out;
        // x is read only by the scale's gradient: not captured otherwise (a frozen network's batch norm then does not
        // keep its input alive for the backward pass, which an attack's input gradient needs nothing of)
        boolean xRequiresGrad = x.requiresGrad();
        Tensor xForScale = scale.requiresGrad() ? x : null;
        return Autograd.record(op, out, new Tensor[] {x, center, scale, shift}, gy -> {
            Tensor g = relu ? BinaryOp.maskPositive(gy, y) : gy;
            boolean needSum = Autograd.needsGrad(center, 1) || Autograd.needsGrad(shift, 3);
            Tensor gsum = needSum ? g.sum(axes, false) : null;
            return new Tensor[] {
                    Autograd.needsGrad(xRequiresGrad, 0) ? g.mul(scale.reshape(b)) : null,
                    Autograd.needsGrad(center, 1) ? gsum.mul(scale).neg() : null,
                    xForScale != null && Autograd.needsGrad(scale, 2) ? channelCenteredDot(g, xForScale, center) : null,
                    Autograd.needsGrad(shift, 3) ? gsum : null};
        });
    }

    /** The biased variance of each channel of x {@code [N, C, ...]} about {@code mean} {@code [C]}: {@code [C]}. */
    public static Tensor channelVariance(Tensor x, Tensor mean) {
        String op = VARIANCE.name();
        check(op, x, new String[] {"mean"}, mean);
        int c = x.size(1), n = c == 0 ? 0 : x.numel() / c;
        if (n == 0) throw new IllegalArgumentException(op + ": x " + Shape.str(x.shape()) + " has no elements per channel");
        Tensor out;
        try (GradMode.Scope s = GradMode.noGrad()) {
            out = x.backend().channelVariance(x, mean);
        }
        int[] axes = otherAxes(x);
        return Autograd.record(op, out, new Tensor[] {x, mean}, g -> {
            Tensor g2 = g.mul(2.0 / n);
            return new Tensor[] {
                    Autograd.needsGrad(x, 0) ? channelNormalize(x, mean, g2, g2.mul(0.0)) : null,
                    Autograd.needsGrad(mean, 1) ? g2.neg().mul(x.sum(axes, false).sub(mean.mul((double) n))) : null};
        });
    }

    /**
     * {@code [C]}: the sum over each channel (axis 1) of {@code g * (x - center[c])}, for g and x of the same shape
     * {@code [N, C, ...]} and dtype and {@code [C]} center (channel_normalize's scale gradient).
     */
    public static Tensor channelCenteredDot(Tensor g, Tensor x, Tensor center) {
        String op = CENTERED_DOT.name();
        check(op, x, new String[] {"center"}, center);
        checkSameShape(op, "g", g, "x", x);
        Tensor out;
        try (GradMode.Scope s = GradMode.noGrad()) {
            out = x.backend().channelCenteredDot(g, x, center);
        }
        int[] axes = otherAxes(x), b = channelShape(x);
        return Autograd.record(op, out, new Tensor[] {g, x, center}, gc -> new Tensor[] {
                Autograd.needsGrad(g, 0) ? channelNormalize(x, center, gc, gc.mul(0.0)) : null,
                Autograd.needsGrad(x, 1) ? g.mul(gc.reshape(b)) : null,
                Autograd.needsGrad(center, 2) ? gc.neg().mul(g.sum(axes, false)) : null});
    }

    /**
     * {@code u * a[c] + v * b[c] + c[c]} for u and v {@code [N, C, ...]} of one shape and dtype and {@code [C]} a, b,
     * c: a new contiguous tensor of u's shape.
     */
    public static Tensor channelCombine(Tensor u, Tensor v, Tensor a, Tensor b, Tensor c) {
        String op = COMBINE.name();
        check(op, u, new String[] {"a", "b", "c"}, a, b, c);
        checkSameShape(op, "v", v, "u", u);
        Tensor out;
        try (GradMode.Scope s = GradMode.noGrad()) {
            out = u.backend().channelCombine(u, v, a, b, c);
        }
        int[] axes = otherAxes(u), shape = channelShape(u);
        // as in normalize: u and v are read only by a's and b's gradients, so they are kept only for those
        boolean uRequiresGrad = u.requiresGrad(), vRequiresGrad = v.requiresGrad();
        Tensor uForA = a.requiresGrad() ? u : null, vForB = b.requiresGrad() ? v : null;
        return Autograd.record(op, out, new Tensor[] {u, v, a, b, c}, go -> {
            Tensor zero = Autograd.needsGrad(a, 2) || Autograd.needsGrad(b, 3) ? a.mul(0.0) : null;
            return new Tensor[] {
                    Autograd.needsGrad(uRequiresGrad, 0) ? go.mul(a.reshape(shape)) : null,
                    Autograd.needsGrad(vRequiresGrad, 1) ? go.mul(b.reshape(shape)) : null,
                    uForA != null && Autograd.needsGrad(a, 2) ? channelCenteredDot(go, uForA, zero) : null,
                    vForB != null && Autograd.needsGrad(b, 3) ? channelCenteredDot(go, vForB, zero) : null,
                    Autograd.needsGrad(c, 4) ? go.sum(axes, false) : null};
        });
    }

    /** t (named {@code name}) is not null and has x's (named {@code xName}) backend, shape and dtype. */
    private static void checkSameShape(String op, String name, Tensor t, String xName, Tensor x) {
        if (t == null) throw new IllegalArgumentException(op + ": argument '" + name + "' is null");
        Checks.sameBackend(op, x, t);
        if (!java.util.Arrays.equals(t.shape(), x.shape()))
            throw new IllegalArgumentException(op + ": " + name + " " + Shape.str(t.shape()) + " and " + xName + " " + Shape.str(x.shape()) + " differ in shape");
        Checks.sameDType(op, t, x);
    }

    private static void check(String op, Tensor x, String[] names, Tensor... perChannel) {
        if (x == null) throw new IllegalArgumentException(op + ": argument 'x' is null");
        Checks.floating(op, "x", x);
        if (x.dim() < 2) throw new IllegalArgumentException(op + ": x must be [N, C, ...] (rank >= 2), got " + Shape.str(x.shape()));
        int c = x.size(1);
        for (int i = 0; i < perChannel.length; i++) {
            Tensor t = perChannel[i];
            if (t == null) throw new IllegalArgumentException(op + ": argument '" + names[i] + "' is null");
            Checks.sameBackend(op, x, t);
            if (t.dim() != 1 || t.size(0) != c)
                throw new IllegalArgumentException(op + ": " + names[i] + " must be [" + c + "] for x " + Shape.str(x.shape()) + ", got " + Shape.str(t.shape()));
            if (t.dtype() != x.dtype())
                throw new IllegalArgumentException(op + ": " + names[i] + " is " + t.dtype().label() + " but x is " + x.dtype().label());
        }
    }

    /** Every axis but the channel axis 1. */
    public static int[] otherAxes(Tensor x) {
        int[] a = new int[x.dim() - 1];
        a[0] = 0;
        for (int i = 2; i < x.dim(); i++) a[i - 1] = i;
        return a;
    }

    /** {@code [1, C, 1, ...]} of x's rank. */
    public static int[] channelShape(Tensor x) {
        int[] b = new int[x.dim()];
        java.util.Arrays.fill(b, 1);
        b[1] = x.size(1);
        return b;
    }
}

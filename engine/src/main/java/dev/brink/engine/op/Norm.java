package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.Tensor;

/**
 * Per-sample vector norms over all dimensions but the first: {@code [N, ...] -> [N]}. The L2 norm is a primitive
 * with a gradient guarded at 0 (x / ||x|| with 0 where the norm is 0, instead of NaN); L1 and L-inf are composed.
 */
public final class Norm {
    public static final OpDef L1 = OpDef.composite("l1_norm", "per-sample sum of |x|");
    public static final OpDef L2 = OpDef.primitive("l2_norm", "per-sample Euclidean norm, gradient 0 at 0");
    public static final OpDef LINF = OpDef.composite("linf_norm", "per-sample max of |x|");

    private Norm() {}

    static int[] sampleAxes(String op, Tensor x) {
        if (x.dim() < 1) throw new IllegalArgumentException(op + ": x needs a batch dimension, got a 0-d tensor");
        return java.util.stream.IntStream.range(1, x.dim()).toArray();
    }

    public static Tensor l1(Tensor x) {
        int[] axes = sampleAxes(L1.name(), x);
        return axes.length == 0 ? x.abs() : x.abs().sum(axes, false);
    }

    public static Tensor linf(Tensor x) {
        int[] axes = sampleAxes(LINF.name(), x);
        return axes.length == 0 ? x.abs() : x.abs().amax(axes, false);
    }

    public static Tensor l2(Tensor x) {
        int[] axes = sampleAxes(L2.name(), x);
        Tensor sq;
        Tensor y;
        try (var s = dev.brink.engine.GradMode.noGrad()) {
            sq = axes.length == 0 ? x.square() : x.square().sum(axes, false);
            y = sq.sqrt();
        }
        int[] keep = new int[x.dim()];
        java.util.Arrays.fill(keep, 1);
        keep[0] = x.size(0);
        Tensor out = y.detach();
        return Autograd.record(L2.name(), out, new Tensor[] {x}, g -> {
            Tensor norm = out.reshape(keep);
            Tensor positive = norm.gt(norm.scalarLike(0.0));
            Tensor safe = Where.where(positive, norm, norm.scalarLike(1.0));
            return new Tensor[] {g.reshape(keep).mul(x.div(safe)).mul(positive)};
        });
    }
}

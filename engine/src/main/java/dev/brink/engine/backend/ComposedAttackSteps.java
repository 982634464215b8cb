package dev.brink.engine.backend;

import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.Norm;

/**
 * The default implementations of {@link Backend}'s attack steps, composed of tensor ops so that any backend runs
 * them: the formulas the attacks composed before the fused kernels existed (robust.attack.Projections), in the
 * inputs' dtype, op by op. They run without recording a graph and return detached, contiguous tensors; an
 * empty batch gives an empty result.
 */
final class ComposedAttackSteps {
    private ComposedAttackSteps() {}

    /** {@code [N] -> [N, 1, ..., 1]} matching {@code like}'s rank. */
    private static Tensor perSample(Tensor v, Tensor like) {
        int[] s = new int[like.dim()];
        java.util.Arrays.fill(s, 1);
        s[0] = like.size(0);
        return v.reshape(s);
    }

    private static Tensor empty(Tensor x) {
        return Tensor.empty(x.backend(), x.dtype(), x.shape());
    }

    private static Tensor done(Tensor y) {
        return y.contiguous().detach();
    }

    static Tensor signStep(Tensor x, Tensor g, double alpha) {
        if (x.numel() == 0) return empty(x);
        try (GradMode.Scope s = GradMode.noGrad()) {
            return done(x.add(g.sign().mul(alpha)));
        }
    }

    static Tensor l2Step(Tensor x, Tensor g, double alpha) {
        if (x.numel() == 0) return empty(x);
        try (GradMode.Scope s = GradMode.noGrad()) {
            return done(x.add(g.div(perSample(Norm.l2(g).maximum(1e-12), g)).mul(alpha)));
        }
    }

    static Tensor projectLinf(Tensor x, Tensor x0, double eps, double lo, double hi) {
        if (x.numel() == 0) return empty(x);
        try (GradMode.Scope s = GradMode.noGrad()) {
            // max then min, as the kernels do: where the ball misses the box (x0 outside it), the upper bound wins
            return done(x.maximum(x0.sub(eps).maximum(lo)).minimum(x0.add(eps).minimum(hi)));
        }
    }

    static Tensor projectL2(Tensor x, Tensor x0, double eps, double lo, double hi) {
        if (x.numel() == 0) return empty(x);
        try (GradMode.Scope s = GradMode.noGrad()) {
            if (eps == Double.POSITIVE_INFINITY) return done(x.clamp(lo, hi)); // no ball (the factor below would be 0 * inf)
            Tensor d = x.sub(x0);
            Tensor norm = Norm.l2(d);
            Tensor factor = norm.gt(eps).mul(norm.maximum(1e-12).reciprocal().mul(eps).sub(1.0)).add(1.0);
            return done(x0.add(d.mul(perSample(factor, d))).clamp(lo, hi));
        }
    }

    static Tensor projectL1(Tensor x, Tensor x0, double eps, double lo, double hi) {
        if (x.numel() == 0) return empty(x);
        try (GradMode.Scope s = GradMode.noGrad()) {
            return done(x0.add(duchi(x.sub(x0), eps)).clamp(lo, hi));
        }
    }

    /**
     * Euclidean projection of each sample of d onto the L1 ball of radius eps (Duchi et al. 2008): soft-thresholding
     * at the level theta found from the sorted magnitudes; samples already inside stay as they are.
     */
    private static Tensor duchi(Tensor d, double eps) {
        int n = d.size(0);
        Tensor flat = d.reshape(n, -1);
        int m = flat.size(1);
        Tensor abs = flat.abs();
        Tensor inside = abs.sum(new int[] {1}, true).le(eps);
        Tensor sorted = abs.sort(1, true);
        Tensor cums = sorted.cumsum(1);
        double[] k = new double[m];
        for (int i = 0; i < m; i++) k[i] = i + 1;
        Tensor ks = Tensor.fromHost(d.backend(), d.dtype(), k, 1, m);
        // rho = number of k with sorted_k > (cums_k - eps) / k
        Tensor rho = sorted.gt(cums.sub(eps).div(ks)).sum(new int[] {1}, true).maximum(1.0);
        Tensor cumAtRho = cums.mul(ks.eq(rho)).sum(new int[] {1}, true);
        Tensor theta = cumAtRho.sub(eps).div(rho).maximum(0.0);
        Tensor shrunk = flat.sign().mul(abs.sub(theta).maximum(0.0));
        return Tensor.where(inside, flat, shrunk).reshape(d.shape());
    }
}

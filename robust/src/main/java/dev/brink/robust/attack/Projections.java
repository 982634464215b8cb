package dev.brink.robust.attack;

import dev.brink.engine.F;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

/**
 * Per-sample geometry of perturbations on the model's backend (no host loops): norms, unit steepest-ascent
 * directions, and projections onto epsilon balls intersected with the box. Batches are {@code [N, ...]};
 * everything is per sample over the non-batch dimensions. The L-inf, L2 and L1 projections are the engine's fused
 * ops ({@link F#projectLinf}, {@link F#projectL2}, {@link F#projectL1}: the backend's kernel, attack.cu on CUDA);
 * the rest is composed from tensor ops.
 */
public final class Projections {
    private Projections() {}

    /** {@code [N] -> [N, 1, ..., 1]} matching x's rank, for per-sample scaling. */
    public static Tensor perSample(Tensor v, Tensor like) {
        int[] s = new int[like.dim()];
        java.util.Arrays.fill(s, 1);
        s[0] = like.size(0);
        return v.reshape(s);
    }

    /** Per-sample norm {@code [N]} of a batch. L0 counts nonzero entries. */
    public static Tensor norm(Tensor d, Norm n) {
        return switch (n) {
            case L0 -> d.ne(0.0).flatten(1).sum(new int[] {1}, false);
            case L1 -> F.l1Norm(d);
            case L2 -> F.l2Norm(d);
            case LINF -> F.linfNorm(d);
        };
    }

    /** The box constraint: x clipped to [lower, upper]. */
    public static Tensor clipToBox(Tensor x, ThreatModel t) {
        return x.clamp(t.lower(), t.upper());
    }

    /**
     * Projects {@code x} onto the ball of radius eps around {@code x0} in the threat model's norm, then onto the box.
     * L-inf and the box intersect exactly; for L2 and L1 the ball projection is exact and the box clip follows it
     * (the standard practice, which can only shrink the perturbation). L0 keeps the eps largest changes. x and x0:
     * one shape {@code [N, ...]} and dtype; the result is detached (inputs that require grad are detached first).
     */
    public static Tensor project(Tensor x, Tensor x0, ThreatModel t) {
        Tensor xd = x.detach(), x0d = x0.detach();
        return switch (t.norm()) {
            case LINF -> F.projectLinf(xd, x0d, t.eps(), t.lower(), t.upper());
            case L2 -> F.projectL2(xd, x0d, t.eps(), t.lower(), t.upper());
            case L1 -> F.projectL1(xd, x0d, t.eps(), t.lower(), t.upper());
            case L0 -> clipToBox(x0d.add(keepLargest(xd.sub(x0d), (int) Math.floor(t.eps()))), t).detach();
        };
    }

    /**
     * Euclidean projection of each sample onto the L1 ball of radius eps (Duchi et al. 2008): soft-thresholding
     * at the per-sample level theta found from the sorted magnitudes, composed from tensor ops (differentiable
     * almost everywhere). {@link #project} uses the engine's fused {@link F#projectL1} instead, which finds the same
     * theta without a sort.
     */
    public static Tensor projectL1(Tensor d, double eps) {
        int n = d.size(0);
        Tensor flat = d.reshape(n, -1);
        int m = flat.size(1);
        Tensor abs = flat.abs();
        Tensor inside = abs.sum(new int[] {1}, true).le(eps);
        Tensor sorted = abs.sort(1, true);
        Tensor cums = sorted.cumsum(1);
        Tensor ks = Tensor.arange(d.dtype(), m).add(1.0).reshape(1, m);
        // rho = number of k with sorted_k > (cums_k - eps) / k
        Tensor cond = sorted.gt(cums.sub(eps).div(ks));
        Tensor rho = cond.sum(new int[] {1}, true).maximum(1.0);
        Tensor cumAtRho = cums.mul(ks.eq(rho)).sum(new int[] {1}, true);
        Tensor theta = cumAtRho.sub(eps).div(rho).maximum(0.0);
        Tensor shrunk = flat.sign().mul(abs.sub(theta).maximum(0.0));
        Tensor out = Tensor.where(inside, flat, shrunk);
        return out.reshape(d.shape());
    }

    /** Keeps exactly the k entries of largest magnitude per sample (first on ties), zeroing the rest: the L0-ball projection. */
    public static Tensor keepLargest(Tensor d, int k) {
        int n = d.size(0);
        Tensor flat = d.reshape(n, -1);
        int m = flat.size(1);
        if (k >= m) return d;
        if (k <= 0) return d.zerosLike();
        Tensor idx = flat.abs().argsort(1, true).slice(1, 0, k).contiguous();
        Tensor keep = F.scatterAdd(Tensor.full(d.backend(), d.dtype(), 1.0, n, k), 1, idx, flat.shape());
        return flat.mul(keep).reshape(d.shape());
    }

    /**
     * The unit steepest-ascent direction of a gradient for a norm: sign(g) for L-inf, g/||g||_2 for L2, and for
     * L1 the sign at the single largest-magnitude entry per sample (Shaham et al.'s one-pixel step).
     */
    public static Tensor steepestDirection(Tensor g, Norm n) {
        return switch (n) {
            case LINF -> g.sign();
            case L2 -> g.div(perSample(F.l2Norm(g).maximum(1e-12), g));
            case L1, L0 -> {
                int b = g.size(0);
                Tensor flat = g.reshape(b, -1);
                Tensor idx = flat.abs().argmax(1, true);
                Tensor onehot = F.scatterAdd(Tensor.full(g.backend(), g.dtype(), 1.0, b, 1), 1, idx, flat.shape());
                yield flat.sign().mul(onehot).reshape(g.shape());
            }
        };
    }

    static void requireBatch(String what, Tensor x) {
        if (x.dim() < 2) throw new IllegalArgumentException(what + ": expected a batch [N, ...], got " + Shape.str(x.shape()));
    }
}

package dev.brink.engine.op;

import dev.brink.engine.Tensor;

/**
 * logsumexp, log-softmax and softmax, composed from primitives. The max subtracted for stability is detached:
 * the result does not depend on it, so the derivatives (of every order) are exact.
 */
public final class Softmax {
    public static final OpDef LOGSUMEXP = OpDef.composite("logsumexp", "log(sum(exp(x))) over axes, stable");
    public static final OpDef LOG_SOFTMAX = OpDef.composite("log_softmax", "x - logsumexp(x) along an axis");
    public static final OpDef SOFTMAX = OpDef.composite("softmax", "exp(log_softmax(x)) along an axis");

    private Softmax() {}

    /** log(sum(exp(x))) over {@code axes}. */
    public static Tensor logsumexp(Tensor x, int[] axes, boolean keepdim) {
        Tensor m = x.detach().amax(axes, true);
        Tensor finite = Where.where(m.isFiniteMask(), m, m.scalarLike(0.0));
        Tensor lse = x.sub(finite).exp().sum(axes, true).log().add(finite);
        return keepdim ? lse : lse.reshape(Reduction.dropShape(x.shape(), Reduction.mask(LOGSUMEXP.name(), x.dim(), axes)));
    }

    /** log(softmax(x)) along {@code axis}. */
    public static Tensor logSoftmax(Tensor x, int axis) {
        return x.sub(logsumexp(x, new int[] {axis}, true));
    }

    /** Softmax along {@code axis}. */
    public static Tensor softmax(Tensor x, int axis) {
        return logSoftmax(x, axis).exp();
    }
}

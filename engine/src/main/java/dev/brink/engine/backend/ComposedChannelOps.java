package dev.brink.engine.backend;

import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.ChannelOps;

/**
 * The default (tensor-op) implementations of {@link Backend#channelNormalize}, {@link Backend#channelVariance},
 * {@link Backend#channelCenteredDot} and {@link Backend#channelCombine},
 * for backends without a kernel: composed under {@link GradMode#noGrad()}, so they record no graph (the op in
 * {@code dev.brink.engine.op.ChannelOps} records the backward).
 */
final class ComposedChannelOps {
    private ComposedChannelOps() {}

    static Tensor normalize(Tensor x, Tensor center, Tensor scale, Tensor shift) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            int[] b = ChannelOps.channelShape(x);
            return x.sub(center.reshape(b)).mul(scale.reshape(b)).add(shift.reshape(b)).contiguous();
        }
    }

    static Tensor centeredDot(Tensor g, Tensor x, Tensor center) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            return g.mul(x.sub(center.reshape(ChannelOps.channelShape(x)))).sum(ChannelOps.otherAxes(x), false).contiguous();
        }
    }

    static Tensor combine(Tensor u, Tensor v, Tensor a, Tensor b, Tensor c) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            int[] sh = ChannelOps.channelShape(u);
            return u.mul(a.reshape(sh)).add(v.mul(b.reshape(sh))).add(c.reshape(sh)).contiguous();
        }
    }

    static Tensor variance(Tensor x, Tensor mean) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            return x.sub(mean.reshape(ChannelOps.channelShape(x))).square().mean(ChannelOps.otherAxes(x), false).contiguous();
        }
    }
}

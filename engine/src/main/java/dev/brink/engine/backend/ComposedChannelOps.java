package dev.brink.engine.backend;

import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;

/**
 * The default (tensor-op) implementations of {@link Backend#channelNormalize} and {@link Backend#channelVariance},
 * for backends without a kernel: composed under {@link GradMode#noGrad()}, so they record no graph (the op in
 * {@code dev.brink.engine.op.ChannelOps} records the backward).
 */
final class ComposedChannelOps {
    private ComposedChannelOps() {}

    static Tensor normalize(Tensor x, Tensor center, Tensor scale, Tensor shift) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            int[] b = channelShape(x);
            return x.sub(center.reshape(b)).mul(scale.reshape(b)).add(shift.reshape(b)).contiguous();
        }
    }

    static Tensor variance(Tensor x, Tensor mean) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            int[] axes = new int[x.dim() - 1];
            for (int i = 2; i < x.dim(); i++) axes[i - 1] = i;
            return x.sub(mean.reshape(channelShape(x))).square().mean(axes, false).contiguous();
        }
    }

    private static int[] channelShape(Tensor x) {
        int[] b = new int[x.dim()];
        java.util.Arrays.fill(b, 1);
        b[1] = x.size(1);
        return b;
    }
}

package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

/**
 * Batch normalization over {@code [N, C]} or {@code [N, C, H, W]} inputs, per channel C.
 * Training mode normalizes with the batch mean and biased variance and updates the running statistics in place
 * (running = (1 - momentum) * running + momentum * batch, with the unbiased variance, as PyTorch does);
 * evaluation mode normalizes with the running statistics. Gradients flow through the batch statistics.
 *
 * <p>Training mode is one node. Its forward pass reads x three times: the per-channel mean (a reduction), the
 * variance about it ({@link ChannelOps#channelVariance}) and {@code (x - mean) * (weight / sqrt(var + eps)) + bias}
 * ({@link ChannelOps#channelNormalize}, the only pass that writes). Its backward, written in ops, reads g and x for
 * two per-channel sums and writes dx in one {@link ChannelOps#channelCombine} pass (plus the relu mask under relu),
 * where differentiating through the composed statistics took about eight passes and four temporaries. Evaluation
 * mode is channel_normalize with the running statistics, differentiated as composed.
 */
public final class BatchNorm {
    public static final OpDef DEF = OpDef.primitive("batch_norm", "per-channel normalization with batch (one node) or running statistics");

    private BatchNorm() {}

    /**
     * @param weight per-channel scale {@code [C]} or null
     * @param bias per-channel shift {@code [C]} or null
     * @param runningMean {@code [C]}, updated in place in training mode (may be null in training mode)
     * @param runningVar {@code [C]}, updated in place in training mode (may be null in training mode)
     */
    public static Tensor batchNorm(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                   boolean training, double momentum, double eps) {
        return batchNorm(x, weight, bias, runningMean, runningVar, training, momentum, eps, false);
    }

    /**
     * {@code relu(batchNorm(...))} with the relu in the normalizing pass ({@link ChannelOps#channelNormalizeRelu}):
     * the same values and gradients, one output tensor instead of two. Arguments as in
     * {@link #batchNorm(Tensor, Tensor, Tensor, Tensor, Tensor, boolean, double, double)}.
     */
    public static Tensor batchNormRelu(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                       boolean training, double momentum, double eps) {
        return batchNorm(x, weight, bias, runningMean, runningVar, training, momentum, eps, true);
    }

    private static Tensor batchNorm(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                    boolean training, double momentum, double eps, boolean relu) {
        String op = DEF.name();
        if (x.dim() != 2 && x.dim() != 4)
            throw new IllegalArgumentException(op + ": x must be [N, C] or [N, C, H, W], got " + Shape.str(x.shape()));
        int c = x.size(1);
        for (Tensor t : new Tensor[] {weight, bias, runningMean, runningVar}) {
            if (t != null && (t.dim() != 1 || t.size(0) != c))
                throw new IllegalArgumentException(op + ": per-channel parameter of shape " + Shape.str(t.shape()) + " does not match " + c + " channels of x " + Shape.str(x.shape()));
        }
        int[] axes = x.dim() == 4 ? new int[] {0, 2, 3} : new int[] {0};
        if (training) {
            int n = x.numel() / c;
            if (n < 2) throw new IllegalArgumentException(op + ": training mode needs more than one value per channel, got x " + Shape.str(x.shape()));
            Tensor mean, var;
            try (GradMode.Scope s = GradMode.noGrad()) {
                mean = x.mean(axes, false);
                var = ChannelOps.channelVariance(x, mean);
                if (runningMean != null && runningVar != null) {
                    Tensor v = var.mul((double) n / (n - 1));
                    runningMean.assign(runningMean.mul(1 - momentum).add(mean.mul(momentum)));
                    runningVar.assign(runningVar.mul(1 - momentum).add(v.mul(momentum)));
                }
            }
            return training(x, weight, bias, mean, var, eps, relu, axes, n);
        }
        if (runningMean == null || runningVar == null)
            throw new IllegalArgumentException(op + ": evaluation mode needs running_mean and running_var");
        Tensor scale = runningVar.add(eps).sqrt().reciprocal();
        if (weight != null) scale = weight.mul(scale);
        Tensor shift = bias != null ? bias : Tensor.full(x.backend(), x.dtype(), 0.0, c);
        return relu ? ChannelOps.channelNormalizeRelu(x, runningMean, scale, shift) : ChannelOps.channelNormalize(x, runningMean, scale, shift);
    }

    /**
     * Training mode as one node: y = (x - mean) * s + bias with s = weight / sqrt(var + eps) (relu'd when asked),
     * computed from the batch statistics without recording them; the backward gives, with g the output gradient
     * (masked by y > 0 under relu), S = sum(g) and D = channel_centered_dot(g, x, mean) per channel:
     * {@code dx = channel_combine(g, x, s, -s D / (n (var + eps)), -s S / n + s D mean / (n (var + eps)))} (one
     * pass), {@code dweight = D / sqrt(var + eps)}, {@code dbias = S}. When the backward is itself recorded
     * (double backprop), mean and var are recomputed there from x with ops, so that the second derivatives include
     * the statistics' dependence on x.
     */
    private static Tensor training(Tensor x, Tensor weight, Tensor bias, Tensor mean, Tensor var, double eps,
                                   boolean relu, int[] axes, int n) {
        int c = x.size(1);
        Tensor y;
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor invStd = var.add(eps).sqrt().reciprocal();
            Tensor scale = weight != null ? weight.mul(invStd) : invStd;
            Tensor shift = bias != null ? bias : Tensor.full(x.backend(), x.dtype(), 0.0, c);
            y = relu ? ChannelOps.channelNormalizeRelu(x, mean, scale, shift) : ChannelOps.channelNormalize(x, mean, scale, shift);
        }
        Tensor out = y;
        return Autograd.record(DEF.name(), y, new Tensor[] {x, weight, bias}, gy -> {
            Tensor g = relu ? BinaryOp.maskPositive(gy, out) : gy;
            Tensor mu = mean, v = var;
            if (GradMode.isEnabled() && x.requiresGrad()) { // a recorded backward: the statistics as functions of x
                mu = x.mean(axes, false);
                v = ChannelOps.channelVariance(x, mu);
            }
            Tensor veps = v.add(eps), invStd = veps.sqrt().reciprocal();
            Tensor gsum = g.sum(axes, false), dot = ChannelOps.channelCenteredDot(g, x, mu);
            Tensor dx = null;
            if (Autograd.needsGrad(x, 0)) {
                Tensor s = weight != null ? weight.mul(invStd) : invStd;
                Tensor b = s.mul(dot).div(veps).mul(-1.0 / n);
                Tensor k = s.mul(gsum).mul(-1.0 / n).sub(b.mul(mu));
                dx = ChannelOps.channelCombine(g, x, s, b, k);
            }
            return new Tensor[] {
                    dx,
                    weight != null && Autograd.needsGrad(weight, 1) ? dot.mul(invStd) : null,
                    bias != null && Autograd.needsGrad(bias, 2) ? gsum : null};
        });
    }
}

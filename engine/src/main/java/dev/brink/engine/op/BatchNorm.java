package dev.brink.engine.op;

import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

/**
 * Batch normalization over {@code [N, C]} or {@code [N, C, H, W]} inputs, per channel C, composed from primitives.
 * Training mode normalizes with the batch mean and biased variance and updates the running statistics in place
 * (running = (1 - momentum) * running + momentum * batch, with the unbiased variance, as PyTorch does);
 * evaluation mode normalizes with the running statistics. Gradients flow through the batch statistics.
 *
 * <p>Composed of three passes over x: the per-channel mean (a reduction), the variance about it
 * ({@link ChannelOps#channelVariance}, read only) and {@code (x - mean) * (weight / sqrt(var + eps)) + bias}
 * ({@link ChannelOps#channelNormalize}, the only pass that writes), with the per-channel factors computed on
 * {@code [C]} vectors. (It used to be a subtraction, a square, a mean, a division, a multiplication and an addition
 * over x, each writing a temporary that autodiff kept; the backward now takes about half the passes too.)
 */
public final class BatchNorm {
    public static final OpDef DEF = OpDef.composite("batch_norm", "per-channel normalization with batch or running statistics");

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
        Tensor mean;
        Tensor var;
        if (training) {
            int n = x.numel() / c;
            if (n < 2) throw new IllegalArgumentException(op + ": training mode needs more than one value per channel, got x " + Shape.str(x.shape()));
            mean = x.mean(axes, false);
            var = ChannelOps.channelVariance(x, mean);
            if (runningMean != null && runningVar != null) {
                try (GradMode.Scope s = GradMode.noGrad()) {
                    Tensor m = mean.detach();
                    Tensor v = var.detach().mul((double) n / (n - 1));
                    runningMean.assign(runningMean.mul(1 - momentum).add(m.mul(momentum)));
                    runningVar.assign(runningVar.mul(1 - momentum).add(v.mul(momentum)));
                }
            }
        } else {
            if (runningMean == null || runningVar == null)
                throw new IllegalArgumentException(op + ": evaluation mode needs running_mean and running_var");
            mean = runningMean;
            var = runningVar;
        }
        Tensor scale = var.add(eps).sqrt().reciprocal();
        if (weight != null) scale = weight.mul(scale);
        Tensor shift = bias != null ? bias : Tensor.full(x.backend(), x.dtype(), 0.0, c);
        return relu ? ChannelOps.channelNormalizeRelu(x, mean, scale, shift) : ChannelOps.channelNormalize(x, mean, scale, shift);
    }
}

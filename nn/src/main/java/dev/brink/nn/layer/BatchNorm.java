package dev.brink.nn.layer;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

/**
 * Batch normalization over channels of {@code [N, C, H, W]} (or features of {@code [N, C]}): learnable weight
 * (init 1) and bias (init 0), buffers running_mean (init 0) and running_var (init 1). Training mode normalizes
 * with batch statistics and updates the running ones; evaluation mode uses the running statistics.
 */
public final class BatchNorm extends Module {
    private final int channels;
    private final double eps;
    private final double momentum;

    public BatchNorm(int channels, double eps, double momentum) {
        if (channels < 1) throw new IllegalArgumentException("batchnorm: channels must be positive, got " + channels);
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        parameter("weight", Tensor.full(DType.FLOAT32, 1.0, channels));
        parameter("bias", Tensor.zeros(DType.FLOAT32, channels));
        buffer("running_mean", Tensor.zeros(DType.FLOAT32, channels));
        buffer("running_var", Tensor.full(DType.FLOAT32, 1.0, channels));
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.batchNorm(x, param("weight"), param("bias"), buf("running_mean"), buf("running_var"), isTraining(), momentum, eps);
    }

    /**
     * {@code relu(forward(x))} with the relu in the normalizing pass ({@code channel_normalize_relu}), the same
     * values and gradients; {@link Sequential} uses it for a BatchNorm followed by a relu {@link Activation}.
     */
    public Tensor forwardRelu(Tensor x) {
        return F.batchNormRelu(x, param("weight"), param("bias"), buf("running_mean"), buf("running_var"), isTraining(), momentum, eps);
    }

    @Override
    protected String summary() {
        return "BatchNorm(" + channels + ", eps " + eps + ", momentum " + momentum + ")";
    }
}

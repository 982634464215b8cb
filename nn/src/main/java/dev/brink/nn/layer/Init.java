package dev.brink.nn.layer;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;

/** Weight initializations, drawn from a seeded generator. */
public final class Init {
    private Init() {}

    /** U(-bound, bound) of the given shape (float32). */
    public static Tensor uniform(Generator gen, double bound, int... shape) {
        return Tensor.rand(gen, DType.FLOAT32, shape).mul(2 * bound).sub(bound);
    }

    /**
     * PyTorch's default for linear and convolution layers (kaiming_uniform with a = sqrt(5)): weights and biases
     * U(-1/sqrt(fan_in), 1/sqrt(fan_in)), with fan_in = in_features or in_channels/groups * kh * kw.
     */
    public static Tensor pytorchDefault(Generator gen, int fanIn, int... shape) {
        return uniform(gen, 1.0 / Math.sqrt(Math.max(fanIn, 1)), shape);
    }

    /** He (Kaiming) normal initialization for ReLU networks: N(0, 2/fan_out), as ResNets and WideResNets use. */
    public static Tensor kaimingNormalFanOut(Generator gen, int fanOut, int... shape) {
        return Tensor.randn(gen, DType.FLOAT32, shape).mul(Math.sqrt(2.0 / Math.max(fanOut, 1)));
    }
}

package dev.brink.bench.jmh;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Training-mode batch norm, forward ({@code forward}) and forward plus backward to x, weight and bias
 * ({@code train}), float32, on the CPU: {@code impl = fused} is {@link F#batchNorm} (the per-channel kernels
 * channel_variance and channel_normalize), {@code impl = composed} the composition it replaced (subtract, square,
 * mean, divide, multiply, add, kept here verbatim), so both run in the same JMH run; {@code fused+relu} is
 * F#batchNorm followed by the relu op, {@code fused_relu} F#batchNormRelu (the relu in the normalizing pass, one
 * tensor less), as a Sequential runs BatchNorm then ReLU. Shapes: {@code vgg64x32}
 * [32, 64, 32, 32] (VGG-16's and ResNet-18's first stage at batch 32, 8 MB), {@code vgg256x8} [32, 256, 8, 8].
 */
@Fork(value = 1, jvmArgsAppend = {"-Xss8m", "-XX:+UseParallelGC", "-Xmn512m", "--add-modules=jdk.incubator.vector"})
public class BatchNormBench extends KernelBench {
    @Param({"vgg64x32", "vgg256x8"})
    public String shape;

    @Param({"composed", "fused", "fused+relu", "fused_relu"})
    public String impl;

    private Tensor x, w, b, rm, rv, gy;

    @Setup
    public void setup() {
        int[] s = shape.equals("vgg64x32") ? new int[] {32, 64, 32, 32} : new int[] {32, 256, 8, 8};
        Generator gen = new Generator(3);
        x = Tensor.randn(gen, DType.FLOAT32, s).requiresGrad(true);
        w = Tensor.rand(gen, DType.FLOAT32, s[1]).requiresGrad(true);
        b = Tensor.randn(gen, DType.FLOAT32, s[1]).requiresGrad(true);
        rm = Tensor.zeros(DType.FLOAT32, s[1]);
        rv = Tensor.full(DType.FLOAT32, 1.0, s[1]);
        gy = Tensor.randn(gen, DType.FLOAT32, s);
    }

    private Tensor bn() {
        return switch (impl) {
            case "fused" -> F.batchNorm(x, w, b, rm, rv, true, 0.1, 1e-5);
            case "fused+relu" -> F.batchNorm(x, w, b, rm, rv, true, 0.1, 1e-5).relu();
            case "fused_relu" -> F.batchNormRelu(x, w, b, rm, rv, true, 0.1, 1e-5);
            default -> composed(x, w, b, rm, rv, 0.1, 1e-5);
        };
    }

    @Benchmark
    public void forward(Blackhole bh) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            bh.consume(bn());
        }
    }

    @Benchmark
    public void train(Blackhole bh) {
        x.zeroGrad();
        w.zeroGrad();
        b.zeroGrad();
        bn().backward(gy);
        bh.consume(x.grad());
    }

    /** Training-mode batch norm as composed before the per-channel kernels. */
    private static Tensor composed(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double momentum, double eps) {
        int c = x.size(1), n = x.numel() / c;
        int[] axes = {0, 2, 3}, bshape = {1, c, 1, 1};
        Tensor mean = x.mean(axes, true);
        Tensor centered = x.sub(mean);
        Tensor var = centered.square().mean(axes, true);
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor m = mean.detach().reshape(c);
            Tensor v = var.detach().reshape(c).mul((double) n / (n - 1));
            runningMean.assign(runningMean.mul(1 - momentum).add(m.mul(momentum)));
            runningVar.assign(runningVar.mul(1 - momentum).add(v.mul(momentum)));
        }
        return centered.div(var.add(eps).sqrt()).mul(weight.reshape(bshape)).add(bias.reshape(bshape));
    }
}

package dev.brink.bench.jmh;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A convolution with bias followed by relu, float32 forward on the CPU: {@code impl = separate} is conv2d without
 * bias, the broadcast addition and the relu op (three tensors, as before the fused op), {@code impl = fused}
 * F#conv2dRelu (the bias and relu applied in place, one tensor). Layers: {@code madry1} 1 -> 32, 5x5, pad 2 on
 * 28x28 at batch 128 (a 12.8 MB output), {@code madry2} 32 -> 64, 5x5, pad 2 on 14x14 at batch 128.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xss8m", "-XX:+UseParallelGC", "-Xmn512m", "--add-modules=jdk.incubator.vector"})
public class ConvReluBench extends KernelBench {
    @Param({"madry1", "madry2"})
    public String layer;

    @Param({"separate", "fused"})
    public String impl;

    private Tensor x, w, b;
    private final ConvGeometry g = ConvGeometry.of(1, 2);

    @Setup
    public void setup() {
        Generator gen = new Generator(5);
        int c = layer.equals("madry1") ? 1 : 32, o = layer.equals("madry1") ? 32 : 64, h = layer.equals("madry1") ? 28 : 14;
        x = Tensor.randn(gen, DType.FLOAT32, 128, c, h, h);
        w = Tensor.randn(gen, DType.FLOAT32, o, c, 5, 5).mul(0.1);
        b = Tensor.randn(gen, DType.FLOAT32, o);
    }

    @Benchmark
    public void forward(Blackhole bh) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            bh.consume(impl.equals("fused") ? F.conv2dRelu(x, w, b, g) : F.conv2d(x, w, null, g).add(b.reshape(1, b.size(0), 1, 1)).relu());
        }
    }
}

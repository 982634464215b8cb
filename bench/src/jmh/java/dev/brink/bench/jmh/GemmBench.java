package dev.brink.bench.jmh;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.Backends;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The CPU backend's SGEMM kernel, {@code out = a @ b} into a preallocated output (no allocation in the timed
 * call). Shapes {@code MxKxN}: the 1024 cube of {@code sgemm_1024_gflops}; the Madry model's FC layers (batch 128,
 * 3136->1024 forward and its weight gradient 1024x128x3136); the MLP's 784->1024 and 1024->1024 at batch 100; and
 * the im2col products of the Madry convolutions (conv1: 32 filters x 25 taps x 128*28*28 positions; conv2: 64 x 800
 * x 128*14*14). GFLOP/s = 2*M*K*N / time.
 */
public class GemmBench extends KernelBench {
    @Param({"1024x1024x1024", "128x3136x1024", "1024x128x3136", "100x784x1024", "100x1024x1024", "32x25x100352", "64x800x25088"})
    public String shape;

    /** nn: B row-major [k, n]; nt: B the transpose of a row-major [n, k] (a Linear layer's forward, x W^T). */
    @Param({"nn", "nt"})
    public String layout;

    private Backend cpu;
    private Tensor a, b, out;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        int m = Integer.parseInt(p[0]), k = Integer.parseInt(p[1]), n = Integer.parseInt(p[2]);
        cpu = Backends.get("cpu");
        Generator gen = new Generator(1);
        a = Tensor.rand(gen, DType.FLOAT32, m, k);
        b = layout.equals("nt") ? Tensor.rand(gen, DType.FLOAT32, n, k).transpose(0, 1) : Tensor.rand(gen, DType.FLOAT32, k, n);
        out = Tensor.empty(cpu, DType.FLOAT32, m, n);
    }

    @Benchmark
    public void sgemm(Blackhole bh) {
        cpu.matmul(a, b, out);
        bh.consume(out);
    }
}

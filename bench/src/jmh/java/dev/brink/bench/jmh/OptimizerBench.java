package dev.brink.bench.jmh;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.Backends;
import dev.brink.engine.backend.OptimizerKernel;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The CPU backend's fused optimizer updates ({@link Backend#optimizerStep}) on the Madry model's largest parameter,
 * the {@code [1024, 3136]} float32 weight of its first linear layer (3.2 M elements): Adam (param, gradient, m and v
 * read; param, m and v written: 89.9 MB per call) and SGD with momentum (51.4 MB per call). Run with
 * {@code -p simd=true,false} to compare the Vector API loops with the scalar ones ({@code brink.simd}).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OptimizerBench extends KernelBench {
    @Param({"true"})
    public String simd;

    private Backend cpu;
    private Tensor param, grad, m, v, buf;
    private double step;

    @Setup
    public void setup() {
        System.setProperty("brink.simd", simd); // read when the first fused update runs, in this fork
        cpu = Backends.get("cpu");
        Generator gen = new Generator(1);
        param = Tensor.randn(gen, DType.FLOAT32, 1024, 3136).mul(0.01);
        grad = Tensor.randn(gen, DType.FLOAT32, 1024, 3136).mul(1e-3);
        m = Tensor.randn(gen, DType.FLOAT32, 1024, 3136).mul(1e-4);
        v = Tensor.rand(gen, DType.FLOAT32, 1024, 3136).mul(1e-6);
        buf = Tensor.randn(gen, DType.FLOAT32, 1024, 3136).mul(1e-3);
    }

    @Benchmark
    public void adam(Blackhole bh) {
        step++;
        double[] h = {1e-3, 0.9, 0.999, 1e-8, 0, 0, 1 - Math.pow(0.9, step), 1 - Math.pow(0.999, step)};
        bh.consume(cpu.optimizerStep(OptimizerKernel.ADAM, h, param, grad, m, v));
    }

    @Benchmark
    public void sgdMomentum(Blackhole bh) {
        double[] h = {0.01, 0.9, 0, 0, 0, 0};
        bh.consume(cpu.optimizerStep(OptimizerKernel.SGD, h, param, grad, buf, null));
    }
}

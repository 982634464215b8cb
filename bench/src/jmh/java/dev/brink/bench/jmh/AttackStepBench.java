package dev.brink.bench.jmh;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.TensorScope;
import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.Backends;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The CPU backend's attack-step kernels on an APGD batch of the Madry model, {@code [100, 1, 28, 28]} float32 (78 400
 * elements): the signed step {@code x + alpha * sign(g)} (g of random sign, as gradients are) and the L-inf
 * projection onto the eps-ball around x0 intersected with [0, 1] (eps 0.3), each once per PGD or APGD iteration.
 * Each call returns a new tensor inside a {@link TensorScope}, as the attacks' iterations run (the scope hands the
 * result's array back to the pool at close, so the benchmark measures the kernel, not the collector).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AttackStepBench extends KernelBench {
    private Backend cpu;
    private Tensor x, g, x0;

    @Setup
    public void setup() {
        cpu = Backends.get("cpu");
        Generator gen = new Generator(1);
        x = Tensor.rand(gen, DType.FLOAT32, 100, 1, 28, 28);
        g = Tensor.randn(gen, DType.FLOAT32, 100, 1, 28, 28);
        x0 = Tensor.rand(gen, DType.FLOAT32, 100, 1, 28, 28);
    }

    @Benchmark
    public void signStep(Blackhole bh) {
        try (TensorScope scope = TensorScope.open()) {
            bh.consume(cpu.signStep(x, g, 0.01));
        }
    }

    @Benchmark
    public void projectLinf(Blackhole bh) {
        try (TensorScope scope = TensorScope.open()) {
            bh.consume(cpu.projectLinf(x, x0, 0.3, 0, 1));
        }
    }
}

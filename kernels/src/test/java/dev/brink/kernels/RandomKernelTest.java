package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.backend.RandomKind;
import org.junit.jupiter.api.Test;

import static dev.brink.kernels.KernelTestSupport.assertMatches;
import static dev.brink.kernels.KernelTestSupport.empty;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * random.cu (random_uniform_*, random_normal_*) against Generator: uniforms bit for bit (including seeds and
 * counters with the top bit set, where Java's signed longs and the kernel's unsigned arithmetic must agree), normals
 * within a few ulps (the device's log and cos are not Java's), strided outputs in row-major order.
 */
class RandomKernelTest {
    CudaBackend backend() {
        return KernelTestSupport.emulated();
    }

    @Test
    void uniformsAreBitExact() {
        long[][] seeds = {{42, 0}, {-7, 123456789}, {Long.MIN_VALUE + 3, -5}, {0x9E3779B97F4A7C15L, Long.MAX_VALUE - 10}};
        for (long[] sc : seeds) {
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                KernelTestSupport.Pair out = empty(backend(), t, 37, 11);
                backend().random(RandomKind.UNIFORM, sc[0], sc[1], out.dev());
                double[] got = out.dev().toDoubleArray();
                double[] want = new double[got.length];
                for (int i = 0; i < want.length; i++)
                    want[i] = t == DType.FLOAT32 ? Generator.uniformFloat(sc[0], sc[1] + i) : Generator.uniform(sc[0], sc[1] + i);
                assertArrayEquals(want, got, 0.0, "uniform " + t + " seed " + sc[0] + " counter " + sc[1]);
            }
        }
    }

    @Test
    void normalsAndStridedOutputsMatchTheCpu() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (RandomKind k : RandomKind.values()) {
                KernelTestSupport.Pair out = empty(backend(), t, 6, 50);
                KernelTestSupport.Pair view = out.map(v -> v.transpose(0, 1).slice(0, 3, 40));
                KernelTestSupport.CPU.random(k, -99, 1L << 40, view.cpu());
                backend().random(k, -99, 1L << 40, view.dev());
                assertMatches(k + " " + t, out.cpu(), out.dev(), 1);
            }
        }
    }
}

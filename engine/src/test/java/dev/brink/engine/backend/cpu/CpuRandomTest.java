package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.RandomKind;
import org.junit.jupiter.api.Test;

import static dev.brink.engine.backend.cpu.CpuTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class CpuRandomTest {

    @Test
    void valuesAreExactlyTheGeneratorStreams() {
        long seed = 1234, counter = 77;
        Tensor u32 = Tensor.empty(B, DType.FLOAT32, 3, 5);
        Tensor u64 = Tensor.empty(B, DType.FLOAT64, 15);
        Tensor n32 = Tensor.empty(B, DType.FLOAT32, 15);
        Tensor n64 = Tensor.empty(B, DType.FLOAT64, 5, 3);
        B.random(RandomKind.UNIFORM, seed, counter, u32);
        B.random(RandomKind.UNIFORM, seed, counter, u64);
        B.random(RandomKind.NORMAL, seed, counter, n32);
        B.random(RandomKind.NORMAL, seed, counter, n64);
        float[] a = B.readFloats(u32), c = B.readFloats(n32);
        double[] b = B.readDoubles(u64), d = B.readDoubles(n64);
        for (int i = 0; i < 15; i++) {
            assertEquals(Generator.uniformFloat(seed, counter + i), a[i]);
            assertEquals(Generator.uniform(seed, counter + i), b[i]);
            assertEquals((float) Generator.normal(seed, counter, i), c[i]);
            assertEquals(Generator.normal(seed, counter, i), d[i]);
        }
    }

    @Test
    void sameSeedAndCounterGiveSameValues() {
        Tensor x = Tensor.empty(B, DType.FLOAT32, 1000), y = Tensor.empty(B, DType.FLOAT32, 1000), z = Tensor.empty(B, DType.FLOAT32, 1000);
        B.random(RandomKind.NORMAL, 9, 100, x);
        B.random(RandomKind.NORMAL, 9, 100, y);
        B.random(RandomKind.NORMAL, 9, 102, z);
        assertArrayEquals(B.readFloats(x), B.readFloats(y));
        assertFalse(java.util.Arrays.equals(B.readFloats(x), B.readFloats(z)));
        // a block starting two counters later is the same normal stream shifted by one element
        float[] xs = B.readFloats(x), zs = B.readFloats(z);
        for (int i = 0; i < 999; i++) assertEquals(xs[i + 1], zs[i]);
    }

    @Test
    void uniformInUnitIntervalAndNormalMoments() {
        int n = 100_000;
        Tensor u = Tensor.empty(B, DType.FLOAT32, n);
        B.random(RandomKind.UNIFORM, 42, 0, u);
        double mean = 0;
        for (float v : B.readFloats(u)) {
            assertTrue(v >= 0f && v < 1f, "uniform out of [0,1): " + v);
            mean += v;
        }
        assertEquals(0.5, mean / n, 0.01);
        Tensor g = Tensor.empty(B, DType.FLOAT64, n);
        B.random(RandomKind.NORMAL, 42, 0, g);
        double s = 0, s2 = 0;
        for (double v : B.readDoubles(g)) {
            s += v;
            s2 += v * v;
        }
        double m = s / n, var = s2 / n - m * m;
        assertEquals(0.0, m, 0.02);
        assertEquals(1.0, var, 0.03);
    }

    @Test
    void stridedOutputGetsRowMajorElementOrder() {
        Tensor big = Tensor.empty(B, DType.FLOAT64, 4, 6);
        Tensor v = Tensor.fromStorage(big.storage(), new int[]{3, 2}, new int[]{1, 6}, 1); // transposed slice
        B.random(RandomKind.UNIFORM, 5, 10, v);
        double[] got = B.readDoubles(v);
        for (int i = 0; i < 6; i++) assertEquals(Generator.uniform(5, 10 + i), got[i]);
    }
}

package dev.brink.engine;

import dev.brink.engine.backend.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Same seed, same numbers; the generator's position can be saved and restored. */
class DeterminismTest {
    @Test
    void sameSeedSameNumbersDifferentSeedDifferentNumbers() {
        double[] a = Tensor.randn(new Generator(7), DType.FLOAT64, 100).toDoubleArray();
        double[] b = Tensor.randn(new Generator(7), DType.FLOAT64, 100).toDoubleArray();
        double[] c = Tensor.randn(new Generator(8), DType.FLOAT64, 100).toDoubleArray();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    @Test
    void restoringTheCounterResumesTheStream() {
        Generator g = new Generator(11);
        Tensor.rand(g, DType.FLOAT32, 10);
        long position = g.counter();
        float[] next = Tensor.rand(g, DType.FLOAT32, 5).toFloatArray();
        float[] resumed = Tensor.rand(new Generator(11, position), DType.FLOAT32, 5).toFloatArray();
        assertArrayEquals(next, resumed);
    }

    @Test
    void dropoutMaskIsReproducibleAndScaled() {
        Tensor x = Tensor.ones(1000);
        double[] m1 = F.dropout(x, 0.3, true, new Generator(5)).toDoubleArray();
        double[] m2 = F.dropout(x, 0.3, true, new Generator(5)).toDoubleArray();
        assertArrayEquals(m1, m2);
        int zeros = 0;
        for (double v : m1) {
            if (v == 0) zeros++;
            else assertEquals(1 / 0.7, v, 1e-6);
        }
        assertTrue(zeros > 240 && zeros < 360, "dropped " + zeros + " of 1000 at p=0.3");
        assertSame(x, F.dropout(x, 0.3, false, new Generator(5)), "evaluation mode is the identity");
    }

    @Test
    void cpuIsTheDefaultBackendAndIsDescribed() {
        assertEquals("cpu", Backends.defaultBackend().name());
        assertTrue(Backends.describe().stream().anyMatch(l -> l.startsWith("cpu") && l.contains("available")));
    }
}

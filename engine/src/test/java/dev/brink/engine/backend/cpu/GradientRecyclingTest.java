package dev.brink.engine.backend.cpu;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradOptions;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backends;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CPU backend's pool of recycled storages and the autodiff walker's recycling into it: recycled arrays come
 * back zero-filled and only at their exact dtype and size; a backward pass recycles its dead gradients and
 * temporaries; gradients that stay reachable (results, aliases still pending, anything under createGraph or
 * retainGraph) are never recycled, so repeating a step with pooled memory gives bit-identical gradients.
 */
class GradientRecyclingTest {
    private static final int BATCH = 64, IN = 256, HIDDEN = 512; // activations of 32 Ki floats: above the pool's minimum

    @BeforeEach
    void emptyPool() {
        CpuStoragePool.clear();
    }

    @Test
    void recycledArraysComeBackZeroFilledAtTheirExactSize() {
        int n = CpuStoragePool.MIN_ELEMENTS;
        CpuStorage s = CpuStorage.allocate(DType.FLOAT32, n);
        java.util.Arrays.fill(s.floats(), 7f);
        float[] array = s.floats();
        CpuBackend.INSTANCE.recycle(s);
        assertTrue(s.isReleased(), "a recycled storage is released");
        IllegalStateException e = assertThrows(IllegalStateException.class, s::floats, "a released storage gives its array to no one");
        assertTrue(e.getMessage().contains("released"), e.getMessage());
        assertEquals(4L * n, CpuStoragePool.bytesKept());
        assertNull(CpuStoragePool.take(DType.FLOAT32, n + 1, true), "another size must not get the array");
        assertNull(CpuStoragePool.take(DType.INT32, n, true), "another dtype must not get the array");
        CpuStorage again = (CpuStorage) CpuBackend.INSTANCE.allocate(DType.FLOAT32, n);
        assertSame(array, again.floats(), "the recycled array is handed out again");
        assertNotSame(s, again, "under a new storage identity");
        for (float v : again.floats()) assertEquals(0f, v, "a recycled array is zero-filled");
        assertEquals(0, CpuStoragePool.bytesKept());
        assertNotSame(array, ((CpuStorage) CpuBackend.INSTANCE.allocate(DType.FLOAT32, n)).floats(), "handed out once");
        CpuBackend.INSTANCE.recycle(s);
        assertEquals(0, CpuStoragePool.bytesKept(), "a storage released already is not kept twice");

        CpuStorage small = CpuStorage.allocate(DType.FLOAT32, n - 1);
        CpuBackend.INSTANCE.recycle(small);
        assertEquals(0, CpuStoragePool.bytesKept(), "arrays under the minimum are left to the collector");
    }

    @Test
    void uninitializedAllocationsSkipClearingAndArePoisonedInTests() {
        int n = CpuStoragePool.MIN_ELEMENTS;
        CpuStorage s = CpuStorage.allocate(DType.FLOAT32, n);
        java.util.Arrays.fill(s.floats(), 7f);
        float[] array = s.floats();
        CpuBackend.INSTANCE.recycle(s);
        CpuStorage asLeft = CpuStoragePool.take(DType.FLOAT32, n, false);
        assertSame(array, asLeft.floats());
        assertEquals(7f, asLeft.floats()[n - 1], "take without clearing leaves the old values");
        assertTrue(Boolean.getBoolean("brink.poison"), "the build's test configuration sets brink.poison");
        CpuBackend.INSTANCE.recycle(asLeft);
        CpuStorage poisoned = (CpuStorage) CpuBackend.INSTANCE.allocateUninitialized(DType.FLOAT32, n);
        assertSame(array, poisoned.floats(), "the recycled array is handed out");
        for (float v : poisoned.floats()) assertTrue(Float.isNaN(v), "poisoned");
        CpuStorage fresh = (CpuStorage) CpuBackend.INSTANCE.allocateUninitialized(DType.INT32, 5);
        for (int v : fresh.ints()) assertEquals(Integer.MIN_VALUE, v, "new arrays are poisoned too");
    }

    @Test
    void largeRecycledArraysAreClearedOverTheThreads() {
        CpuBackend.setThreads(2);
        try {
            int n = CpuStoragePool.PARALLEL_CLEAR + 13;
            for (DType t : DType.values()) {
                CpuStorage s = CpuStorage.allocate(t, n);
                switch (t) {
                    case FLOAT32 -> java.util.Arrays.fill(s.floats(), 3f);
                    case FLOAT64 -> java.util.Arrays.fill(s.doubles(), 3.0);
                    case INT32 -> java.util.Arrays.fill(s.ints(), 3);
                }
                CpuBackend.INSTANCE.recycle(s);
                CpuStorage again = (CpuStorage) CpuBackend.INSTANCE.allocate(t, n);
                for (int i = 0; i < n; i++) {
                    double v = switch (t) {
                        case FLOAT32 -> again.floats()[i];
                        case FLOAT64 -> again.doubles()[i];
                        case INT32 -> again.ints()[i];
                    };
                    assertEquals(0.0, v, t + " element " + i);
                }
            }
        } finally {
            CpuBackend.setThreads(0);
        }
    }

    @Test
    void aFullPoolDropsItsOldestArraysForNewOnes() {
        int n = 1 << 22; // 16 MiB each
        long cap = CpuStoragePool.capacityBytes();
        CpuStorage first = CpuStorage.allocate(DType.FLOAT32, n);
        float[] firstArray = first.floats();
        CpuBackend.INSTANCE.recycle(first);
        for (long i = 0; i <= cap / (4L * n) + 2; i++) CpuBackend.INSTANCE.recycle(CpuStorage.allocate(DType.FLOAT32, n));
        assertTrue(CpuStoragePool.bytesKept() <= cap, CpuStoragePool.bytesKept() + " bytes kept, capacity " + cap);
        assertTrue(CpuStoragePool.bytesKept() > cap - 4L * n, "the pool fills up to its capacity");
        // another size offered to the full pool is kept, in place of the oldest arrays
        CpuStorage other = CpuStorage.allocate(DType.FLOAT32, n + 1);
        float[] otherArray = other.floats();
        CpuBackend.INSTANCE.recycle(other);
        assertTrue(CpuStoragePool.bytesKept() <= cap);
        assertSame(otherArray, CpuStoragePool.take(DType.FLOAT32, n + 1, false).floats(), "the newest offer is kept");
        while (true) {
            CpuStorage t = CpuStoragePool.take(DType.FLOAT32, n, false);
            if (t == null) break;
            assertNotSame(firstArray, t.floats(), "the oldest array was dropped first");
        }
        assertEquals(0, CpuStoragePool.bytesKept());
    }

    private static Tensor[] step(Tensor x, Tensor w1, Tensor w2, Tensor y) {
        Tensor loss = F.crossEntropy(x.matmul(w1).relu().matmul(w2), y);
        return Autograd.grad(loss, new Tensor[] {w1, w2, x}, GradOptions.defaults());
    }

    @Test
    void repeatedStepsReuseMemoryAndGiveIdenticalGradients() {
        assertSame(CpuBackend.INSTANCE, Backends.defaultBackend(), "the test runs on the CPU backend");
        Generator gen = new Generator(11);
        Tensor x = Tensor.randn(gen, DType.FLOAT32, BATCH, IN).requiresGrad(true);
        Tensor w1 = Tensor.randn(gen, DType.FLOAT32, IN, HIDDEN).mul(0.05).detach().requiresGrad(true);
        Tensor w2 = Tensor.randn(gen, DType.FLOAT32, HIDDEN, 10).mul(0.05).detach().requiresGrad(true);
        Tensor y = Tensor.ofInts(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1,
                2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3}, BATCH);
        Tensor[] first = step(x, w1, w2, y);
        float[][] ref = new float[first.length][];
        for (int i = 0; i < first.length; i++) ref[i] = first[i].toFloatArray();
        long[] before = CpuStoragePool.counts();
        for (int rep = 0; rep < 5; rep++) {
            Tensor[] g = step(x, w1, w2, y);
            for (int i = 0; i < g.length; i++) assertArrayEquals(ref[i], g[i].toFloatArray(), "gradient " + i + " at repetition " + rep);
        }
        long[] after = CpuStoragePool.counts();
        assertTrue(after[1] > before[1], "the backward passes recycled nothing");
        assertTrue(after[0] > before[0], "no later allocation reused a recycled array");
        // the first step's results were never recycled: still the same values after five more steps
        for (int i = 0; i < first.length; i++) assertArrayEquals(ref[i], first[i].toFloatArray(), "result " + i + " was overwritten");
    }

    @Test
    void aliasedGradientsAreRecycledOnlyWhenTheLastHolderIsDone() {
        // add hands its output gradient to both inputs unchanged: two pending gradients share one storage
        Generator gen = new Generator(12);
        Tensor x = Tensor.randn(gen, DType.FLOAT32, BATCH, HIDDEN).requiresGrad(true);
        Tensor a = Tensor.randn(gen, DType.FLOAT32, BATCH, HIDDEN), b = Tensor.randn(gen, DType.FLOAT32, BATCH, HIDDEN);
        for (int rep = 0; rep < 4; rep++) {
            Tensor u = x.mul(a), v = x.mul(b);
            Tensor loss = u.add(v).tanh().sum();
            Tensor gx = Autograd.grad(loss, x)[0];
            // d/dx sum(tanh(x(a+b))) = (1 - tanh^2(x(a+b))) (a+b), in float64 from the same inputs
            double[] xs = x.toDoubleArray(), as = a.toDoubleArray(), bs = b.toDoubleArray();
            float[] got = gx.toFloatArray();
            for (int i = 0; i < xs.length; i++) {
                double s = as[i] + bs[i], t = Math.tanh(xs[i] * s);
                assertEquals((1 - t * t) * s, got[i], 1e-4 * (1 + Math.abs(s)), "element " + i + " at repetition " + rep);
            }
        }
        assertTrue(CpuStoragePool.counts()[0] > 0, "later passes reuse the recycled arrays");
    }

    @Test
    void gradientsOfIntermediateTensorsAreKept() {
        // an intermediate target's gradient is a result and also the gradient its node's rule passes on
        Generator gen = new Generator(14);
        Tensor x = Tensor.randn(gen, DType.FLOAT32, BATCH, IN).requiresGrad(true);
        Tensor w = Tensor.randn(gen, DType.FLOAT32, IN, HIDDEN).mul(0.05).detach();
        java.util.List<Tensor> kept = new java.util.ArrayList<>();
        java.util.List<float[]> values = new java.util.ArrayList<>();
        for (int rep = 0; rep < 4; rep++) {
            Tensor h = x.matmul(w);
            Tensor loss = h.tanh().square().sum();
            Tensor[] g = Autograd.grad(loss, new Tensor[] {h, x}, GradOptions.defaults());
            kept.add(g[0]);
            values.add(g[0].toFloatArray());
        }
        for (int rep = 0; rep < 4; rep++) assertArrayEquals(values.get(rep), kept.get(rep).toFloatArray(), "dL/dh of pass " + rep);
        assertArrayEquals(values.get(0), values.get(3), "every pass computes the same dL/dh");
    }

    @Test
    void createGraphAndRetainGraphPassesRecycleNothing() {
        Generator gen = new Generator(13);
        Tensor x = Tensor.randn(gen, DType.FLOAT32, BATCH, HIDDEN).requiresGrad(true);
        long[] before = CpuStoragePool.counts();
        Tensor loss = x.tanh().square().sum();
        Tensor gx = Autograd.grad(loss, x, GradOptions.defaults().createGraph())[0];
        Tensor loss2 = x.exp().mul(x).sum();
        Autograd.grad(loss2, x, GradOptions.defaults().retainGraph());
        assertEquals(before[1], CpuStoragePool.counts()[1], "a recorded or retained graph may still reach its gradients");
        assertTrue(gx.requiresGrad(), "the createGraph gradient is itself differentiable");
    }
}

package dev.brink.kernels;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.TensorScope;
import dev.brink.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CUDA backend's {@code recycle} (on the kernel emulator): a recycled storage's block goes back to the caching
 * allocator at once, without waiting for the garbage collector, is handed out again, and the recycled storage
 * cannot be used any more; scopes and backward passes recycle through it and compute the same values.
 */
class CudaRecycleTest {
    private static final long BLOCK = CachingAllocator.sizeClass(4000);

    @Test
    void aRecycledStorageGoesBackToTheCacheAtOnceAndItsBlockIsReused() {
        EmulatedDevice dev = new EmulatedDevice();
        CudaBackend be = new CudaBackend(dev);
        Tensor t = Tensor.full(be, DType.FLOAT32, 1.0, 1000);
        long[] before = be.allocator().stats();
        long deviceAllocations = dev.usage()[1];
        be.recycle(t.storage()); // t is still reachable: only recycle can have released its block
        long[] after = be.allocator().stats();
        assertEquals(before[0] - BLOCK, after[0], "live bytes");
        assertEquals(before[1] + BLOCK, after[1], "cached bytes");
        Tensor u = Tensor.full(be, DType.FLOAT32, 2.0, 1000);
        assertEquals(deviceAllocations, dev.usage()[1], "the next tensor of that size reused the block");
        assertEquals(2000.0, u.sum().item(), "and was zero-filled, then filled");
        assertEquals(1000, t.numel());
    }

    @Test
    void usingARecycledStorageFailsClearly() {
        CudaBackend be = new CudaBackend(new EmulatedDevice());
        Tensor t = Tensor.full(be, DType.FLOAT32, 1.0, 1000);
        be.recycle(t.storage());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.sum().item());
        assertTrue(e.getMessage().contains("was recycled"), e.getMessage());
    }

    @Test
    void recyclingTwiceReleasesOnce() {
        CudaBackend be = new CudaBackend(new EmulatedDevice());
        Tensor t = Tensor.full(be, DType.FLOAT32, 1.0, 1000);
        long[] before = be.allocator().stats();
        be.recycle(t.storage());
        be.recycle(t.storage());
        long[] after = be.allocator().stats();
        assertEquals(before[0] - BLOCK, after[0], "live bytes fall once");
        assertEquals(before[1] + BLOCK, after[1], "the block is cached once");
    }

    @Test
    void storagesOfOtherBackendsAreIgnored() {
        CudaBackend be = new CudaBackend(new EmulatedDevice());
        CudaBackend other = new CudaBackend(new EmulatedDevice());
        Tensor t = Tensor.full(other, DType.FLOAT32, 1.0, 1000);
        Tensor c = Tensor.full(CpuBackend.INSTANCE, DType.FLOAT32, 1.0, 1000);
        be.recycle(t.storage());
        be.recycle(c.storage());
        assertEquals(1000.0, t.sum().item());
        assertEquals(1000.0, c.sum().item());
    }

    @Test
    void aClosingScopeReturnsItsTensorsBlocksWithoutTheCollector() {
        CudaBackend be = new CudaBackend(new EmulatedDevice());
        long live0 = be.allocator().stats()[0];
        Tensor kept;
        try (TensorScope s = TensorScope.open()) {
            Tensor a = Tensor.full(be, DType.FLOAT32, 3.0, 1000);
            Tensor b = a.mul(a).add(a); // 12 each
            kept = s.keep(b.sum());
        }
        long[] st = be.allocator().stats();
        assertEquals(CachingAllocator.sizeClass(4), st[0] - live0, "only the kept scalar is live");
        assertTrue(st[1] >= 2 * BLOCK, "the scope's blocks are cached: " + st[1]);
        assertEquals(12000.0, kept.item(), 1e-3);
    }

    @Test
    void aBackwardPassInAScopeMatchesTheCpu() {
        CudaBackend be = new CudaBackend(new EmulatedDevice());
        double[] x0 = new double[64];
        for (int i = 0; i < x0.length; i++) x0[i] = Math.sin(0.7 * i) + 0.1;
        for (int step = 0; step < 3; step++) { // later steps reuse the blocks the first one recycled
            float[] gpu;
            float[] cpu;
            try (TensorScope s = TensorScope.open()) {
                gpu = gradient(Tensor.fromHost(be, DType.FLOAT32, x0, 8, 8));
                cpu = gradient(Tensor.fromHost(CpuBackend.INSTANCE, DType.FLOAT32, x0, 8, 8));
            }
            assertArrayEquals(cpu, gpu, 1e-5f, "step " + step);
        }
        assertTrue(be.allocator().stats()[1] > 0, "the backward passes and scopes cached blocks");
    }

    /** d/dx of sum(tanh(x @ x) * x), as floats. */
    private static float[] gradient(Tensor x) {
        Tensor xr = x.requiresGrad(true);
        Tensor y = xr.matmul(xr).tanh().mul(xr).sum();
        return Autograd.grad(y, xr)[0].toFloatArray();
    }
}

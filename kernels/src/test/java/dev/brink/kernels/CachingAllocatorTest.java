package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caching allocator: size classes, reuse of collected tensors' blocks, and the out-of-memory path. */
class CachingAllocatorTest {
    @Test
    void sizeClassesWasteAtMostAQuarter() {
        assertEquals(512, CachingAllocator.sizeClass(0));
        assertEquals(512, CachingAllocator.sizeClass(512));
        assertEquals(1024, CachingAllocator.sizeClass(513));
        assertEquals(4096, CachingAllocator.sizeClass(4096));
        assertEquals(5120, CachingAllocator.sizeClass(4097));
        assertEquals(1 << 20, CachingAllocator.sizeClass(1 << 20));
        assertEquals((1 << 20) + (1 << 18), CachingAllocator.sizeClass((1 << 20) + 1));
        for (long b = 1; b < 1L << 32; b = b * 3 + 7) {
            long c = CachingAllocator.sizeClass(b);
            assertTrue(c >= b && (c <= 512 || c <= b * 1.25 + 1 || c - b < 512), b + " -> " + c);
            assertEquals(c, CachingAllocator.sizeClass(c), "a class is its own class");
        }
    }

    @Test
    void blocksOfCollectedTensorsAreReused() throws InterruptedException {
        EmulatedDevice dev = new EmulatedDevice();
        CudaBackend be = new CudaBackend(dev);
        for (int i = 0; i < 5; i++) Tensor.full(be, DType.FLOAT32, 1.0, 1000); // garbage right away
        long before = dev.usage()[1];
        for (int round = 0; round < 250 && be.allocator().stats()[1] == 0; round++) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(be.allocator().stats()[1] > 0, "collected tensors returned their blocks to the cache");
        Tensor t = Tensor.full(be, DType.FLOAT32, 2.0, 1000);
        assertEquals(before, dev.usage()[1], "the new tensor reused a cached block instead of allocating");
        assertEquals(2000.0, t.sum().item(), "and was zero-filled, then filled");
    }

    @Test
    void outOfMemoryReleasesTheCacheThenFailsClearly() throws InterruptedException {
        EmulatedDevice dev = new EmulatedDevice(64 * 1024);
        CudaBackend be = new CudaBackend(dev);
        Tensor keep = Tensor.full(be, DType.FLOAT32, 1.0, 4096); // 16 KiB
        for (int i = 0; i < 2; i++) Tensor.full(be, DType.FLOAT64, 1.0, 3000); // 24 KiB each, dropped
        // wait for both blocks, not just one: on a loaded machine the cleaner may return them far apart
        for (int round = 0; round < 250 && be.allocator().stats()[1] < 2 * CachingAllocator.sizeClass(24000); round++) {
            System.gc();
            Thread.sleep(20);
        }
        Tensor big = Tensor.full(be, DType.FLOAT32, 3.0, 10000); // 40 KiB: fits only once the cache is released
        assertEquals(30000.0, big.sum().item());
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> Tensor.full(be, DType.FLOAT32, 1.0, 100000));
        assertTrue(e.getMessage().startsWith("CUDA out of device memory: cannot allocate 0.4 MiB"), e.getMessage());
        assertEquals(4096.0, keep.sum().item());
    }

    @Test
    void collectsGarbageBeforeTheDeviceFillsUp() {
        // 1 MiB of device memory, collection at half of it; 5 MiB of tensors dropped as soon as made, as an
        // attack loop does. The device must never hold much more than the threshold (one tensor is 32 KiB), and
        // the collector must have been asked to run, not only the out-of-memory path.
        EmulatedDevice dev = new EmulatedDevice(1 << 20);
        CudaBackend be = new CudaBackend(dev);
        long most = 0;
        for (int i = 0; i < 160; i++) {
            Tensor.full(be, DType.FLOAT32, 1.0, 8192);
            most = Math.max(most, dev.usage()[0]);
        }
        assertTrue(most <= (1 << 19) + 8 * 32768, "device memory in use peaked at " + most + " bytes");
        assertTrue(be.allocator().stats()[3] > 0, "the allocator ran the garbage collector");
    }
}

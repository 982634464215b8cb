package dev.brink.engine.vectors;

import dev.brink.engine.backend.Backends;
import dev.brink.engine.backend.cpu.CpuBackend;
import dev.brink.kernels.DeviceFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The small conv net's PyTorch vectors (forward, backward, second order) on a real GPU; skipped, with the
 * provider's reason, where no CUDA device is usable.
 */
class CudaDeviceConvNetVectorTest extends SmallConvNetVectorTest {
    @BeforeAll
    static void useCuda() {
        DeviceFixture.assumeDevice();
        Backends.setDefault(Backends.get("cuda"));
    }

    @AfterAll
    static void restoreCpu() {
        Backends.setDefault(CpuBackend.INSTANCE);
    }
}

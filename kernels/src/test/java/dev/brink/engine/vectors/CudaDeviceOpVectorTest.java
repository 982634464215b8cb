package dev.brink.engine.vectors;

import dev.brink.engine.backend.Backends;
import dev.brink.engine.backend.cpu.CpuBackend;
import dev.brink.kernels.DeviceFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The engine's op-level PyTorch vectors on a real GPU (the CUDA backend with cuBLAS and cuDNN where they load);
 * skipped, with the provider's reason, where no CUDA device is usable.
 */
class CudaDeviceOpVectorTest extends TorchOpVectorTest {
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

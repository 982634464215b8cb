package dev.brink.engine.vectors;

import dev.brink.engine.backend.Backends;
import dev.brink.engine.backend.cpu.CpuBackend;
import dev.brink.kernels.EmulatedBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The engine's op-level PyTorch vectors ({@code test-vectors/ops.json}, every case of {@link TorchOpVectorTest}:
 * outputs, gradients and second-order products in float64, forwards in float32) on the CUDA backend running over
 * the kernel emulator, with its built-in GEMM and convolution kernels in place of cuBLAS and cuDNN.
 */
class EmulatedCudaOpVectorTest extends TorchOpVectorTest {
    @BeforeAll
    static void useEmulatedCuda() {
        Backends.setDefault(EmulatedBackends.cuda());
    }

    @AfterAll
    static void restoreCpu() {
        boolean ranOnCuda = Backends.defaultBackend() == EmulatedBackends.cuda();
        Backends.setDefault(CpuBackend.INSTANCE);
        if (!ranOnCuda) throw new AssertionError("the default backend changed during the test");
        if (!EmulatedBackends.launched().contains("gemm_f64")) throw new AssertionError("no kernel ran on the emulated device");
    }
}

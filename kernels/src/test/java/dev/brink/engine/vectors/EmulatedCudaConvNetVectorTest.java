package dev.brink.engine.vectors;

import dev.brink.engine.backend.Backends;
import dev.brink.engine.backend.cpu.CpuBackend;
import dev.brink.kernels.EmulatedBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The small conv net of {@code test-vectors/small_convnet.json} (forward, loss, input gradient, Hessian-vector
 * product, parameter gradients, Jacobian rows, a double-backprop penalty; every check of
 * {@link SmallConvNetVectorTest}) on the CUDA backend running over the kernel emulator.
 */
class EmulatedCudaConvNetVectorTest extends SmallConvNetVectorTest {
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

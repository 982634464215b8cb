package dev.brink.kernels;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.TensorScope;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.cpu.CpuBackend;
import dev.brink.engine.op.Convolution;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ops whose outputs the CUDA backend hands out uncleared ({@code allocateUninitialized}: elementwise, matmul,
 * the convolutions and their gradients) write every element of them: on the emulator, whose fresh memory is all-ones
 * bytes (NaN floats) and whose recycled blocks hold the last step's values, each matches the CPU backend, step
 * after step.
 */
class UninitializedOutputsTest {
    @Test
    void everyOverwrittenOutputIsWrittenWhole() {
        CudaBackend be = new CudaBackend(new EmulatedDevice());
        for (int step = 0; step < 3; step++) { // steps after the first get the blocks the one before recycled
            float[][] gpu;
            float[][] cpu;
            try (TensorScope s = TensorScope.open()) {
                gpu = run(be, step);
                cpu = run(CpuBackend.INSTANCE, step);
            }
            assertEquals(cpu.length, gpu.length);
            for (int i = 0; i < cpu.length; i++) {
                for (float v : gpu[i]) assertTrue(Float.isFinite(v), "step " + step + ", result " + i + ": " + v);
                assertArrayEquals(cpu[i], gpu[i], 1e-4f, "step " + step + ", result " + i);
            }
        }
    }

    @Test
    void uninitializedMemoryOnTheEmulatorIsNotZero() {
        // the premise of the test above: an output no kernel wrote reads as NaN, not as zeros
        CudaBackend be = new CudaBackend(new EmulatedDevice());
        for (float v : Tensor.uninitialized(be, DType.FLOAT32, 100).toFloatArray()) assertTrue(Float.isNaN(v), "read " + v);
        Tensor zeros = Tensor.empty(be, DType.FLOAT32, 100);
        assertEquals(0.0, zeros.sum().item(), "allocate still clears");
    }

    /** A small conv net's forward pass and gradients: every op with an overwritten output, on backend b. */
    private static float[][] run(dev.brink.engine.backend.Backend b, int step) {
        Random r = new Random(42 + step);
        Tensor x = host(b, r, 2, 3, 6, 6).requiresGrad(true);
        Tensor w = host(b, r, 4, 3, 3, 3).requiresGrad(true);
        Tensor bias = host(b, r, 4).requiresGrad(true);
        Tensor m = host(b, r, 16, 5).requiresGrad(true);
        Tensor h = Convolution.conv2d(x, w, bias, ConvGeometry.of(1, 1)); // [2, 4, 6, 6]
        Tensor z = h.tanh().mul(h).add(h);                               // unary and binary ops
        Tensor y = z.reshape(2 * 4 * 6 * 6 / 16, 16).matmul(m).relu();   // matmul
        Tensor[] g = Autograd.grad(y.sum(), x, w, bias, m);              // input and weight gradients
        return new float[][] {y.toFloatArray(), g[0].toFloatArray(), g[1].toFloatArray(), g[2].toFloatArray(), g[3].toFloatArray()};
    }

    private static Tensor host(dev.brink.engine.backend.Backend b, Random r, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian() * 0.5;
        return Tensor.fromHost(b, DType.FLOAT32, v, shape);
    }
}

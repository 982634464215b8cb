package dev.brink.kernels;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.GradOptions;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import org.junit.jupiter.api.Test;

import static dev.brink.kernels.KernelTestSupport.CPU;
import static dev.brink.kernels.KernelTestSupport.assertMatchesAbs;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's Jacobian-row ops ({@code F.rowSquaredNorms}, {@code F.emrPairSquaredNorms}, used by the {@code emr}
 * objective and its effective margins) on CUDA tensors launch emr.cu's kernels (seen by the emulated device) and
 * agree with the same ops on the CPU, including the gradient of row_squared_norms (written in ops, so it runs on
 * whichever backend holds the tensors). Emulator only.
 */
class EmrOpDispatchTest {
    @Test
    void engineOpsOnCudaTensorsLaunchTheEmrKernels() {
        Backend cuda = KernelTestSupport.emulated();
        int k = 3, b = 4, d = 5;
        double[] v = KernelTestSupport.data(41, DType.FLOAT64, k * b * d, false);
        double[] y = {2, 0, 1, 1};
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            String sfx = t == DType.FLOAT32 ? "f32" : "f64";
            double tol = t == DType.FLOAT64 ? 1e-12 : 0x1.0p-20;

            EmulatedDevice.LAUNCHED.remove("row_sqnorm_" + sfx);
            Tensor xc = Tensor.fromHost(cuda, t, v, d, k * b).transpose(0, 1).requiresGrad(true); // a strided view
            Tensor got = F.rowSquaredNorms(xc);
            assertTrue(EmulatedDevice.LAUNCHED.contains("row_sqnorm_" + sfx), "row_sqnorm_" + sfx + " did not run");
            Tensor xh = Tensor.fromHost(CPU, t, v, d, k * b).transpose(0, 1).requiresGrad(true);
            Tensor want = F.rowSquaredNorms(xh);
            assertMatchesAbs("row_sqnorm_" + sfx, want, got, tol);
            Tensor gc = Autograd.grad(got.square().sum(), xc, GradOptions.defaults())[0];
            Tensor gh = Autograd.grad(want.square().sum(), xh, GradOptions.defaults())[0];
            assertMatchesAbs("row_sqnorm_" + sfx + " gradient", gh, gc, tol * 100);

            EmulatedDevice.LAUNCHED.remove("emr_pair_sqnorm_" + sfx);
            Tensor pc = F.emrPairSquaredNorms(Tensor.fromHost(cuda, t, v, k, b, d), Tensor.fromHost(cuda, DType.INT32, y, b));
            assertTrue(EmulatedDevice.LAUNCHED.contains("emr_pair_sqnorm_" + sfx), "emr_pair_sqnorm_" + sfx + " did not run");
            Tensor ph = F.emrPairSquaredNorms(Tensor.fromHost(CPU, t, v, k, b, d), Tensor.fromHost(CPU, DType.INT32, y, b));
            assertMatchesAbs("emr_pair_sqnorm_" + sfx, ph, pc, tol);
        }
    }
}

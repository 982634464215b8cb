package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

import static dev.brink.kernels.KernelTestSupport.CPU;
import static dev.brink.kernels.KernelTestSupport.assertMatchesAbs;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's attack-step ops ({@code F.signStep}, {@code l2Step}, {@code projectLinf}, {@code projectL2},
 * {@code projectL1}) on CUDA tensors launch attack.cu's kernels (seen by the emulated device) and agree with the
 * same ops on the CPU. Emulator only: the device tests cover the kernels through {@link AttackKernelTest}.
 */
class AttackOpDispatchTest {
    @Test
    void engineOpsOnCudaTensorsLaunchTheAttackKernels() {
        Backend cuda = KernelTestSupport.emulated();
        Map<String, BiFunction<Tensor, Tensor, Tensor>> ops = new LinkedHashMap<>();
        ops.put("sign_step_", (x, y) -> F.signStep(x, y, 0.1));
        ops.put("l2_step_", (x, y) -> F.l2Step(x, y, 0.1));
        ops.put("project_linf_", (x, y) -> F.projectLinf(x, y, 0.05, 0, 1));
        ops.put("project_l2_", (x, y) -> F.projectL2(x, y, 0.05, 0, 1));
        ops.put("project_l1_", (x, y) -> F.projectL1(x, y, 0.05, 0, 1));
        double[] a = KernelTestSupport.data(31, DType.FLOAT64, 24, false), b = KernelTestSupport.data(32, DType.FLOAT64, 24, false);
        for (int i = 0; i < 24; i++) {
            a[i] = Math.abs(a[i]) % 1;
            b[i] = Math.min(1, Math.abs(a[i] + 0.1 * b[i]));
        }
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (var op : ops.entrySet()) {
                String kernel = op.getKey() + (t == DType.FLOAT32 ? "f32" : "f64");
                EmulatedDevice.LAUNCHED.remove(kernel);
                Tensor got = op.getValue().apply(Tensor.fromHost(cuda, t, b, 4, 6).transpose(0, 1), Tensor.fromHost(cuda, t, a, 4, 6).transpose(0, 1));
                assertTrue(EmulatedDevice.LAUNCHED.contains(kernel), kernel + " did not run for " + op.getKey() + t.label());
                Tensor want = op.getValue().apply(Tensor.fromHost(CPU, t, b, 4, 6).transpose(0, 1), Tensor.fromHost(CPU, t, a, 4, 6).transpose(0, 1));
                assertMatchesAbs(kernel, want, got, t == DType.FLOAT64 ? 1e-12 : 0x1.0p-23);
            }
        }
    }
}

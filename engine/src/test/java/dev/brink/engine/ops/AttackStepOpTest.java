package dev.brink.engine.ops;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.CountingBackend;
import dev.brink.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attack-step ops ({@code F.signStep}, {@code l2Step}, {@code projectLinf}, {@code projectL2},
 * {@code projectL1}): one backend call each on the tensors' backend, with the kernel where the backend has one and
 * the composed default where it does not; errors naming the op and the problem; and their autograd rule.
 */
class AttackStepOpTest {
    private static final Backend CPU = CpuBackend.INSTANCE;

    static Tensor x(Backend b) {
        return Tensor.fromHost(b, DType.FLOAT32, new double[] {0.1, 0.9, 0.5, 0.3, 0.7, 0.2}, 2, 3);
    }

    static Tensor y(Backend b) {
        return Tensor.fromHost(b, DType.FLOAT32, new double[] {0.4, 0.4, 0.4, 0.0, 1.0, 0.5}, 2, 3);
    }

    static Map<String, Tensor> all(Backend b) {
        return Map.of("signStep", F.signStep(x(b), y(b), 0.1), "l2Step", F.l2Step(x(b), y(b), 0.1),
                "projectLinf", F.projectLinf(x(b), y(b), 0.2, 0, 1), "projectL2", F.projectL2(x(b), y(b), 0.2, 0, 1),
                "projectL1", F.projectL1(x(b), y(b), 0.2, 0, 1));
    }

    @Test
    void eachOpIsOneCallOfItsBackendMethodWithTheKernelOrTheComposedDefault() {
        Map<String, Tensor> cpu = all(CPU);
        for (boolean kernels : new boolean[] {true, false}) {
            CountingBackend b = new CountingBackend(kernels);
            Map<String, Tensor> got = all(b);
            assertEquals(Map.of("signStep", 1, "l2Step", 1, "projectLinf", 1, "projectL2", 1, "projectL1", 1), b.counts());
            for (String op : cpu.keySet()) {
                assertSame(b, got.get(op).backend(), op + ": result on the inputs' backend");
                assertArrayEquals(cpu.get(op).toFloatArray(), got.get(op).toFloatArray(), kernels ? 0f : 2e-7f, op + (kernels ? " kernel" : " composed"));
            }
        }
    }

    private static void fails(String what, Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, what);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), what + ": message '" + e.getMessage() + "' lacks '" + f + "'");
    }

    @Test
    void badArgumentsAreRefusedNamingTheOpAndTheProblem() {
        Tensor x = x(CPU), g = y(CPU);
        fails("shape", () -> F.signStep(x, g.slice(1, 0, 2), 0.1), "sign_step", "'grad' has shape [2, 2] but x has [2, 3]", "no broadcasting");
        fails("shape x0", () -> F.projectL2(x, g.reshape(3, 2), 0.1, 0, 1), "project_l2", "'x0' has shape [3, 2]");
        fails("dtype", () -> F.l2Step(x, g.to(DType.FLOAT64), 0.1), "l2_step", "dtypes differ");
        fails("int32", () -> F.projectLinf(Tensor.ofInts(new int[] {1, 2}, 1, 2), Tensor.ofInts(new int[] {1, 2}, 1, 2), 1, 0, 1),
                "project_linf", "'x' must be floating point", "int32");
        fails("0-d", () -> F.signStep(Tensor.scalar(1f), Tensor.scalar(1f), 0.1), "sign_step", "batch [N, ...]", "0-d");
        fails("alpha NaN", () -> F.signStep(x, g, Double.NaN), "sign_step", "alpha must be finite");
        fails("alpha inf", () -> F.l2Step(x, g, Double.POSITIVE_INFINITY), "l2_step", "alpha must be finite");
        fails("eps < 0", () -> F.projectL1(x, g, -0.1, 0, 1), "project_l1", "eps must be >= 0", "-0.1");
        fails("eps NaN", () -> F.projectLinf(x, g, Double.NaN, 0, 1), "project_linf", "eps must be >= 0");
        fails("lo > hi", () -> F.projectL2(x, g, 0.1, 1, 0), "project_l2", "lo <= hi", "[1.0, 0.0]");
        fails("NaN bound", () -> F.projectL2(x, g, 0.1, Double.NaN, 1), "project_l2", "lo <= hi");
        fails("backends", () -> F.projectL1(x, y(new CountingBackend(true)), 0.1, 0, 1), "project_l1", "different backends");
        fails("null", () -> F.signStep(x, null, 0.1), "sign_step", "'grad' is null");
    }

    @Test
    void inputsThatRequireGradAreRefusedWithGradModeOnAndFineWithout() {
        Tensor x = x(CPU).requiresGrad(true), g = y(CPU);
        fails("x requires grad", () -> F.signStep(x, g, 0.1), "sign_step", "not differentiable", "'x' requires grad", "noGrad");
        fails("grad requires grad", () -> F.l2Step(g, x, 0.1), "l2_step", "'grad' requires grad");
        fails("x0 requires grad", () -> F.projectLinf(g, x, 0.1, 0, 1), "project_linf", "'x0' requires grad");
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor r = F.projectL2(x, g, 0.1, 0, 1);
            assertFalse(r.requiresGrad());
        }
        Tensor r = F.signStep(x.detach(), g, 0.1); // detached inputs with grad mode on: fine, and a constant
        assertFalse(r.requiresGrad());
    }

    @Test
    void emptyBatchesGiveEmptyResults() {
        for (boolean kernels : new boolean[] {true, false}) {
            Backend b = new CountingBackend(kernels);
            Tensor e = Tensor.fromHost(b, DType.FLOAT64, new double[0], 0, 4);
            assertArrayEquals(new int[] {0, 4}, F.projectL1(e, e, 0.5, 0, 1).shape());
            assertArrayEquals(new int[] {0, 4}, F.l2Step(e, e, 0.5).shape());
        }
    }
}

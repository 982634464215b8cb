package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.CountingBackend;
import dev.brink.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attacks take their steps and projections from the backend (the engine's fused attack-step ops), so a backend
 * with attack kernels (CUDA's attack.cu) runs them: each attack on a {@link CountingBackend} calls the expected
 * backend methods, gives bit-identical results whether those methods are the CPU kernels or run on the plain CPU
 * backend, and agrees to float64 rounding with the composed defaults (the formulas the attacks composed before).
 */
class FusedStepsTest {
    static final int N = 6, D = 10, K = 3;

    /** A linear model, inputs, labels on backend b, from fixed data; the attack's result. */
    static Tensor attack(Backend b, DType t, Attack a, Norm norm, double eps) {
        Generator g = new Generator(5);
        double[] w = Tensor.randn(g, DType.FLOAT64, K, D).toDoubleArray(), bias = Tensor.randn(g, DType.FLOAT64, K).toDoubleArray();
        double[] x = Tensor.rand(g, DType.FLOAT64, N, D).mul(0.4).add(0.3).toDoubleArray();
        double[] y = new double[N];
        for (int i = 0; i < N; i++) y[i] = i % K;
        Tensor wt = Tensor.fromHost(b, t, w, K, D), bt = Tensor.fromHost(b, t, bias, K);
        Classifier model = new Classifier(v -> v.reshape(v.size(0), -1).matmul(wt.transpose(0, 1)).add(bt));
        return a.run(model, Tensor.fromHost(b, t, x, N, D), Tensor.fromHost(b, DType.INT32, y, N),
                ThreatModel.of(norm, eps), Goal.UNTARGETED, new Generator(9)).adversarial();
    }

    record Case(Supplier<Attack> attack, Norm norm, double eps, String... methods) {}

    static Map<String, Case> cases() {
        GradientDescent.Config pgd = new GradientDescent.Config(AttackLoss.CROSS_ENTROPY, 5, Double.NaN, 0.5, true, 2, false, 0.2);
        Map<String, Case> m = new LinkedHashMap<>();
        m.put("fgsm", new Case(Fgsm::new, Norm.LINF, 0.05, "signStep", "projectLinf"));
        m.put("fgm-l2", new Case(() -> new FgmL2(AttackLoss.CROSS_ENTROPY), Norm.L2, 0.3, "l2Step", "projectL2"));
        m.put("bim", new Case(() -> new Bim(AttackLoss.CROSS_ENTROPY, 4, 0.02), Norm.LINF, 0.05, "signStep", "projectLinf"));
        m.put("pgd-linf", new Case(() -> new Pgd(Norm.LINF, pgd), Norm.LINF, 0.05, "signStep", "projectLinf"));
        m.put("pgd-l2", new Case(() -> new Pgd(Norm.L2, pgd), Norm.L2, 0.4, "l2Step", "projectL2"));
        m.put("pgd-l1", new Case(() -> new Pgd(Norm.L1, pgd), Norm.L1, 1.0, "projectL1"));
        m.put("second-order l2 step on linf", new Case(() -> new SecondOrder(pgd, 2, 0.05, true, false), Norm.LINF, 0.05, "l2Step", "projectLinf"));
        return m;
    }

    @Test
    void attacksCallTheBackendsStepsAndProjections() {
        for (DType t : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            for (var e : cases().entrySet()) {
                Case c = e.getValue();
                String what = e.getKey() + " " + t.label();
                CountingBackend b = new CountingBackend(true);
                Tensor viaKernels = attack(b, t, c.attack().get(), c.norm(), c.eps());
                for (String method : c.methods())
                    assertTrue(b.calls(method) > 0, what + " did not call Backend." + method + " (calls: " + b.counts() + ")");
                Tensor onCpu = attack(CpuBackend.INSTANCE, t, c.attack().get(), c.norm(), c.eps());
                assertArrayEquals(onCpu.toDoubleArray(), viaKernels.toDoubleArray(), 0.0, what + ": the same kernels, the same result");
                // the composed defaults are the formulas the attacks composed before: the same up to rounding
                CountingBackend composed = new CountingBackend(false);
                Tensor viaDefaults = attack(composed, t, c.attack().get(), c.norm(), c.eps());
                assertArrayEquals(onCpu.toDoubleArray(), viaDefaults.toDoubleArray(), t == DType.FLOAT64 ? 1e-12 : 1e-6, what + ": kernels vs the composed defaults");
                for (String method : c.methods()) assertTrue(composed.calls(method) > 0, what + " (composed) did not call " + method);
            }
        }
    }
}

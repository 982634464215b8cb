package dev.brink.robust.autoattack;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.layer.Activation;
import dev.brink.nn.layer.Flatten;
import dev.brink.nn.layer.Linear;
import dev.brink.nn.layer.Sequential;
import dev.brink.nn.optim.Adam;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Goal;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The standard version (APGD-CE, APGD-T, FAB-T, Square) on a small MLP trained in the test (10 classes of noisy
 * 12x12 prototypes): never above PGD-40's robust accuracy on the same points, in L-inf and L2; the same per-point
 * results run to run; and on the same classifier behind a quantizing first layer (zero input gradient) the
 * gradient check fires and Square still breaks most points.
 */
class AutoAttackStandardTest {
    static Sequential mlp;
    static Tensor x, y;
    static final int N = 80;

    static Tensor[] data(Tensor prototypes, int n, Generator g) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = (int) (Generator.uniform(g.seed(), g.reserve(1)) * 10);
        Tensor yy = Tensor.ofInts(labels, n);
        Tensor xx = F.oneHot(yy, 10, DType.FLOAT32).matmul(prototypes).add(Tensor.randn(g, DType.FLOAT32, n, 144).mul(0.3)).clamp(0, 1);
        return new Tensor[] {xx.reshape(n, 1, 12, 12), yy};
    }

    @BeforeAll
    static void train() {
        Generator g = new Generator(2024);
        Tensor prototypes = Tensor.rand(g, DType.FLOAT32, 10, 144).gt(0.5).mul(0.3).add(0.35);
        mlp = new Sequential(new Flatten(), new Linear(144, 64, true, g), new Activation(Activation.Kind.RELU), new Linear(64, 10, true, g));
        var params = mlp.trainableParameters();
        Adam opt = new Adam(params, 3e-3);
        mlp.train();
        for (int step = 0; step < 300; step++) {
            Tensor[] b = data(prototypes, 64, g);
            try (GradMode.Scope s = GradMode.enableGrad()) {
                Tensor loss = F.crossEntropy(mlp.forward(b[0]), b[1]);
                opt.step(Autograd.grad(loss, params.values().toArray(new Tensor[0])));
            }
        }
        mlp.eval();
        Tensor[] test = data(prototypes, N, g);
        x = test[0];
        y = test[1];
    }

    static double pgd40(Classifier c, Norm norm, double eps) {
        var r = Attacks.create("pgd", Map.of("steps", "40")).run(c, x, y, ThreatModel.of(norm, eps), Goal.UNTARGETED, new Generator(0));
        int[] p = c.logits(r.adversarial()).argmax(1).toIntArray(), lab = y.toIntArray();
        int ok = 0;
        for (int i = 0; i < N; i++) if (p[i] == lab[i]) ok++;
        return ok / (double) N;
    }

    @Test
    void standardIsNeverAbovePgd40AndRepeatsItself() throws IOException {
        Classifier c = Classifier.of(mlp);
        for (Object[] t : new Object[][] {{Norm.LINF, 0.1}, {Norm.L2, 0.8}}) {
            Norm norm = (Norm) t[0];
            double eps = (Double) t[1];
            double pgd = pgd40(c, norm, eps);
            AutoAttack.Config cfg = AutoAttack.Config.standard(norm, eps, 0, 50);
            AutoAttack.Result r = AutoAttack.run(c, x, y, null, cfg, null, AutoAttack.Listener.NONE);
            assertTrue(r.cleanAccuracy() > 0.9, "the model learned: " + r.cleanAccuracy());
            assertTrue(pgd > 0.1 && pgd < r.cleanAccuracy() - 0.1, norm + ": eps must leave PGD-40 between 0 and clean: " + pgd);
            assertTrue(r.robustAccuracy() <= pgd, norm + ": AutoAttack " + r.robustAccuracy() + " above PGD-40 " + pgd + " " + r.attacks());
            assertEquals(4, r.attacks().size());
            assertTrue(r.warnings().isEmpty(), r.warnings().toString());
            AutoAttack.Result again = AutoAttack.run(c, x, y, null, cfg, null, AutoAttack.Listener.NONE);
            assertArrayEquals(r.state().brokenBy, again.state().brokenBy, "same seed, same per-point results");
            assertArrayEquals(r.state().adversarial, again.state().adversarial);
        }
    }

    @Test
    void zeroGradientsAreReportedAndSquareStillBreaksTheQuantizedModel() throws IOException {
        // a quantizing first layer: 8 levels from the detached input, "+ 0 * x" keeps x in the graph with zero gradient
        Classifier quantized = new Classifier(in -> {
            double[] v = in.detach().toDoubleArray();
            float[] q = new float[v.length];
            for (int i = 0; i < v.length; i++) q[i] = (float) (Math.floor(v[i] * 8) / 8 + 1.0 / 16);
            return mlp.forward(Tensor.of(q, in.shape()).add(in.mul(0.0)));
        });
        AutoAttack.Result r = AutoAttack.run(quantized, x, y, null, AutoAttack.Config.standard(Norm.LINF, 0.15, 0, 80), null, AutoAttack.Listener.NONE);
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("zero input gradient")), r.warnings().toString());
        AutoAttack.AttackStats square = r.attacks().get(3);
        assertEquals("square", square.name());
        int gradientBroken = r.attacks().get(0).broken() + r.attacks().get(1).broken() + r.attacks().get(2).broken();
        assertTrue(square.broken() > gradientBroken, "Square breaks what the gradient attacks cannot: " + r.attacks());
        assertTrue(square.broken() >= 0.5 * square.attacked(), r.attacks().toString());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("Square (black box) lowered robust accuracy")), r.warnings().toString());
    }
}

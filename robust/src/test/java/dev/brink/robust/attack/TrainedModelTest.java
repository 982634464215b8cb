package dev.brink.robust.attack;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A small MNIST-like model trained in the test (10 classes of noisy 12x12 prototypes, an MLP, 300 Adam steps):
 * PGD-40 is at least as strong as FGSM at every eps of a sweep, robust accuracy falls monotonically along it, and
 * the fooling-image procedures of Galloway et al. run on it.
 */
class TrainedModelTest {
    private static Classifier model;
    private static Tensor testX, testY;

    private static Tensor[] data(Tensor prototypes, int n, Generator g) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = (int) (Generator.uniform(g.seed(), g.reserve(1)) * 10);
        Tensor labels = Tensor.ofInts(y, n);
        Tensor x = F.oneHot(labels, 10, DType.FLOAT32).matmul(prototypes).add(Tensor.randn(g, DType.FLOAT32, n, 144).mul(0.3)).clamp(0, 1);
        return new Tensor[] {x.reshape(n, 1, 12, 12), labels};
    }

    @BeforeAll
    static void train() {
        Generator g = new Generator(2024);
        Tensor prototypes = Tensor.rand(g, DType.FLOAT32, 10, 144).gt(0.5).mul(0.3).add(0.35);
        Sequential mlp = new Sequential(new Flatten(), new Linear(144, 64, true, g), new Activation(Activation.Kind.RELU), new Linear(64, 10, true, g));
        Map<String, Tensor> params = mlp.trainableParameters();
        Adam opt = new Adam(params, 3e-3);
        mlp.train();
        for (int step = 0; step < 300; step++) {
            Tensor[] b = data(prototypes, 64, g);
            try (GradMode.Scope s = GradMode.enableGrad()) {
                Tensor loss = F.crossEntropy(mlp.forward(b[0]), b[1]);
                opt.step(Autograd.grad(loss, params.values().toArray(new Tensor[0])));
            }
        }
        model = Classifier.of(mlp);
        Tensor[] test = data(prototypes, 200, g);
        testX = test[0];
        testY = test[1];
    }

    private static double accuracy(Tensor x) {
        int[] p = model.logits(x).argmax(1).toIntArray(), y = testY.toIntArray();
        int c = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == y[i]) c++;
        return (double) c / p.length;
    }

    @Test
    void pgdIsAtLeastAsStrongAsFgsmAtEveryEpsAndAccuracyFallsAlongTheSweep() {
        double clean = accuracy(testX);
        assertTrue(clean > 0.9, "the model learned the task: " + clean);
        double[] eps = {0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.25};
        Attack fgsm = Attacks.create("fgsm"), pgd = Attacks.create("pgd", Map.of("steps", "40"));
        double prev = 1;
        StringBuilder log = new StringBuilder();
        for (double e : eps) {
            ThreatModel t = ThreatModel.of(Norm.LINF, e);
            double aF = accuracy(fgsm.run(model, testX, testY, t, Goal.UNTARGETED, new Generator(1)).adversarial());
            double aP = accuracy(pgd.run(model, testX, testY, t, Goal.UNTARGETED, new Generator(1)).adversarial());
            log.append(String.format(" eps %.2f fgsm %.3f pgd %.3f;", e, aF, aP));
            assertTrue(aP <= aF, "PGD-40 at least as strong as FGSM:" + log);
            assertTrue(aP <= prev, "robust accuracy falls monotonically:" + log);
            prev = aP;
        }
        assertEquals(clean, accuracy(testX), 0);
        assertTrue(prev < 0.05, "a large enough eps breaks the model:" + log);
    }

    @Test
    void theSecondOrderAttacksAndL2L1PgdBreakTheModelAndTraceTheGradientNorm() {
        double clean = accuracy(testX);
        Object[][] cases = {{"second-order", Map.of("steps", "10", "early-stop", "false", "trace", "true", "samples", "4"), Norm.L2, 1.5},
                {"second-order-exact", Map.of("steps", "10", "early-stop", "false"), Norm.L2, 1.5},
                {"pgd", Map.of("steps", "10", "early-stop", "false"), Norm.L2, 1.5},
                {"pgd", Map.of("steps", "10", "l1-sparsity", "0.05"), Norm.L1, 6.0}};
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked") GradientDescent a = (GradientDescent) Attacks.create((String) c[0], (Map<String, String>) c[1]);
            AttackResult r = a.run(model, testX, testY, ThreatModel.of((Norm) c[2], (double) c[3]), Goal.UNTARGETED, new Generator(5));
            double acc = accuracy(r.adversarial());
            assertTrue(acc < clean - 0.3, c[0] + " " + c[2] + ": " + acc + " vs clean " + clean);
            double[] trace = a.lastGradientNormTrace();
            assertEquals(10, trace.length, c[0] + " " + c[2]);
            if (c[2] == Norm.L2) assertTrue(trace[9] > trace[0], "the loss gradient grows as the attack leaves the flat region: " + java.util.Arrays.toString(trace));
        }
    }

    @Test
    void foolingImagesReachTheirTargetsAndTheSingleStepSweepReportsRateAndMargin() {
        FoolingImages.Images it = FoolingImages.iterative(model, new int[] {1, 12, 12}, 10, 2, new Generator(3));
        assertEquals(20, it.images().size(0));
        assertTrue(it.images().amin().item() >= 0 && it.images().amax().item() <= 1);
        assertTrue(it.successRate() >= 0.5, "iterative fooling images mostly reach their class: " + it.successRate());
        double[] eps = {0, 8 / 255.0, 64 / 255.0};
        FoolingImages.Sweep s = FoolingImages.sweep(model, new int[] {1, 12, 12}, 10, 30, eps, 16, DType.FLOAT32, new Generator(4));
        assertEquals(3, s.successRate().length);
        for (int e = 0; e < eps.length; e++) {
            assertTrue(s.successRate()[e] >= 0 && s.successRate()[e] <= 1);
            assertTrue(s.margin()[e] >= 0 && s.margin()[e] <= 1);
            double sum = 0;
            for (double v : s.successByClass()[e]) sum += v;
            assertEquals(s.successRate()[e], sum / 10, 1e-12);
        }
        assertTrue(s.successRate()[0] <= 0.2 && s.successRate()[1] > s.successRate()[0], "a targeted step raises the rate above chance: " + java.util.Arrays.toString(s.successRate()));
        assertEquals(256, FoolingImages.pixelLevels().length);
    }
}

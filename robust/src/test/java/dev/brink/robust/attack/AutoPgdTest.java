package dev.brink.robust.attack;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.Loss;
import dev.brink.nn.layer.Activation;
import dev.brink.nn.layer.Flatten;
import dev.brink.nn.layer.Linear;
import dev.brink.nn.layer.Sequential;
import dev.brink.nn.optim.Adam;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * APGD and APGD-T (Croce and Hein 2020): the exact optimum of a linear model in L-inf and L2, at least PGD-40's
 * strength on a small trained MLP, the DLR losses against their closed forms, the checkpoint schedule, the step-size
 * halving, the model-call count, determinism, and the exact L1-ball-and-box projection of the L1 variant.
 */
class AutoPgdTest {
    // ---- a small trained model (the idea of TrainedModelTest: 10 classes of noisy 12x12 prototypes, an MLP)

    private static Classifier mlp;
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
        Sequential net = new Sequential(new Flatten(), new Linear(144, 64, true, g), new Activation(Activation.Kind.RELU), new Linear(64, 10, true, g));
        Map<String, Tensor> params = net.trainableParameters();
        Adam opt = new Adam(params, 3e-3);
        net.train();
        for (int step = 0; step < 300; step++) {
            Tensor[] b = data(prototypes, 64, g);
            try (GradMode.Scope s = GradMode.enableGrad()) {
                Tensor loss = F.crossEntropy(net.forward(b[0]), b[1]);
                opt.step(Autograd.grad(loss, params.values().toArray(new Tensor[0])));
            }
        }
        mlp = Classifier.of(net);
        Tensor[] test = data(prototypes, 200, g);
        testX = test[0];
        testY = test[1];
    }

    private static double accuracy(Tensor x) {
        int[] p = mlp.logits(x).argmax(1).toIntArray(), y = testY.toIntArray();
        int c = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == y[i]) c++;
        return (double) c / p.length;
    }

    // ---- linear models: the known optimum

    /** A linear model with its class-difference directions: {@code wd[i]} is the gradient of z_other - z_y at sample i. */
    private record Binary(Classifier model, double[][] wd, double[] margin) {}

    /** A 2-class linear model (two rows) or a one-logit model ([0, z] to the attacks), on the inputs x. */
    private static Binary binary(boolean oneLogit, Tensor x) {
        int n = x.size(0), d = x.size(1);
        double[] w;
        Classifier model;
        if (oneLogit) {
            Tensor wt = Tensor.randn(new Generator(21), DType.FLOAT64, d, 1);
            w = wt.toDoubleArray(); // z = x w + b: class 1 where z > 0, so z_1 - z_0 = x w + b
            model = new Classifier(v -> v.matmul(wt).add(0.05));
        } else {
            LinearModels.Linear lin = LinearModels.random(5, 2, d, DType.FLOAT64);
            double[] w0 = lin.row(0), w1 = lin.row(1);
            w = new double[d];
            for (int k = 0; k < d; k++) w[k] = w1[k] - w0[k];
            model = lin.classifier();
        }
        Tensor z = model.logits(x);
        int[] y = z.argmax(1).toIntArray();
        double[] zz = z.toDoubleArray();
        double[][] wd = new double[n][d];
        double[] margin = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) wd[i][k] = y[i] == 1 ? -w[k] : w[k];
            margin[i] = Math.abs(zz[2 * i + 1] - zz[2 * i]);
        }
        return new Binary(model, wd, margin);
    }

    @Test
    void onLinearModelsApgdReachesTheExactOptimumAndItsLoss() {
        Tensor x = LinearModels.midBox(6, DType.FLOAT64, 6, 12);
        for (boolean oneLogit : new boolean[] {true, false}) {
            Binary b = binary(oneLogit, x);
            Tensor y = b.model().logits(x).argmax(1);
            for (Norm norm : new Norm[] {Norm.LINF, Norm.L2}) {
                double eps = norm == Norm.LINF ? 0.02 : 0.1;
                String what = (oneLogit ? "one-logit " : "two-class ") + norm.label();
                AutoPgd apgd = (AutoPgd) Attacks.create("apgd", Map.of("norm", norm.label()));
                AttackResult r = apgd.run(b.model(), x, y, ThreatModel.of(norm, eps), Goal.UNTARGETED, new Generator(3));
                double[] adv = r.adversarial().toDoubleArray(), x0 = x.toDoubleArray();
                double[] ce = F.crossEntropy(b.model().logits(r.adversarial()), y, 0.0, Loss.Reduction.NONE).toDoubleArray();
                for (int i = 0; i < 6; i++) {
                    double[] wd = b.wd()[i];
                    double dual = 0;
                    for (double v : wd) dual += norm == Norm.LINF ? Math.abs(v) : v * v;
                    if (norm == Norm.L2) dual = Math.sqrt(dual);
                    for (int k = 0; k < 12; k++) {
                        double opt = norm == Norm.LINF ? x0[i * 12 + k] + eps * Math.signum(wd[k]) : x0[i * 12 + k] + eps * wd[k] / dual;
                        assertEquals(Math.min(Math.max(opt, 0), 1), adv[i * 12 + k], 1e-5, what + " sample " + i + " feature " + k);
                    }
                    // the margin falls by eps times the dual norm: cross-entropy log(1 + exp(-(m - eps ||w||_*)))
                    double best = Math.log1p(Math.exp(-(b.margin()[i] - eps * dual)));
                    assertEquals(best, ce[i], 1e-6 * Math.max(1, best), what + " sample " + i + ": the closed-form maximum of the loss");
                }
            }
        }
    }

    @Test
    void atTheLinfCornerTheLossStopsRisingSoEveryCheckpointHalvesTheStep() {
        // after its first step L-inf APGD sits at the corner x0 + eps sign(w): no later step raises the loss, so at
        // each checkpoint at most rho of the steps did (condition 1) and the step halves from 2 eps every time
        Tensor x = LinearModels.midBox(6, DType.FLOAT64, 6, 12);
        Binary b = binary(false, x);
        Tensor y = b.model().logits(x).argmax(1);
        double eps = 0.02;
        AutoPgd apgd = (AutoPgd) Attacks.create("apgd", Map.of());
        apgd.run(b.model(), x, y, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(3));
        double[][] steps = apgd.lastStepSizes();
        assertEquals(8, steps.length, "one row per checkpoint of 100 steps");
        for (int c = 0; c < steps.length; c++)
            for (double s : steps[c]) assertEquals(2 * eps / Math.pow(2, c + 1), s, 1e-15, "after checkpoint " + c);
    }

    // ---- the trained MLP: at least as strong as PGD-40

    @Test
    void apgdApgdDlrAndApgdTAreAtLeastAsStrongAsPgd40() {
        double clean = accuracy(testX);
        assertTrue(clean > 0.9, "the model learned the task: " + clean);
        Object[][] cases = {{Norm.LINF, 0.1}, {Norm.L2, 0.8}};
        StringBuilder log = new StringBuilder();
        for (Object[] c : cases) {
            Norm norm = (Norm) c[0];
            ThreatModel t = ThreatModel.of(norm, (double) c[1]);
            double pgd = accuracy(Attacks.create("pgd", Map.of("steps", "40")).run(mlp, testX, testY, t, Goal.UNTARGETED, new Generator(1)).adversarial());
            double ce = accuracy(Attacks.create("apgd").run(mlp, testX, testY, t, Goal.UNTARGETED, new Generator(1)).adversarial());
            double dlr = accuracy(Attacks.create("apgd", Map.of("loss", "dlr")).run(mlp, testX, testY, t, Goal.UNTARGETED, new Generator(1)).adversarial());
            double tgt = accuracy(Attacks.create("apgd-t").run(mlp, testX, testY, t, Goal.UNTARGETED, new Generator(1)).adversarial());
            log.append(String.format(" %s: clean %.3f pgd-40 %.3f apgd-ce %.3f apgd-dlr %.3f apgd-t %.3f;", t, clean, pgd, ce, dlr, tgt));
            assertTrue(pgd > 0.1 && pgd < clean - 0.1, "eps is in the interesting range:" + log);
            assertTrue(ce <= pgd && dlr <= pgd && tgt <= pgd, "APGD at least as strong as PGD-40:" + log);
        }
        System.out.println("AutoPgdTest:" + log);
    }

    @Test
    void l1ApgdBreaksTheModelAndBeatsL1Pgd() {
        ThreatModel t = ThreatModel.of(Norm.L1, 6.0);
        double clean = accuracy(testX);
        double pgd = accuracy(Attacks.create("pgd", Map.of("steps", "40")).run(mlp, testX, testY, t, Goal.UNTARGETED, new Generator(1)).adversarial());
        AttackResult r = Attacks.create("apgd").run(mlp, testX, testY, t, Goal.UNTARGETED, new Generator(1));
        double apgd = accuracy(r.adversarial());
        System.out.printf("AutoPgdTest: %s: clean %.3f pgd-40 %.3f apgd %.3f%n", t, clean, pgd, apgd);
        assertTrue(apgd <= pgd && apgd < clean - 0.2, "L1 APGD: clean " + clean + " pgd-40 " + pgd + " apgd " + apgd);
        for (double v : r.norms().l1()) assertTrue(v <= 6.0 * (1 + 1e-5), "in the L1 ball: " + v);
    }

    // ---- the DLR losses

    @Test
    void dlrLossesEqualTheirClosedFormsAndRefuseTooFewClasses() {
        // logits sorted 4 > 3 > 2 > 1: z_pi1 = 4, z_pi3 = 2, (z_pi3 + z_pi4) / 2 = 1.5
        Tensor z = Tensor.of(new double[] {1, 4, 2, 3, 5, 0, 1, 2}, 2, 4);
        // row 2: 5 > 2 > 1 > 0: z_pi1 = 5, z_pi3 = 1, (z_pi3 + z_pi4) / 2 = 0.5
        Tensor y = Tensor.ofInts(new int[] {0, 0}, 2);
        assertArrayEquals(new double[] {-(1 - 4) / (4 - 2 + 1e-12), -(5 - 2) / (5 - 1 + 1e-12)}, DlrLoss.untargeted(z, y).toDoubleArray(), 1e-12);
        Tensor y2 = Tensor.ofInts(new int[] {1, 3}, 2);
        assertArrayEquals(new double[] {-(4 - 3) / (4 - 2 + 1e-12), -(2 - 5) / (5 - 1 + 1e-12)}, DlrLoss.untargeted(z, y2).toDoubleArray(), 1e-12);
        Tensor t = Tensor.ofInts(new int[] {3, 2}, 2);
        assertArrayEquals(new double[] {-(1 - 3) / (4 - 1.5 + 1e-12), -(5 - 1) / (5 - 0.5 + 1e-12)}, DlrLoss.targeted(z, y, t).toDoubleArray(), 1e-12);
        // invariant to a shift and a positive scale of the logits
        assertArrayEquals(DlrLoss.targeted(z, y, t).toDoubleArray(), DlrLoss.targeted(z.mul(7).add(-3), y, t).toDoubleArray(), 1e-12);
        // the gradient of the targeted loss in the logits, row 1: -(z0 - z3) / (z1 - (z2 + z0) / 2)
        Tensor zv = z.detach().requiresGrad(true);
        Tensor g;
        try (GradMode.Scope s = GradMode.enableGrad()) {
            g = Autograd.grad(DlrLoss.targeted(zv, y, t).slice(0, 0, 1).sum(), zv)[0];
        }
        double den = 2.5, num = -2; // z1 - (z2 + z0) / 2 = 4 - 1.5; z0 - z3 = 1 - 3
        double[] expect = {-1 / den + num / (den * den) * -0.5, num / (den * den), num / (den * den) * -0.5, 1 / den, 0, 0, 0, 0};
        assertArrayEquals(expect, g.toDoubleArray(), 1e-12);

        Tensor three = z.slice(1, 0, 3).contiguous();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DlrLoss.untargeted(three.slice(1, 0, 2).contiguous(), y));
        assertTrue(e.getMessage().contains("at least 3 classes") && e.getMessage().contains("has 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DlrLoss.targeted(three, y, Tensor.ofInts(new int[] {1, 2}, 2)));
        assertTrue(e.getMessage().contains("at least 4 classes") && e.getMessage().contains("has 3"), e.getMessage());

        // through the attacks: a 2-class model refuses dlr, a 3-class model apgd-t's 9 targets and the targeted dlr
        Tensor x = LinearModels.midBox(6, DType.FLOAT64, 4, 12);
        Classifier two = LinearModels.random(5, 2, 12, DType.FLOAT64).classifier(), threeCls = LinearModels.random(5, 3, 12, DType.FLOAT64).classifier();
        ThreatModel tm = ThreatModel.of(Norm.LINF, 0.1);
        Tensor y2c = two.logits(x).argmax(1), y3c = threeCls.logits(x).argmax(1);
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("apgd", Map.of("loss", "dlr")).run(two, x, y2c, tm, Goal.UNTARGETED, new Generator(0)));
        assertTrue(e.getMessage().startsWith("apgd: the DLR loss needs at least 3 classes") && e.getMessage().contains("has 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("apgd-t").run(threeCls, x, y3c, tm, Goal.UNTARGETED, new Generator(0)));
        assertTrue(e.getMessage().contains("targets = 9") && e.getMessage().contains("the model has 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("apgd-t", Map.of("targets", "2")).run(threeCls, x, y3c, tm, Goal.UNTARGETED, new Generator(0)));
        assertTrue(e.getMessage().contains("targeted DLR loss needs at least 4 classes"), e.getMessage());
        // with ce the 3-class model is fine
        assertEquals(4, Attacks.create("apgd-t", Map.of("targets", "2", "loss", "ce", "steps", "5")).run(threeCls, x, y3c, tm, Goal.UNTARGETED, new Generator(0))
                .adversarial().size(0));
    }

    // ---- schedule, calls, determinism, options

    @Test
    void checkpointsFollowTheFormulaOfCroceAndHein() {
        // by hand: p = 0, 0.22, 0.41 (+0.19), 0.57 (+0.16), 0.70 (+0.13), 0.80 (+0.10), 0.87 (+0.07), 0.93 (+0.06),
        // 0.99 (+0.06), then 1.05 > 1; w_j = ceil(p_j 100)
        assertArrayEquals(new int[] {22, 41, 57, 70, 80, 87, 93, 99}, AutoPgd.checkpoints(100));
        for (int steps : new int[] {100, 200, 1000}) {
            java.util.List<Integer> expect = new java.util.ArrayList<>();
            int prev = 0, p = 22; // hundredths
            while (p <= 100) {
                expect.add((int) Math.ceil(p * steps / 100.0));
                int next = p + Math.max(p - prev - 3, 6);
                prev = p;
                p = next;
            }
            assertArrayEquals(expect.stream().mapToInt(Integer::intValue).toArray(), AutoPgd.checkpoints(steps), "steps " + steps);
        }
        assertArrayEquals(new int[] {1}, AutoPgd.checkpoints(1));
        assertEquals(4, AutoPgd.l1Period(100));
        assertEquals(1, AutoPgd.l1Period(10));
    }

    @Test
    void sameSeedSameBatchAndStepsPlusOneModelCallsPerRestart() {
        LinearModels.Linear lin = LinearModels.random(8, 4, 12, DType.FLOAT64);
        Tensor x = LinearModels.midBox(9, DType.FLOAT64, 5, 12);
        Classifier model = lin.classifier();
        Tensor y = model.logits(x).argmax(1);
        ThreatModel tiny = ThreatModel.of(Norm.L2, 1e-4); // breaks nothing: every restart and target runs on every sample
        Object[][] cases = { // options, model calls inside perturb (the clean pass + runs * (steps + 1) * eot)
                {Map.of("steps", "10", "restarts", "3"), 1 + 3 * 11},
                {Map.of("steps", "10", "restarts", "2", "eot-iter", "2"), 1 + 2 * 11 * 2},
                {Map.of("steps", "7", "loss", "ce"), 1 + 8},
                {Map.of("steps", "7", "targets", "3"), 1 + 3 * 8}};
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked") Map<String, String> o = (Map<String, String>) c[0];
            String name = o.containsKey("targets") ? "apgd-t" : "apgd";
            Attack a = Attacks.create(name, o);
            AttackResult r = a.run(model, x, y, tiny, Goal.UNTARGETED, new Generator(4));
            assertEquals((int) c[1] + 1, r.modelCalls(), name + " " + o + ": calls, and one more for the final success check");
            int runs = ((int) c[1] - 1) / (Integer.parseInt(o.get("steps")) + 1) / Integer.parseInt(o.getOrDefault("eot-iter", "1"));
            for (int it : r.iterations()) assertEquals(runs * Integer.parseInt(o.get("steps")), it, name + " " + o);
            for (boolean s : r.success()) assertFalse(s);
            AttackResult again = a.run(model, x, y, tiny, Goal.UNTARGETED, new Generator(4));
            assertArrayEquals(r.adversarial().toDoubleArray(), again.adversarial().toDoubleArray(), 0, name + " " + o + ": same seed, same batch");
        }
        // a ball that breaks every sample in the first run: the restarts are skipped
        AttackResult big = Attacks.create("apgd", Map.of("steps", "10", "restarts", "3")).run(model, x, y, ThreatModel.of(Norm.LINF, 0.5), Goal.UNTARGETED, new Generator(4));
        for (boolean s : big.success()) assertTrue(s);
        assertEquals(1 + 11 + 1, big.modelCalls());
        // the random start follows the seed: the MLP's best points differ between seeds after 3 steps
        ThreatModel t = ThreatModel.of(Norm.LINF, 0.02);
        Attack a = Attacks.create("apgd", Map.of("steps", "3"));
        double[] s1 = a.run(mlp, testX.slice(0, 0, 8), testY.slice(0, 0, 8), t, Goal.UNTARGETED, new Generator(1)).adversarial().toDoubleArray();
        double[] s1b = a.run(mlp, testX.slice(0, 0, 8), testY.slice(0, 0, 8), t, Goal.UNTARGETED, new Generator(1)).adversarial().toDoubleArray();
        double[] s2 = a.run(mlp, testX.slice(0, 0, 8), testY.slice(0, 0, 8), t, Goal.UNTARGETED, new Generator(2)).adversarial().toDoubleArray();
        assertArrayEquals(s1, s1b, 0);
        assertFalse(java.util.Arrays.equals(s1, s2));
    }

    @Test
    void aTargetedGoalUsesTheTargetedLossTowardTheGivenClasses() {
        LinearModels.Linear lin = LinearModels.random(8, 5, 12, DType.FLOAT64);
        Tensor x = LinearModels.midBox(9, DType.FLOAT64, 6, 12);
        Classifier model = lin.classifier();
        int[] yy = model.logits(x).argmax(1).toIntArray(), tt = new int[6];
        for (int i = 0; i < 6; i++) tt[i] = (yy[i] + 1 + i % 4) % 5;
        Tensor y = Tensor.ofInts(yy, 6), targets = Tensor.ofInts(tt, 6);
        for (String loss : new String[] {"ce", "dlr"}) {
            for (String name : new String[] {"apgd", "apgd-t"}) {
                AttackResult r = Attacks.create(name, Map.of("loss", loss, "steps", "30")).run(model, x, y, ThreatModel.of(Norm.LINF, 0.5), Goal.targeted(targets), new Generator(2));
                assertArrayEquals(tt, model.logits(r.adversarial()).argmax(1).toIntArray(), name + " " + loss + ": every target reached");
            }
        }
    }

    @Test
    void badOptionsNameTheOptionAndValue() {
        Object[][] cases = {{"steps", "0", "steps must be >= 1"}, {"rho", "1.5", "rho must be in [0, 1]"}, {"momentum", "0", "momentum must be in (0, 1]"},
                {"eot-iter", "0", "eot-iter must be >= 1"}, {"targets", "-1", "targets must be >= 0"}, {"loss", "cw", "loss must be one of ce, dlr"},
                {"norm", "l0", "linf, l2 or l1"}, {"restarts", "0", "restarts must be >= 1"}};
        for (Object[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("apgd", Map.of((String) c[0], (String) c[1])));
            assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
        }
        AutoPgd t = (AutoPgd) Attacks.create("apgd-t");
        assertEquals(new AutoPgd.Config(null, AutoPgd.Objective.DLR, 100, 1, 0.75, 0.75, 1, 9), t.config());
        assertEquals(new AutoPgd.Config(null, AutoPgd.Objective.CE, 100, 1, 0.75, 0.75, 1, 0), ((AutoPgd) Attacks.create("apgd")).config());
        assertEquals("apgd-t", t.name());
        assertEquals("apgd-l2", Attacks.create("apgd", Map.of("norm", "l2")).name());
    }

    // ---- the L1 variant's projection

    @Test
    void theL1BallAndBoxProjectionIsExact() {
        Generator g = new Generator(30);
        int n = 6, d = 40;
        Tensor x0 = Tensor.rand(g, DType.FLOAT64, n, d);
        x0 = Tensor.where(x0.lt(0.15), x0.zerosLike(), x0); // some features on the box's lower face
        Tensor dd = Tensor.randn(g, DType.FLOAT64, n, d).mul(0.4);
        double[] xs = x0.toDoubleArray(), ds = dd.toDoubleArray();
        for (double eps : new double[] {0.5, 3, 8, 40}) {
            double[] got = AutoPgd.projectL1Box(x0, dd, eps, 0, 1).toDoubleArray();
            for (int i = 0; i < n; i++) {
                // reference: bisection on lambda of sum_k clamp(|d_k| - lambda, 0, room_k) = eps, in double
                double[] room = new double[d];
                double inBox = 0;
                for (int k = 0; k < d; k++) {
                    double v = ds[i * d + k], x = xs[i * d + k];
                    room[k] = v > 0 ? 1 - x : v < 0 ? x : 0;
                    inBox += Math.min(Math.abs(v), room[k]);
                }
                double lambda = 0;
                if (inBox > eps) {
                    double lo = 0, hi = 10;
                    for (int it = 0; it < 200; it++) {
                        double mid = (lo + hi) / 2, s = 0;
                        for (int k = 0; k < d; k++) s += Math.min(Math.max(Math.abs(ds[i * d + k]) - mid, 0), room[k]);
                        if (s > eps) lo = mid;
                        else hi = mid;
                    }
                    lambda = (lo + hi) / 2;
                }
                double l1 = 0;
                for (int k = 0; k < d; k++) {
                    double v = ds[i * d + k];
                    double expect = Math.signum(v) * Math.min(Math.max(Math.abs(v) - lambda, 0), room[k]);
                    assertEquals(expect, got[i * d + k], 1e-12, "eps " + eps + " sample " + i + " feature " + k);
                    double p = xs[i * d + k] + got[i * d + k];
                    assertTrue(p >= -1e-15 && p <= 1 + 1e-15, "in the box");
                    l1 += Math.abs(got[i * d + k]);
                }
                assertEquals(Math.min(eps, inBox), l1, 1e-10, "eps " + eps + " sample " + i + ": on the sphere unless the box alone binds");
            }
        }
        // float32 stays accurate at MNIST size
        Tensor xf = Tensor.rand(g, DType.FLOAT32, 2, 784), df = Tensor.randn(g, DType.FLOAT32, 2, 784);
        for (double v : F.l1Norm(AutoPgd.projectL1Box(xf, df, 10, 0, 1)).toDoubleArray()) assertEquals(10, v, 1e-4);
    }

    @Test
    void apgdTAttacksTheMostLikelyOtherClassesFirst() {
        // with one target and a ball too small to break anything, APGD-T returns the best point of the targeted
        // loss toward the runner-up class by clean logit: exactly what a targeted goal toward it gives, same seed
        LinearModels.Linear lin = LinearModels.random(8, 6, 12, DType.FLOAT64);
        Tensor x = LinearModels.midBox(9, DType.FLOAT64, 8, 12);
        Classifier model = lin.classifier();
        Tensor z = model.logits(x);
        Tensor y = z.argmax(1);
        int[] second = new int[8], third = new int[8];
        int[] order = z.argsort(1, true).toIntArray();
        for (int i = 0; i < 8; i++) {
            second[i] = order[i * 6 + 1];
            third[i] = order[i * 6 + 2];
        }
        ThreatModel t = ThreatModel.of(Norm.L2, 1e-3);
        Map<String, String> o = Map.of("targets", "1", "steps", "20");
        AttackResult r = Attacks.create("apgd-t", o).run(model, x, y, t, Goal.UNTARGETED, new Generator(1));
        for (boolean s : r.success()) assertFalse(s);
        double[] toSecond = Attacks.create("apgd", Map.of("loss", "dlr", "steps", "20")).run(model, x, y, t, Goal.targeted(Tensor.ofInts(second, 8)), new Generator(1))
                .adversarial().toDoubleArray();
        double[] toThird = Attacks.create("apgd", Map.of("loss", "dlr", "steps", "20")).run(model, x, y, t, Goal.targeted(Tensor.ofInts(third, 8)), new Generator(1))
                .adversarial().toDoubleArray();
        assertArrayEquals(toSecond, r.adversarial().toDoubleArray(), 0);
        assertFalse(java.util.Arrays.equals(toThird, r.adversarial().toDoubleArray()));
    }
}

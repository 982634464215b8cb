package dev.brink.robust.train;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Batch;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.eval.AttackSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Known answers on linear models, the delayed start, loss lowering and option errors of the adversarial objectives. */
class AdversarialObjectivesTest {
    @TempDir
    Path tmp;

    static ObjectiveSetup attack(String spec) {
        return new ObjectiveSetup(AttackSpec.parse(spec));
    }

    /** flatten - linear 36 -> k in float64 with weights w [k*36] and biases b [k]. */
    static SpecModel linear(int k, double[] w, double[] b) {
        SpecModel m = ModelSpec.build("{\"input\":[1,6,6],\"layers\":[{\"type\":\"flatten\"},{\"type\":\"linear\",\"out\":" + k + "}]}", new Generator(1));
        m.to(DType.FLOAT64);
        try (GradMode.Scope s = GradMode.noGrad()) {
            m.trainableParameters().get("layers.1.weight").assign(Tensor.of(w, k, 36));
            m.trainableParameters().get("layers.1.bias").assign(Tensor.of(b, k));
        }
        return m.train() instanceof SpecModel sm ? sm : m;
    }

    static double[] seeded(long seed, int n, double lo, double hi) {
        double[] u = Tensor.rand(new Generator(seed), DType.FLOAT64, n).toDoubleArray();
        for (int i = 0; i < n; i++) u[i] = lo + (hi - lo) * u[i];
        return u;
    }

    static double softplus(double z) {
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    @Test
    void fgsmAtOnLogisticRegressionIsTheClosedForm() {
        int n = 8, d = 36;
        double eps = 0.2, alpha = 0.3;
        double[] w = seeded(1, d, -1, 1), bias = {0.1};
        double[] x = seeded(2, n * d, 0, 1); // near the box faces too: the closed form clips
        int[] y = {0, 1, 1, 0, 1, 0, 0, 1};
        SpecModel m = linear(1, w, bias);
        Batch batch = new Batch(Tensor.of(x, n, 1, 6, 6), Tensor.ofInts(y, n), new int[n]);
        for (boolean predicted : new boolean[] {false, true}) {
            FgsmAdversarialTraining o = (FgsmAdversarialTraining) Objectives.parse("fgsm-at:alpha=" + alpha + (predicted ? ",labels=predicted" : ""),
                    attack("fgsm:eps=" + eps));
            double[] adv = new double[n * d];
            int[] craft = new int[n];
            double want = 0;
            for (int i = 0; i < n; i++) {
                double z = bias[0];
                for (int j = 0; j < d; j++) z += w[j] * x[i * d + j];
                craft[i] = predicted ? (z > 0 ? 1 : 0) : y[i];
                double za = bias[0];
                for (int j = 0; j < d; j++) {
                    // the loss rises by moving against the crafting label's side: x - eps (2y - 1) sign(w), in the box
                    double a = Math.min(1, Math.max(0, x[i * d + j] - eps * (2 * craft[i] - 1) * Math.signum(w[j])));
                    adv[i * d + j] = a;
                    za += w[j] * a;
                }
                want += alpha * (softplus(z) - y[i] * z) + (1 - alpha) * (softplus(za) - y[i] * za);
            }
            want /= n;
            Tensor got = o.inner().craft(m, batch.x(), Tensor.ofInts(craft, n), new Generator(0));
            assertArrayEquals(adv, got.toDoubleArray(), 1e-15, "adversarial example, predicted=" + predicted);
            assertEquals(want, o.apply(m, batch, ObjectiveTestKit.context(0)).loss().item(), 1e-13, "loss, predicted=" + predicted);
            assertTrue(m.isTraining());
        }
    }

    @Test
    void robustOptimizationAscentStepIsTheClosedFormPerNorm() {
        int n = 4, d = 36, k = 3;
        double eps = 0.2;
        double[] w = seeded(3, k * d, -1, 1), b = {0.1, -0.2, 0.05};
        double[] x = seeded(4, n * d, 0.3, 0.7); // interior: the box never binds for eps 0.2
        int[] y = {0, 1, 2, 1};
        SpecModel m = linear(k, w, b);
        Batch batch = new Batch(Tensor.of(x, n, 1, 6, 6), Tensor.ofInts(y, n), new int[n]);
        for (String norm : List.of("linf", "l2", "l1")) {
            RobustOptimization o = (RobustOptimization) Objectives.parse("robust-optimization:norm=" + norm + ",eps=" + eps, ObjectiveSetup.NONE);
            double[] want = new double[n * d];
            double loss = 0;
            for (int i = 0; i < n; i++) {
                double[] p = softmax(logits(w, b, x, i, k, d));
                double[] g = new double[d];
                for (int j = 0; j < d; j++)
                    for (int c = 0; c < k; c++) g[j] += w[c * d + j] * (p[c] - (c == y[i] ? 1 : 0));
                double l2 = 0;
                int top = 0;
                for (int j = 0; j < d; j++) {
                    l2 += g[j] * g[j];
                    if (Math.abs(g[j]) > Math.abs(g[top])) top = j;
                }
                l2 = Math.sqrt(l2);
                for (int j = 0; j < d; j++) {
                    double step = switch (norm) {
                        case "linf" -> eps * Math.signum(g[j]);
                        case "l2" -> eps * g[j] / l2;
                        default -> j == top ? eps * Math.signum(g[j]) : 0;
                    };
                    want[i * d + j] = x[i * d + j] + step;
                }
                double[] za = logits(w, b, want, i, k, d);
                double lse = Math.log(sumExp(za));
                loss += lse - za[y[i]];
            }
            loss /= n;
            assertArrayEquals(want, o.inner().craft(m, batch.x(), batch.y(), new Generator(0)).toDoubleArray(), 1e-14, norm);
            assertEquals(loss, o.apply(m, batch, ObjectiveTestKit.context(0)).loss().item(), 1e-13, norm);
        }
    }

    static double[] logits(double[] w, double[] b, double[] x, int i, int k, int d) {
        double[] z = b.clone();
        for (int c = 0; c < k; c++) for (int j = 0; j < d; j++) z[c] += w[c * d + j] * x[i * d + j];
        return z;
    }

    static double sumExp(double[] z) {
        double s = 0;
        for (double v : z) s += Math.exp(v);
        return s;
    }

    static double[] softmax(double[] z) {
        double s = sumExp(z);
        double[] p = new double[z.length];
        for (int c = 0; c < z.length; c++) p[c] = Math.exp(z[c]) / s;
        return p;
    }

    @Test
    void delayedStartTrainsCleanInEarlyEpochs() {
        SpecModel m = ObjectiveTestKit.tinyConvNet(3, DType.FLOAT64);
        Batch b = ObjectiveTestKit.tinyBatch(6, 1, DType.FLOAT64);
        Objective pgd = Objectives.parse("pgd-at:clean-epochs=2", attack("pgd:eps=0.1,steps=3"));
        double ce = Objectives.parse("cross-entropy", ObjectiveSetup.NONE).apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        Generator g = new Generator(5);
        for (int epoch = 0; epoch < 2; epoch++) {
            Objective.Outcome o = pgd.apply(m, b, new TrainingContext(epoch, 5, 0, 1, 1, g));
            assertEquals(ce, o.loss().item(), 0.0, "epoch " + epoch);
            assertTrue(o.logits() != null);
        }
        assertEquals(0, g.counter(), "no random numbers drawn during the clean epochs");
        double adv = pgd.apply(m, b, new TrainingContext(2, 5, 0, 1, 1, g)).loss().item();
        assertTrue(adv > ce, "epoch 2 trains on PGD examples: " + adv + " > " + ce);
    }

    @Test
    void mixedTrainingAlsoHasADelayedStart() {
        SpecModel m = ObjectiveTestKit.tinyConvNet(3, DType.FLOAT64);
        Batch b = ObjectiveTestKit.tinyBatch(6, 1, DType.FLOAT64);
        Objective mixed = Objectives.parse("mixed-at:clean-epochs=1,linf-eps=0.1,l2-eps=1", attack("pgd:steps=3"));
        double ce = Objectives.parse("cross-entropy", ObjectiveSetup.NONE).apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        Generator g = new Generator(5);
        assertEquals(ce, mixed.apply(m, b, new TrainingContext(0, 5, 0, 1, 1, g)).loss().item(), 0.0, "epoch 0 is clean");
        assertEquals(0, g.counter(), "no random numbers drawn during the clean epoch");
        for (int step = 0; step < 2; step++) {
            double adv = mixed.apply(m, b, new TrainingContext(1, 5, step, 1, 1, g)).loss().item();
            assertTrue(adv > ce, "epoch 1, step " + step + " trains on PGD examples: " + adv + " > " + ce);
        }
        assertThrows(IllegalArgumentException.class, () -> Objectives.parse("mixed-at:clean-epochs=-1", attack("pgd:steps=3")));
    }

    @Test
    void innerAttackDrawsFromTheRunsGeneratorAndRestoresTrainMode() {
        SpecModel m = ObjectiveTestKit.tinyConvNet(3, DType.FLOAT64);
        Batch b = ObjectiveTestKit.tinyBatch(6, 1, DType.FLOAT64);
        Objective pgd = Objectives.parse("pgd-at", attack("pgd:eps=0.1,steps=3"));
        double l1 = pgd.apply(m, b, ObjectiveTestKit.context(9)).loss().item();
        double l2 = pgd.apply(m, b, ObjectiveTestKit.context(9)).loss().item();
        double l3 = pgd.apply(m, b, ObjectiveTestKit.context(10)).loss().item();
        assertEquals(l1, l2, 0.0, "same generator seed, same random start");
        assertNotEquals(l1, l3, "another seed, another random start");
        assertTrue(m.isTraining());
        m.eval();
        pgd.apply(m, b, ObjectiveTestKit.context(9));
        assertTrue(!m.isTraining(), "a model in eval mode stays in eval mode");
    }

    @Test
    void mixedAtAlternatesNormsByStepAndEnsembleRotatesSources() throws Exception {
        MixedAdversarialTraining mixed = (MixedAdversarialTraining) Objectives.parse("mixed-at", ObjectiveSetup.NONE);
        assertEquals(dev.brink.robust.attack.Norm.LINF, mixed.threatAt(0).norm());
        assertEquals(0.3, mixed.threatAt(0).eps());
        assertEquals(dev.brink.robust.attack.Norm.L2, mixed.threatAt(7).norm());
        assertEquals(4.0, mixed.threatAt(7).eps());
        Path a = saveTiny(21), c = saveTiny(22);
        EnsembleAdversarialTraining e = (EnsembleAdversarialTraining) Objectives.parse("ensemble-at:models=" + a + ";" + c, ObjectiveSetup.NONE);
        assertArrayEquals(new int[] {0, 1, 2, 0, 1}, new int[] {e.sourceAt(0), e.sourceAt(1), e.sourceAt(2), e.sourceAt(3), e.sourceAt(4)});
    }

    /** Li et al.'s Mix for the objectives with one inner attack: the ball alternates with the optimizer step. */
    @Test
    void mixAlternatesTheBallByOptimizerStep() throws Exception {
        ObjectiveSetup linf = attack("pgd:norm=linf,eps=0.3,steps=10,early-stop=false");
        ObjectiveSetup ascent = attack("pgd:norm=linf,eps=0.3,steps=10"); // TRADES takes no early-stop option
        TrainingContext even = step(0), odd = step(1);
        TradesObjective t = (TradesObjective) Objectives.parse("trades:beta=1,mix=l2:4.0", ascent);
        assertEquals(new ThreatModel(Norm.LINF, 0.3, 0, 1), t.innerAt(even).threat());
        assertEquals(new ThreatModel(Norm.L2, 4.0, 0, 1), t.innerAt(odd).threat());
        assertEquals(2.5 / 10 * 0.3, t.innerAt(even).step(), 1e-15, "rel-step default scales with each ball's eps");
        assertEquals(2.5 / 10 * 4.0, t.innerAt(odd).step(), 1e-15);
        assertEquals(10, t.innerAt(odd).steps());
        Atda a = (Atda) Objectives.parse("atda:mix=l2:4.0", linf);
        assertEquals(Norm.LINF, a.innerAt(even).threat().norm());
        assertEquals(new ThreatModel(Norm.L2, 4.0, 0, 1), a.innerAt(odd).threat());
        assertEquals("pgd", a.innerAt(odd).spec().name());
        assertEquals("false", a.innerAt(odd).spec().options().get("early-stop"), "the second ball keeps the attack's options");
        EnsembleAdversarialTraining e = (EnsembleAdversarialTraining) Objectives.parse("ensemble-at:mix=l2:4.0,models=" + saveTiny(24), linf);
        Norm[] norms = new Norm[4];
        for (int s = 0; s < 4; s++) norms[s] = e.innerAt(s).threat().norm();
        assertArrayEquals(new Norm[] {Norm.LINF, Norm.LINF, Norm.L2, Norm.L2}, norms, "one round of sources (own, static) per ball");
        // without mix: one ball on every step
        assertEquals(Norm.LINF, ((Atda) Objectives.parse("atda", linf)).innerAt(odd).threat().norm());
        assertEquals(Norm.LINF, ((TradesObjective) Objectives.parse("trades", ascent)).innerAt(odd).threat().norm());
        // odd steps train on L2 examples end to end
        SpecModel m = ObjectiveTestKit.tinyConvNet(25, DType.FLOAT64);
        Batch b = ObjectiveTestKit.tinyBatch(6, 26, DType.FLOAT64);
        for (Objective o : new Objective[] {t, a})
            assertTrue(Double.isFinite(o.apply(ObjectiveTestKit.asModule(m), b, odd).loss().item()), o.toString());
        for (String bad : new String[] {"l2", "l3:1", "l2:0", "l2:-1", "l2:x"}) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Objectives.parse("atda:mix=" + bad, linf), bad);
            assertTrue(ex.getMessage().contains("mix"), ex.getMessage());
        }
    }

    private static TrainingContext step(long step) {
        return new TrainingContext(0, 1, step, 1e-3, 1e-3, new Generator(3));
    }

    Path saveTiny(long seed) throws Exception {
        SpecModel s = ObjectiveTestKit.tinyConvNet(seed, DType.FLOAT32);
        Path f = tmp.resolve("static-" + seed + ".safetensors");
        ModelFile.save(f, s.stateDict(), new ModelInfo(s.specJson(), "tiny"));
        return f;
    }

    @Test
    void eachObjectiveLowersItsLoss() throws Exception {
        ObjectiveSetup fgsm = attack("fgsm:eps=0.05");
        ObjectiveTestKit.assertLowersItsLoss("fgsm-at", Objectives.parse("fgsm-at", fgsm), 30, 0.5);
        ObjectiveTestKit.assertLowersItsLoss("fgsm-at predicted", Objectives.parse("fgsm-at:labels=predicted,alpha=0.2", fgsm), 30, 0.5);
        for (String norm : List.of("linf", "l2", "l1"))
            ObjectiveTestKit.assertLowersItsLoss("robust-optimization " + norm,
                    Objectives.parse("robust-optimization:norm=" + norm + ",eps=" + (norm.equals("linf") ? 0.05 : 0.3), ObjectiveSetup.NONE), 30, 0.5);
        ObjectiveTestKit.assertLowersItsLoss("pgd-at", Objectives.parse("pgd-at", attack("pgd:eps=0.05,steps=3,early-stop=false")), 30, 0.5);
        ObjectiveTestKit.assertLowersItsLoss("mixed-at", Objectives.parse("mixed-at:linf-eps=0.05,l2-eps=0.3", attack("pgd:steps=3,early-stop=false")), 30, 0.5);
        ObjectiveTestKit.assertLowersItsLoss("ensemble-at", Objectives.parse("ensemble-at:models=" + saveTiny(23), fgsm), 30, 0.5);
        ObjectiveTestKit.assertLowersItsLoss("atda", Objectives.parse("atda", fgsm), 30, 0.5);
    }

    @Test
    void defaultsAndErrors() {
        assertEquals("fgsm", ((FgsmAdversarialTraining) Objectives.parse("fgsm-at", ObjectiveSetup.NONE)).inner().attack().name());
        assertEquals(0.25, ((FgsmAdversarialTraining) Objectives.parse("fgsm-at", ObjectiveSetup.NONE)).inner().threat().eps());
        PgdAdversarialTraining p = (PgdAdversarialTraining) Objectives.parse("pgd-at", ObjectiveSetup.NONE);
        assertEquals(0.3, p.inner().threat().eps());
        assertEquals(dev.brink.robust.attack.Norm.LINF, p.inner().threat().norm());
        assertEquals("fgm-l1", ((RobustOptimization) Objectives.parse("robust-optimization:norm=l1", ObjectiveSetup.NONE)).inner().attack().name());
        assertEquals(1.0, ((RobustOptimization) Objectives.parse("robust-optimization:norm=l2", ObjectiveSetup.NONE)).inner().threat().eps());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Objectives.parse("ensemble-at", ObjectiveSetup.NONE));
        assertTrue(e.getMessage().contains("models"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Objectives.parse("fgsm-at:labels=mine", ObjectiveSetup.NONE));
        assertTrue(e.getMessage().contains("labels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Objectives.parse("pgd-at", attack("pgd:steps=3")));
        assertTrue(e.getMessage().contains("eps"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Objectives.parse("mixed-at", attack("fgsm:eps=0.1")));
        for (String n : List.of("fgsm-at", "robust-optimization", "pgd-at", "mixed-at", "ensemble-at", "atda"))
            assertTrue(Objectives.names().contains(n), n);
        assertTrue(Objectives.help().contains("clean-epochs"));
    }
}

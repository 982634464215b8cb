package dev.brink.robust.autoattack;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Goal;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The AutoAttack runner with registry attacks (a custom list), on a 10-class linear model over 1x6x6 inputs:
 * the worst case per point, each attack only on points still standing, checkpoints and resume giving the same
 * numbers, and the reference's sanity warnings.
 */
class AutoAttackTest {
    static final int N = 60;
    static final Tensor W = Tensor.randn(new Generator(7), DType.FLOAT32, 10, 36).mul(0.5);
    static final Tensor B = Tensor.randn(new Generator(8), DType.FLOAT32, 10).mul(0.1);
    static final Tensor X = Tensor.rand(new Generator(9), DType.FLOAT32, N, 1, 6, 6).mul(0.4).add(0.3);

    static Classifier linear() {
        return new Classifier(x -> x.reshape(x.size(0), -1).matmul(W.transpose(0, 1)).add(B));
    }

    /** Labels: the model's own prediction, except every fifth point (misclassified on purpose). */
    static Tensor labels() {
        int[] p = linear().logits(X).argmax(1).toIntArray();
        for (int i = 0; i < p.length; i += 5) p[i] = (p[i] + 1) % 10;
        return Tensor.ofInts(p, p.length);
    }

    static AutoAttack.Config custom(double eps, int batch, String... attacks) {
        return new AutoAttack.Config(Norm.LINF, eps, 3, batch, AutoAttackVersion.CUSTOM, AutoAttackVersion.custom(List.of(attacks)));
    }

    @Test
    void robustAccuracyIsTheWorstCaseAndLaterAttacksOnlySeeSurvivors() throws IOException {
        Tensor y = labels();
        AutoAttack.Result r = AutoAttack.run(linear(), X, y, null, custom(0.03, 16, "fgsm", "pgd:steps=20"), null, AutoAttack.Listener.NONE);
        AutoAttackState s = r.state();
        assertEquals(48 / 60.0, r.cleanAccuracy(), 1e-12);
        List<AutoAttack.AttackStats> a = r.attacks();
        assertEquals(48, a.get(0).attacked(), "fgsm attacks every correctly classified point");
        assertEquals(48 - a.get(0).broken(), a.get(1).attacked(), "pgd attacks only what fgsm left standing");
        assertTrue(a.get(0).broken() > 0 && a.get(1).attacked() > 0, "eps must split the points: " + a);
        assertEquals(s.robustCount() / 60.0, r.robustAccuracy(), 1e-12);
        assertEquals(a.get(1).robustAccuracyAfter(), r.robustAccuracy(), 1e-12);
        // every point broken has an adversarial point that the model misclassifies, within eps
        Tensor adv = r.adversarial();
        int[] pred = linear().logits(adv).argmax(1).toIntArray(), lab = y.toIntArray();
        double[] linf = F.linfNorm(adv.sub(X)).toDoubleArray();
        for (int i = 0; i < N; i++) {
            assertTrue(linf[i] <= 0.03 + 1e-6, "point " + i + " moved " + linf[i]);
            if (s.brokenBy[i] >= 0) assertNotEquals(lab[i], pred[i], "point " + i + " broken by " + s.brokenBy[i]);
            else assertEquals(0, linf[i], "an unbroken point keeps its clean input");
            if (!s.cleanCorrect(i)) assertEquals(0, s.done[i], "a misclassified point is never attacked");
        }
        // no point survives that PGD alone (same settings) breaks from scratch more often than chance: worst case <= each alone
        double pgdAlone = accuracyUnder("pgd", Map.of("steps", "20"), y, 0.03);
        double fgsmAlone = accuracyUnder("fgsm", Map.of(), y, 0.03);
        assertTrue(r.robustAccuracy() <= fgsmAlone + 1e-12, r.robustAccuracy() + " vs fgsm " + fgsmAlone);
        assertTrue(r.robustAccuracy() <= pgdAlone + 2.0 / N, r.robustAccuracy() + " vs pgd " + pgdAlone);
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    }

    static double accuracyUnder(String attack, Map<String, String> opts, Tensor y, double eps) {
        var res = Attacks.create(attack, opts).run(linear(), X, y, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(3));
        int[] p = linear().logits(res.adversarial()).argmax(1).toIntArray(), lab = y.toIntArray();
        int c = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == lab[i]) c++;
        return c / (double) p.length;
    }

    @Test
    void sameSeedSameResultsAndAnInterruptedRunResumesToTheSameNumbers(@TempDir Path dir) throws IOException {
        Tensor y = labels();
        AutoAttack.Config cfg = custom(0.03, 8, "pgd:steps=10,restarts=2", "pgd:steps=20,loss=cw");
        AutoAttack.Result full = AutoAttack.run(linear(), X, y, null, cfg, null, AutoAttack.Listener.NONE);
        AutoAttack.Result again = AutoAttack.run(linear(), X, y, null, cfg, null, AutoAttack.Listener.NONE);
        assertArrayEquals(full.state().brokenBy, again.state().brokenBy);
        assertArrayEquals(full.state().adversarial, again.state().adversarial);

        AutoAttackFiles files = new AutoAttackFiles(dir, Map.of("model", "linear"), cfg, X.shape());
        int[] writes = {0};
        AutoAttack.Listener killedAfterThree = new AutoAttack.Listener() {
            @Override
            public void checkpoint(AutoAttackState s) throws IOException {
                files.write(s, X);
                if (++writes[0] == 3) throw new IOException("killed");
            }
        };
        assertThrows(IOException.class, () -> AutoAttack.run(linear(), X, y, null, cfg, null, killedAfterThree));
        AutoAttackState partial = files.read(X);
        assertFalse(partial.finished(2), "the interrupted run was not finished");
        AutoAttack.Listener writing = new AutoAttack.Listener() {
            @Override
            public void checkpoint(AutoAttackState s) throws IOException {
                files.write(s, X);
            }
        };
        AutoAttack.Result resumed = AutoAttack.run(linear(), X, y, null, cfg, partial, writing);
        assertArrayEquals(full.state().brokenBy, resumed.state().brokenBy);
        assertArrayEquals(full.state().done, resumed.state().done);
        assertArrayEquals(full.state().adversarial, resumed.state().adversarial);
        assertEquals(full.robustAccuracy(), resumed.robustAccuracy());
        assertEquals(full.attacks().get(0).attacked(), resumed.attacks().get(0).attacked(), "per-attack totals survive the resume");
        AutoAttackState reread = files.read(X);
        assertArrayEquals(full.state().brokenBy, reread.brokenBy);
        String csv = Files.readString(files.csv());
        assertTrue(csv.contains(AutoAttackFiles.COLUMNS), csv);

        AutoAttackFiles other = new AutoAttackFiles(dir, Map.of("model", "another"), cfg, X.shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.read(X));
        assertTrue(e.getMessage().contains("model was 'linear', now 'another'"), e.getMessage());
        AutoAttackFiles otherEps = new AutoAttackFiles(dir, Map.of("model", "linear"), custom(0.05, 8, "pgd:steps=10,restarts=2", "pgd:steps=20,loss=cw"), X.shape());
        e = assertThrows(IllegalArgumentException.class, () -> otherEps.read(X));
        assertTrue(e.getMessage().contains("eps was '0.03', now '0.05'"), e.getMessage());
    }

    @Test
    void zeroGradientsOfAQuantizingFirstLayerAreReported() throws IOException {
        // quantize to 4 levels from the detached input; "+ 0 * x" keeps x in the graph with an exactly zero gradient
        Classifier quantized = new Classifier(x -> {
            double[] v = x.detach().toDoubleArray();
            float[] q = new float[v.length];
            for (int i = 0; i < v.length; i++) q[i] = (float) (Math.floor(v[i] * 4) / 4);
            Tensor xq = Tensor.of(q, x.shape()).add(x.mul(0.0));
            return xq.reshape(x.size(0), -1).matmul(W.transpose(0, 1)).add(B);
        });
        int[] p = quantized.logits(X).argmax(1).toIntArray();
        Tensor y = Tensor.ofInts(p, p.length);
        AutoAttack.Result r = AutoAttack.run(quantized, X, y, null, custom(0.05, 32, "pgd:steps=10"), null, AutoAttack.Listener.NONE);
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("zero input gradient")), r.warnings().toString());
    }

    @Test
    void randomizedModelsAndProbabilityOutputsAreReported() throws IOException {
        long[] draws = {0};
        Classifier noisy = new Classifier(x -> linear().logits(x).add(Tensor.randn(new Generator(100 + draws[0]++), DType.FLOAT32, x.size(0), 10).mul(0.5)));
        Tensor y = labels();
        List<String> w = SanityChecks.randomized(noisy, X);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("--version rand"), w.get(0));
        assertTrue(SanityChecks.randomized(linear(), X).isEmpty());

        assertFalse(SanityChecks.probabilityOutputs(linear().logits(X).softmax(1)).isEmpty());
        assertTrue(SanityChecks.probabilityOutputs(linear().logits(X)).isEmpty());
        Classifier softmax = new Classifier(x -> linear().logits(x).softmax(1));
        AutoAttack.Result r = AutoAttack.run(softmax, X, y, null, custom(0.01, 64, "fgsm"), null, AutoAttack.Listener.NONE);
        assertTrue(r.warnings().stream().anyMatch(s -> s.contains("probability distribution")), r.warnings().toString());

        Tensor z = linear().logits(X);
        float[] zz = z.toFloatArray();
        zz[3] = Float.NaN;
        assertTrue(SanityChecks.nonFiniteLogits(Tensor.of(zz, z.shape())).get(0).startsWith("1 of 60 points"));
    }

    @Test
    void squareBeatingTheWhiteBoxAttacksIsReported() {
        List<String> names = List.of("apgd-ce", "apgd-t", "fab-t", "square");
        assertTrue(SanityChecks.squareBeatsWhiteBox(names, new double[] {0.5, 0.45, 0.45, 0.449}).isEmpty(), "0.1 points is within the 0.2 points slack");
        List<String> w = SanityChecks.squareBeatsWhiteBox(names, new double[] {0.5, 0.45, 0.45, 0.40});
        assertEquals(1, w.size());
        assertTrue(w.get(0).contains("5.00%"), w.get(0));
        assertTrue(SanityChecks.squareBeatsWhiteBox(List.of("apgd-ce", "apgd-t"), new double[] {0.5, 0.1}).isEmpty());
    }

    @Test
    void versionsFollowTheReference() {
        assertEquals(List.of("apgd-ce", "apgd-t", "fab-t", "square"), names(AutoAttackVersion.STANDARD.components(Norm.LINF)));
        assertEquals(List.of("apgd-ce", "apgd-t", "fab-t", "square"), names(AutoAttackVersion.STANDARD.components(Norm.L2)));
        assertEquals(List.of("apgd-ce", "apgd-dlr", "fab", "square", "apgd-t", "fab-t"), names(AutoAttackVersion.PLUS.components(Norm.LINF)));
        assertEquals(List.of("apgd-ce", "apgd-dlr"), names(AutoAttackVersion.RAND.components(Norm.LINF)));
        assertTrue(AutoAttackVersion.RAND.components(Norm.LINF).get(0).spec().contains("eot-iter=20"));
        assertTrue(AutoAttackVersion.STANDARD.components(Norm.L1).get(0).spec().contains("restarts=5"));
        assertThrows(IllegalArgumentException.class, () -> AutoAttackVersion.STANDARD.components(Norm.L0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AutoAttackVersion.custom(List.of("fgsm", "fgsm")));
        assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Component("x", "nosuchattack").attack());
        assertTrue(e.getMessage().contains("autoattack component x"), e.getMessage());
    }

    @Test
    void everyVersionsAttacksExistWithTheirOptionsAndRunInTheirNorm() {
        for (AutoAttackVersion v : List.of(AutoAttackVersion.STANDARD, AutoAttackVersion.PLUS, AutoAttackVersion.RAND)) {
            for (Norm n : List.of(Norm.LINF, Norm.L2, Norm.L1)) {
                if (v == AutoAttackVersion.PLUS && n == Norm.L1) continue; // plus has Square, which has no L1 (as the reference warns)
                for (Component c : v.components(n)) {
                    var a = c.attack();
                    assertTrue(a.supportedNorms().contains(n), v.label() + " " + n.label() + ": " + c + " supports " + a.supportedNorms());
                }
            }
        }
    }

    static List<String> names(List<Component> cs) {
        List<String> out = new ArrayList<>();
        for (Component c : cs) out.add(c.name());
        return out;
    }
}

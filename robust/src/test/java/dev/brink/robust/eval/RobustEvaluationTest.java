package dev.brink.robust.eval;

import dev.brink.engine.Tensor;
import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.AttackLoss;
import dev.brink.robust.attack.GradientDescent;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Worst-case robust accuracy on a fake classifier whose per-attack outcomes are known: inputs are [N, 2], the model
 * predicts class 1 where x[:, 0] > 0.5 and class 0 otherwise, and each fake attack moves x[:, 0] of a chosen set of
 * samples across 0.5 (and leaves the others alone).
 */
class RobustEvaluationTest {
    /** Logits (0.5 - x0, x0 - 0.5): class 1 iff x0 > 0.5. */
    static Classifier threshold() {
        return new Classifier(x -> {
            Tensor x0 = x.slice(1, 0, 1);
            return Tensor.concat(1, x0.neg().add(0.5), x0.sub(0.5));
        });
    }

    /**
     * Flips the listed samples (their id is x1 * 100): one step that moves x0 by 0.4 across the threshold, nothing
     * for the others. Built on the gradient-descent base with a fixed direction, so it goes through the attack
     * API like any attack (projection, success, norms).
     */
    static final class FlipAttack extends GradientDescent {
        private final Set<Integer> flips;
        private final String name;

        FlipAttack(String name, Integer... ids) {
            super(new GradientDescent.Config(AttackLoss.CROSS_ENTROPY, 1, 1.0, 0, false, 1, false, 1));
            this.name = name;
            this.flips = Set.of(ids);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<Norm> supportedNorms() {
            return EnumSet.of(Norm.LINF, Norm.L2);
        }

        @Override
        protected boolean needsGradient() {
            return false;
        }

        @Override
        protected Tensor direction(Point pt) {
            float[] x = pt.x().toFloatArray();
            int n = pt.x().size(0);
            float[] d = new float[2 * n];
            for (int i = 0; i < n; i++) {
                int id = Math.round(x[2 * i + 1] * 100);
                if (flips.contains(id)) d[2 * i] = x[2 * i] > 0.5f ? -0.4f : 0.4f;
            }
            return Tensor.of(d, n, 2);
        }

        @Override
        protected Tensor step(Tensor d, Tensor x, ThreatModel t, double alpha) {
            return x.add(d.mul(alpha));
        }
    }

    /** 10 samples, ids 0..9 in x1 (= id / 100); labels: class of x0, except sample 9 which is misclassified. */
    static Tensor[] data() {
        int n = 10;
        float[] x = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i % 2 == 0 ? 0.2f : 0.8f;
            x[2 * i + 1] = i / 100f;
            y[i] = i % 2;
        }
        y[9] = 0; // wrong clean prediction (x0 = 0.8 -> class 1)
        return new Tensor[] {Tensor.of(x, n, 2), Tensor.ofInts(y, n)};
    }

    /**
     * An attack's numbers do not depend on the attacks listed beside it (a report's multi-attack table and a command
     * line with one attack must agree): PGD with a random start gives the same adversarial inputs alone and second
     * in a list.
     */
    @Test
    void anAttacksResultDoesNotDependOnItsPositionInTheList() {
        dev.brink.engine.Generator g = new dev.brink.engine.Generator(5);
        Tensor w = Tensor.randn(g, dev.brink.engine.DType.FLOAT32, 3, 8);
        Classifier linear = new Classifier(x -> x.reshape(x.size(0), -1).matmul(w.transpose(0, 1)));
        Tensor x = Tensor.rand(new dev.brink.engine.Generator(6), dev.brink.engine.DType.FLOAT32, 12, 8).mul(0.4).add(0.3);
        int[] pred = RobustEvaluation.predict(linear, x);
        Tensor y = Tensor.ofInts(pred, pred.length);
        ThreatModel t = ThreatModel.of(Norm.LINF, 0.05);
        RobustEvaluation.Entry pgd = new RobustEvaluation.Entry("pgd", dev.brink.robust.attack.Attacks.create("pgd",
                java.util.Map.of("steps", "1", "rel-step", "0.1", "early-stop", "false")), t);
        RobustEvaluation.Entry fgsm = new RobustEvaluation.Entry("fgsm", dev.brink.robust.attack.Attacks.create("fgsm"), t);
        RobustEvaluation.Config cfg = RobustEvaluation.Config.of(5, 3).withAdversarial(true);
        RobustEvaluation.Result alone = RobustEvaluation.evaluate(linear, x, y, List.of(pgd), cfg, null);
        RobustEvaluation.Result second = RobustEvaluation.evaluate(linear, x, y, List.of(fgsm, pgd), cfg, null);
        assertArrayEquals(alone.adversarial().get(0).adversarial().toFloatArray(), second.adversarial().get(1).adversarial().toFloatArray());
        assertEquals(alone.attacks().get(0).correctAfter(), second.stats("pgd").correctAfter());
        RobustEvaluation.Result otherSeed = RobustEvaluation.evaluate(linear, x, y, List.of(pgd), RobustEvaluation.Config.of(5, 4).withAdversarial(true), null);
        assertFalse(java.util.Arrays.equals(alone.adversarial().get(0).adversarial().toFloatArray(),
                otherSeed.adversarial().get(0).adversarial().toFloatArray()), "the seed does reach the random start");
    }

    @Test
    void worstCaseIsPerSampleAcrossAttacks() {
        Tensor[] d = data();
        List<RobustEvaluation.Entry> attacks = List.of(
                new RobustEvaluation.Entry("a", new FlipAttack("a", 0, 1, 2), ThreatModel.of(Norm.LINF, 0.5)),
                new RobustEvaluation.Entry("b", new FlipAttack("b", 2, 3, 9), ThreatModel.of(Norm.LINF, 0.5)),
                new RobustEvaluation.Entry("c", new FlipAttack("c"), ThreatModel.of(Norm.LINF, 0.5)));
        // batch size 4 splits the data across batches
        RobustEvaluation.Result r = RobustEvaluation.evaluate(threshold(), d[0], d[1], attacks, RobustEvaluation.Config.of(4, 0), null);
        assertEquals(10, r.samples());
        assertEquals(9, r.cleanCorrect());
        assertEquals(0.9, r.cleanAccuracy(), 1e-12);
        // robust: correct (0..8) and untouched by a (0,1,2) and b (2,3): 4,5,6,7,8
        assertEquals(5, r.robust());
        boolean[] expected = {false, false, false, false, true, true, true, true, true, false};
        assertArrayEquals(expected, r.robustMask());

        RobustEvaluation.AttackStats a = r.stats("a"), b = r.stats("b"), c = r.stats("c");
        assertEquals(9, a.attacked(), "only correctly classified samples are attacked");
        assertEquals(3, a.successes());
        assertEquals(3.0 / 9, a.successRate(), 1e-12);
        assertEquals(6.0 / 10, a.accuracy(), 1e-12);
        assertEquals(2, b.successes(), "sample 9 is misclassified, so never attacked");
        assertEquals(7.0 / 10, b.accuracy(), 1e-12);
        assertEquals(0, c.successes());
        assertEquals(0.9, c.accuracy(), 1e-12);
        assertTrue(Double.isNaN(c.meanNorm(Norm.L2)), "no successful sample: no mean norm");
        // each successful perturbation moves x0 by exactly 0.4
        assertEquals(0.4, a.meanNorm(Norm.LINF), 1e-6);
        assertEquals(0.4, a.meanNorm(Norm.L2), 1e-6);
        assertEquals(1.0, a.meanNorm(Norm.L0), 1e-12);
        assertEquals(3.0 / 9, a.meanNormAttacked(Norm.L0), 1e-12, "over all 9 attacked: 3 moved one feature, 6 none");
        assertEquals(0.4 * 3 / 9, a.meanNormAttacked(Norm.LINF), 1e-6);
        assertTrue(a.modelCalls() > 0);
    }

    @Test
    void worstCaseHelper() {
        boolean[] clean = {true, true, true, false};
        boolean[] w = RobustEvaluation.worstCase(clean, List.of(new boolean[] {true, false, true, true}, new boolean[] {true, true, false, true}));
        assertArrayEquals(new boolean[] {true, false, false, false}, w);
        assertThrows(IllegalArgumentException.class, () -> RobustEvaluation.worstCase(clean, List.of(new boolean[3])));
    }

    @Test
    void keepsExamplesAndAdversarialSetsOfTheAttackedSamples() {
        Tensor[] d = data();
        List<RobustEvaluation.Entry> attacks = List.of(new RobustEvaluation.Entry("a", new FlipAttack("a", 1, 4), ThreatModel.of(Norm.L2, 1)));
        RobustEvaluation.Result r = RobustEvaluation.evaluate(threshold(), d[0], d[1], attacks,
                RobustEvaluation.Config.of(3, 0).withExamples(4).withAdversarial(true), null);
        RobustEvaluation.Adversarial ex = r.examples().get(0), all = r.adversarial().get(0);
        assertEquals(4, ex.size());
        assertEquals(9, all.size(), "the 9 correctly classified samples");
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, all.indices());
        assertArrayEquals(new int[] {0, 0, 1, 1}, new int[] {ex.predicted()[0], ex.predicted()[2], ex.predicted()[3], ex.labels()[1]});
        assertEquals(0, ex.predicted()[1], "sample 1 (class 1) flipped to 0");
        assertTrue(all.success()[4] && all.success()[1] && !all.success()[0]);
    }

    @Test
    void targetedRobustnessMeansKeepingTheTrueClass() {
        Tensor[] d = data();
        // fixed target class 0: samples of class 0 are not attacked; attack flips 1 and 3 (to class 0 = target)
        List<RobustEvaluation.Entry> attacks = List.of(new RobustEvaluation.Entry("t", new FlipAttack("t", 1, 3, 0), ThreatModel.of(Norm.LINF, 1)));
        RobustEvaluation.Result r = RobustEvaluation.evaluate(threshold(), d[0], d[1], attacks,
                RobustEvaluation.Config.of(10, 0).withTarget(TargetSpec.ofClass(0)), null);
        RobustEvaluation.AttackStats s = r.stats("t");
        assertEquals(4, s.attacked(), "class-1 samples 1, 3, 5, 7 (9 is misclassified)");
        assertEquals(2, s.successes());
        assertEquals(7, r.robust(), "0, 2, 4, 6, 8 (not attacked) and 5, 7");
    }

    /**
     * Galloway et al.'s JSMA protocol: with misclassified samples attacked too, success counts every (sample, target)
     * pair, a sample already predicted as the target succeeds unchanged, and no attack can make a misclassified
     * sample count as correct.
     */
    @Test
    void attackingMisclassifiedSamplesCountsEveryPairButNeverRaisesAccuracy() {
        Tensor[] d = data();
        RobustEvaluation.Config toOne = RobustEvaluation.Config.of(4, 0).withTarget(TargetSpec.ofClass(1));
        List<RobustEvaluation.Entry> flip02 = List.of(new RobustEvaluation.Entry("t", new FlipAttack("t", 0, 2), ThreatModel.of(Norm.LINF, 1)));
        RobustEvaluation.AttackStats only = RobustEvaluation.evaluate(threshold(), d[0], d[1], flip02, toOne, null).stats("t");
        assertEquals(5, only.attacked(), "class-0 samples 0, 2, 4, 6, 8 (9 is misclassified)");
        assertEquals(2, only.successes());
        RobustEvaluation.AttackStats all = RobustEvaluation.evaluate(threshold(), d[0], d[1], flip02, toOne.withMisclassified(true), null).stats("t");
        assertEquals(6, all.attacked(), "sample 9 (label 0, predicted 1) is attacked too");
        assertEquals(3, all.successes(), "sample 9 is at the target already");
        assertEquals(only.accuracy(), all.accuracy(), 1e-12);

        // moving every sample to x0 = 0.2 (class 0) takes sample 9 to its true class: no success (it leaves the
        // target), and it still counts as wrong
        Attack toZero = new Attack() {
            @Override
            public String name() {
                return "to-class-0";
            }

            @Override
            public Set<Norm> supportedNorms() {
                return EnumSet.of(Norm.LINF);
            }

            @Override
            protected Outcome perturb(Problem p) {
                int n = p.x().size(0);
                return new Outcome(Tensor.concat(1, Tensor.full(dev.brink.engine.DType.FLOAT32, 0.2, n, 1), p.x().slice(1, 1, 2)), new int[n]);
            }
        };
        RobustEvaluation.Result r = RobustEvaluation.evaluate(threshold(), d[0], d[1], List.of(new RobustEvaluation.Entry("z", toZero, ThreatModel.of(Norm.LINF, 1))),
                toOne.withMisclassified(true), null);
        assertEquals(6, r.stats("z").attacked());
        assertEquals(0, r.stats("z").successes());
        assertEquals(0.9, r.stats("z").accuracy(), 1e-12, "0-8 correct, 9 moved to its label but misclassified when clean");
        assertFalse(r.robustMask()[9]);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RobustEvaluation.Config.of(4, 0).withMisclassified(true));
        assertTrue(e.getMessage().contains("targeted"), e.getMessage());
    }

    @Test
    void badInputFailsBeforeWork() {
        Tensor[] d = data();
        Attack a = new FlipAttack("a", 1);
        assertThrows(IllegalArgumentException.class, () -> new RobustEvaluation.Entry("a", a, ThreatModel.of(Norm.L0, 1)));
        assertThrows(IllegalArgumentException.class, () -> ThreatModel.of(Norm.LINF, -0.1));
        assertThrows(IllegalArgumentException.class, () -> RobustEvaluation.evaluate(threshold(), d[0], Tensor.ofInts(new int[3], 3), List.of(),
                RobustEvaluation.Config.of(4, 0), null));
        assertThrows(IllegalArgumentException.class, () -> RobustEvaluation.Config.of(0, 0));
    }
}

package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** PGD on a binary linear model reaches the single-step optimum of each ball: the margin falls by eps times the dual norm of w. */
class PgdTest {
    private final LinearModels.Linear lin = LinearModels.random(5, 2, 12, DType.FLOAT64);
    private final Classifier model = lin.classifier();
    private final Tensor x = LinearModels.midBox(6, DType.FLOAT64, 6, 12);
    private final Tensor y = model.logits(x).argmax(1);

    private double dual(Norm n) {
        double[] w0 = lin.row(0), w1 = lin.row(1);
        double s = 0;
        for (int i = 0; i < w0.length; i++) {
            double d = Math.abs(w1[i] - w0[i]);
            s = switch (n) {
                case LINF -> s + d;       // the dual of L-inf is L1
                case L2 -> s + d * d;
                default -> Math.max(s, d); // the dual of L1 is L-inf
            };
        }
        return n == Norm.L2 ? Math.sqrt(s) : s;
    }

    private AttackResult pgd(Norm n, double eps, boolean randomStart, String loss) {
        Map<String, String> o = new HashMap<>(Map.of("norm", n.label(), "steps", "40", "random-start", "" + randomStart, "early-stop", "false", "loss", loss));
        // from a random start on the L2 sphere the angle to the optimum shrinks by 1 / (1 + step / eps) per step:
        // the default total path (2.5 eps) leaves a few percent, a step of eps / 4 converges
        if (randomStart) o.put("rel-step", "0.25");
        return Attacks.create("pgd", o).run(model, x, y, ThreatModel.of(n, eps), Goal.UNTARGETED, new Generator(1));
    }

    @Test
    void pgdReachesTheLinearOptimumInEveryBall() {
        double[] before = AttackLoss.margin(model.logits(x), y).toDoubleArray();
        Object[][] cases = {{Norm.LINF, 0.05}, {Norm.L2, 0.2}, {Norm.L1, 0.25}};
        for (Object[] c : cases) {
            Norm n = (Norm) c[0];
            double eps = (double) c[1];
            for (String loss : new String[] {"ce", "cw"}) {
                for (boolean rs : new boolean[] {false, true}) {
                    AttackResult r = pgd(n, eps, rs, loss);
                    double[] after = AttackLoss.margin(model.logits(r.adversarial()), y).toDoubleArray();
                    double tol = rs && n != Norm.LINF ? 1e-6 * eps * dual(n) : 1e-9;
                    for (int i = 0; i < before.length; i++)
                        assertEquals(before[i] - eps * dual(n), after[i], tol, n + " " + loss + " random start " + rs + " sample " + i);
                }
            }
        }
    }

    @Test
    void bimAndPgdLinfMatchFgsmOnALinearModel() {
        double eps = 0.04;
        Tensor fgsm = new Fgsm().run(model, x, y, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(0)).adversarial();
        AttackResult bim = Attacks.create("bim", Map.of("early-stop", "false")).run(model, x, y, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(0));
        assertArrayEquals(fgsm.toDoubleArray(), bim.adversarial().toDoubleArray(), 1e-12);
        assertEquals(bim.adversarial().size(0) * 10, java.util.Arrays.stream(bim.iterations()).sum());
    }

    @Test
    void earlyStopEndsASampleAtItsFirstSuccessAndRestartsOnlyRetryFailures() {
        double eps = 0.5;
        Tensor xs = LinearModels.midBox(7, DType.FLOAT64, 8, 12);
        Tensor ys = model.logits(xs).argmax(1);
        Pgd pgd = (Pgd) Attacks.create("pgd", Map.of("steps", "20", "restarts", "3"));
        AttackResult r = pgd.run(model, xs, ys, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(2));
        for (int i = 0; i < ys.size(0); i++) {
            assertTrue(r.success()[i], "a large ball always flips a linear model");
            assertTrue(r.iterations()[i] < 20, "stopped early: " + r.iterations()[i]);
        }
        assertTrue(pgd.lastGradientNormTrace().length >= 1);
        assertTrue(r.modelCalls() < 8 * 21, "finished samples cost nothing: " + r.modelCalls());
    }

    @Test
    void leastLikelyTargetedPgdReachesTheLeastLikelyClass() {
        LinearModels.Linear five = LinearModels.random(8, 5, 12, DType.FLOAT64);
        Classifier m = five.classifier();
        Tensor xs = LinearModels.midBox(9, DType.FLOAT64, 6, 12);
        Tensor ys = m.logits(xs).argmax(1);
        int[] ll = m.logits(xs).argmin(1).toIntArray();
        AttackResult r = Attacks.create("pgd", Map.of("steps", "40")).run(m, xs, ys, ThreatModel.of(Norm.LINF, 0.5), Goal.LEAST_LIKELY, new Generator(3));
        int[] pred = m.logits(r.adversarial()).argmax(1).toIntArray();
        for (int i = 0; i < pred.length; i++) {
            assertTrue(r.success()[i]);
            assertEquals(ll[i], pred[i]);
        }
    }

    @Test
    void successComesFromTheAttacksOwnEvaluationAndEqualsAFreshOne() {
        // eps where some samples flip and some do not, so both success values are checked
        double[] margin = AttackLoss.margin(model.logits(x), y).toDoubleArray();
        double[] sorted = margin.clone();
        java.util.Arrays.sort(sorted);
        double eps = (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2 / dual(Norm.LINF);
        for (boolean earlyStop : new boolean[] {false, true}) {
            int steps = 5;
            AttackResult r = Attacks.create("pgd", Map.of("steps", "" + steps, "early-stop", "" + earlyStop))
                    .run(model, x, y, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(3));
            int[] pred = model.logits(r.adversarial()).argmax(1).toIntArray();
            int[] label = y.toIntArray();
            int flipped = 0;
            for (int i = 0; i < pred.length; i++) {
                assertEquals(pred[i] != label[i], r.success()[i], "early stop " + earlyStop + ", sample " + i);
                if (r.success()[i]) flipped++;
            }
            assertTrue(flipped > 0 && flipped < pred.length, "eps splits the batch: " + flipped + " of " + pred.length);
            // one call per iterate (steps + 1 without early stop) and none after: the kept iterate's success is reused
            if (!earlyStop) assertEquals(steps + 1, r.modelCalls(), "model calls");
        }
    }
}

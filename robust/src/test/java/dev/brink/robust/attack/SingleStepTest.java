package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Known answers of the single-step attacks on a binary linear model, where each is the exact worst case. */
class SingleStepTest {
    private final LinearModels.Linear lin = LinearModels.random(3, 2, 12, DType.FLOAT64);
    private final Classifier model = lin.classifier();
    private final Tensor x = LinearModels.midBox(4, DType.FLOAT64, 6, 12);
    private final Tensor y = model.logits(x).argmax(1);

    private double[] drop(Attack a, Norm norm, double eps) {
        AttackResult r = a.run(model, x, y, ThreatModel.of(norm, eps), Goal.UNTARGETED, new Generator(0));
        double[] before = AttackLoss.margin(model.logits(x), y).toDoubleArray();
        double[] after = AttackLoss.margin(model.logits(r.adversarial()), y).toDoubleArray();
        double[] d = new double[before.length];
        for (int i = 0; i < d.length; i++) d[i] = before[i] - after[i];
        return d;
    }

    private double[] wDiff() {
        double[] w0 = lin.row(0), w1 = lin.row(1), d = new double[w0.length];
        for (int i = 0; i < d.length; i++) d[i] = w1[i] - w0[i];
        return d;
    }

    @Test
    void fastGradL2RaisesTheMarginByEpsTimesTheL2NormOfTheWeights() {
        double l2 = 0;
        for (double v : wDiff()) l2 += v * v;
        double eps = 0.2;
        for (double d : drop(Attacks.create("fgm-l2"), Norm.L2, eps)) assertEquals(eps * Math.sqrt(l2), d, 1e-10);
    }

    @Test
    void theL1StepRaisesTheMarginByEpsTimesTheLargestWeight() {
        double inf = 0;
        for (double v : wDiff()) inf = Math.max(inf, Math.abs(v));
        double eps = 0.25; // fits in the box's room (>= 0.3) of the one feature it moves
        for (String fill : new String[] {"true", "false"}) {
            AttackResult r = Attacks.create("fgm-l1", Map.of("box-fill", fill)).run(model, x, y, ThreatModel.of(Norm.L1, eps), Goal.UNTARGETED, new Generator(0));
            for (double l0 : r.norms().l0()) assertEquals(1, l0, "one pixel");
            for (double d : drop(Attacks.create("fgm-l1", Map.of("box-fill", fill)), Norm.L1, eps)) assertEquals(eps * inf, d, 1e-10);
        }
    }

    @Test
    void theL1StepSpillsOverToTheNextFeatureWhenTheBoxBlocksTheFirst() {
        Tensor g = Tensor.of(new double[] {3, -2, 1, 0}, 1, 4);
        Tensor at = Tensor.of(new double[] {0.9, 0.5, 0.5, 0.5}, 1, 4);
        double[] d = FgmL1.fill(g, at, 0.4, ThreatModel.of(Norm.L1, 0.4)).toDoubleArray();
        assertArrayEquals(new double[] {0.1, -0.3, 0, 0}, d, 1e-12);
    }

    @Test
    void theClippedX100VariantIsTheClippedScaledUnitGradientInTheLinfBall() {
        double[] w = wDiff();
        double l2 = 0;
        for (double v : w) l2 += v * v;
        double eps = 0.03;
        AttackResult r = Attacks.create("fgm-l2-x100-clip").run(model, x, y, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(0));
        double[] pert = r.adversarial().sub(x).toDoubleArray();
        int[] cls = y.toIntArray();
        for (int i = 0; i < cls.length; i++) {
            double s = cls[i] == 0 ? 1 : -1; // the CE gradient points along +(w1 - w0) for class 0
            for (int j = 0; j < w.length; j++)
                assertEquals(Math.max(-eps, Math.min(eps, 100 * s * w[j] / Math.sqrt(l2))), pert[i * w.length + j], 1e-12);
        }
        // a tiny scale is Fast grad L2 of length scale, a huge one is FGSM
        AttackResult big = new FgmL2Clip(1e9, AttackLoss.CROSS_ENTROPY).run(model, x, y, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(0));
        AttackResult fgsm = new Fgsm().run(model, x, y, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(0));
        assertArrayEquals(fgsm.adversarial().toDoubleArray(), big.adversarial().toDoubleArray(), 1e-12);
        AttackResult tiny = new FgmL2Clip(0.01, AttackLoss.CROSS_ENTROPY).run(model, x, y, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(0));
        for (double v : tiny.norms().l2()) assertEquals(0.01, v, 1e-12);
    }
}

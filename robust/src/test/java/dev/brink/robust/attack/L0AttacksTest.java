package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Seed 000's L0 attacks: budgets are respected, and targets are reached where the model makes it possible. */
class L0AttacksTest {
    /**
     * Three classes over 20 features at 0.2: the target (class 2) gains +1 per unit of features 0-9, which the
     * other classes lose; class 0 leads by 5, so raising four of those features to 1 (+1.6 margin each) reaches the target.
     */
    private static LinearModels.Linear jsmaModel() {
        double[] w = new double[3 * 20];
        for (int i = 0; i < 10; i++) {
            w[i] = -1;
            w[20 + i] = -1;
            w[40 + i] = 1;
            w[10 + i] = 0.5;
        }
        return new LinearModels.Linear(Tensor.of(w, 3, 20), Tensor.of(new double[] {8, 0, 0}, 3));
    }

    @Test
    void jsmaReachesTheTargetWithinItsBudgetAndNeverExceedsIt() {
        LinearModels.Linear lin = jsmaModel();
        Classifier model = lin.classifier();
        Tensor x = Tensor.full(DType.FLOAT64, 0.2, 3, 20);
        Tensor y = Tensor.ofInts(new int[] {0, 0, 0}, 3);
        Tensor t = Tensor.ofInts(new int[] {2, 2, 2}, 3);
        assertArrayEquals(new int[] {0, 0, 0}, model.logits(x).argmax(1).toIntArray());
        AttackResult r = Attacks.create("jsma", Map.of("gamma", "0.3")).run(model, x, y, ThreatModel.of(Norm.L0, 20), Goal.targeted(t), new Generator(0));
        int[] pred = model.logits(r.adversarial()).argmax(1).toIntArray();
        for (int i = 0; i < 3; i++) {
            assertTrue(r.success()[i]);
            assertEquals(2, pred[i]);
            assertEquals(4, r.norms().l0()[i], "two pairs of the target's features");
            assertEquals(2, r.iterations()[i]);
        }
        double[] adv = r.adversarial().toDoubleArray();
        for (int i = 0; i < adv.length; i++) assertTrue(adv[i] == 0.2 || (adv[i] == 1.0 && i % 20 < 10), "theta = +1 on the target's features only");
        // a budget of 2 features (gamma) or 3 (eps) is one pair: not enough, and never exceeded
        for (Object[] c : new Object[][] {{"0.1", 20.0}, {"1", 3.0}}) {
            AttackResult small = Attacks.create("jsma", Map.of("gamma", (String) c[0])).run(model, x, y, ThreatModel.of(Norm.L0, (double) c[1]), Goal.targeted(t), new Generator(0));
            for (int i = 0; i < 3; i++) {
                assertFalse(small.success()[i]);
                assertEquals(2, small.norms().l0()[i]);
            }
        }
        AttackResult untargeted = Attacks.create("jsma", Map.of("gamma", "0.3")).run(model, x, y, ThreatModel.of(Norm.L0, 20), Goal.UNTARGETED, new Generator(0));
        for (boolean s : untargeted.success()) assertTrue(s, "untargeted JSMA aims at the runner-up class 2");
    }

    /** L0's eps counts features: a fraction (0.26 meant as 26% of the features) is refused, naming the conversion. */
    @Test
    void l0EpsMustBeAWholeNumberOfFeatures() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ThreatModel.of(Norm.L0, 0.26));
        assertTrue(e.getMessage().contains("counts changed features") && e.getMessage().contains("0.26"), e.getMessage());
        assertEquals(799.0, ThreatModel.of(Norm.L0, 799).eps());
        assertEquals(0.26, ThreatModel.of(Norm.LINF, 0.26).eps(), "other norms keep real radii");
    }

    /** L0's eps counts features: eps 1 (meant as "100%") or a gamma * D below 2 leaves no pair, which is refused. */
    @Test
    void jsmaRefusesABudgetThatAllowsNoPair() {
        Classifier model = jsmaModel().classifier();
        Tensor x = Tensor.full(DType.FLOAT64, 0.2, 3, 20);
        Tensor y = Tensor.ofInts(new int[] {0, 0, 0}, 3), t = Tensor.ofInts(new int[] {2, 2, 2}, 3);
        for (Object[] c : new Object[][] {{"0.05", 1.0}, {"0.05", 20.0}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("jsma", Map.of("gamma", (String) c[0]))
                    .run(model, x, y, ThreatModel.of(Norm.L0, (double) c[1]), Goal.targeted(t), new Generator(0)));
            assertTrue(e.getMessage().contains("allows no pair") && e.getMessage().contains("D = 20"), e.getMessage());
        }
        AttackResult none = Attacks.create("jsma").run(model, x, y, ThreatModel.of(Norm.L0, 0), Goal.targeted(t), new Generator(0));
        for (boolean s : none.success()) assertFalse(s, "eps 0 is no attack, not an error");
    }

    @Test
    void pixelSwapPermutesValuesWithinEachChannelAndRespectsTheBudget() {
        Tensor x = Tensor.rand(new Generator(3), DType.FLOAT64, 4, 3, 5, 5);
        Classifier model = LinearModels.random(4, 3, 75, DType.FLOAT64).classifier();
        Tensor y = model.logits(x).argmax(1);
        for (Object[] c : new Object[][] {{"1", 30.0, 30}, {"0.2", 30.0, 15}, {"0.5", 7.0, 6}}) {
            Attack swap = Attacks.create("pixel-swap", Map.of("ratio", (String) c[0], "restarts", "2"));
            AttackResult r = swap.run(model, x, y, ThreatModel.of(Norm.L0, (double) c[1]), Goal.UNTARGETED, new Generator(5));
            for (double l0 : r.norms().l0()) assertTrue(l0 <= (int) c[2] && l0 >= 2, "L0 " + l0 + " for budget " + c[2]);
            double[] a = x.toDoubleArray(), b = r.adversarial().toDoubleArray();
            for (int plane = 0; plane < 12; plane++) {
                double[] pa = Arrays.copyOfRange(a, plane * 25, plane * 25 + 25), pb = Arrays.copyOfRange(b, plane * 25, plane * 25 + 25);
                Arrays.sort(pa);
                Arrays.sort(pb);
                assertArrayEquals(pa, pb, 0, "same values in each channel of each image");
            }
            AttackResult again = swap.run(model, x, y, ThreatModel.of(Norm.L0, (double) c[1]), Goal.UNTARGETED, new Generator(5));
            assertArrayEquals(b, again.adversarial().toDoubleArray(), 0, "same seed, same swaps");
        }
    }

    @Test
    void extremeWeightPixelsSetTheMinAndMaxWeightsToFullScale() {
        double[] w = new double[16];
        for (int i = 0; i < 16; i++) w[i] = (i * 7 % 16) - 7.5; // a permutation of -7.5 .. 7.5
        Integer[] order = new Integer[16];
        for (int i = 0; i < 16; i++) order[i] = i;
        Arrays.sort(order, (p, q) -> Double.compare(w[q], w[p]));
        Tensor x = Tensor.full(DType.FLOAT64, 0.3, 2, 16);
        Classifier model = new LinearModels.Linear(Tensor.of(w, 1, 16), Tensor.of(new double[] {0}, 1)).classifier(); // one logit
        Tensor y = model.logits(x).argmax(1);
        AttackResult r = new ExtremeWeightPixels(Tensor.of(w, 16), false).run(model, x, y, ThreatModel.of(Norm.L0, 5), Goal.UNTARGETED, new Generator(0));
        double[] adv = r.adversarial().toDoubleArray();
        java.util.Set<Integer> full = java.util.Set.of(order[0], order[1], order[2], order[14], order[15]);
        for (int s = 0; s < 2; s++) for (int i = 0; i < 16; i++) assertEquals(full.contains(i) ? 1.0 : 0.3, adv[s * 16 + i], 0, "feature " + i);
        // read off the model's gradient, the registry version finds the same pixels
        AttackResult viaModel = Attacks.create("extreme-weight").run(model, x, y, ThreatModel.of(Norm.L0, 5), Goal.UNTARGETED, new Generator(0));
        assertArrayEquals(adv, viaModel.adversarial().toDoubleArray(), 0);
    }

    @Test
    void directedExtremeWeightPixelsFlipABinaryLinearModelWithAFewDeadPixels() {
        // two logits; the margin z1 - z0 = 4 (x . v) - 2 with v = +1 on features 0-2 and -1 on features 3-5
        double[] w = new double[2 * 12];
        for (int i = 0; i < 3; i++) {
            w[12 + i] = 2;
            w[i] = -2;
            w[12 + 3 + i] = -2;
            w[3 + i] = 2;
        }
        Classifier model = new LinearModels.Linear(Tensor.of(w, 2, 12), Tensor.of(new double[] {1, -1}, 2)).classifier();
        Tensor x = Tensor.of(new double[] {0, 0, 0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 2, 12);
        Tensor y = model.logits(x).argmax(1);
        assertArrayEquals(new int[] {0, 1}, y.toIntArray());
        Tensor t = Tensor.ofInts(new int[] {1, 0}, 2);
        AttackResult r = new ExtremeWeightPixels(null, true).run(model, x, y, ThreatModel.of(Norm.L0, 3), Goal.targeted(t), new Generator(0));
        assertArrayEquals(new int[] {1, 0}, model.logits(r.adversarial()).argmax(1).toIntArray());
        for (int i = 0; i < 2; i++) {
            assertTrue(r.success()[i]);
            assertTrue(r.norms().l0()[i] <= 3);
        }
        AttackResult one = Attacks.create("extreme-weight", Map.of("mode", "directed")).run(model, x, y, ThreatModel.of(Norm.L0, 1), Goal.targeted(t), new Generator(0));
        for (double l0 : one.norms().l0()) assertTrue(l0 <= 1);
    }
}

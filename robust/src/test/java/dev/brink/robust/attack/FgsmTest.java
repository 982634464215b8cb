package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class FgsmTest {
    @Test
    void onALinearModelTheMarginFallsByExactlyEpsTimesTheL1NormOfTheWeightDifference() {
        LinearModels.Linear lin = LinearModels.random(1, 2, 12, DType.FLOAT64);
        Classifier model = lin.classifier();
        Tensor x = LinearModels.midBox(2, DType.FLOAT64, 5, 12);
        Tensor y = model.logits(x).argmax(1);
        double eps = 0.05;
        AttackResult r = new Fgsm().run(model, x, y, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(0));
        double[] before = AttackLoss.margin(model.logits(x), y).toDoubleArray();
        double[] after = AttackLoss.margin(model.logits(r.adversarial()), y).toDoubleArray();
        double[] w0 = lin.row(0), w1 = lin.row(1);
        double l1 = 0;
        for (int i = 0; i < w0.length; i++) l1 += Math.abs(w0[i] - w1[i]);
        for (int i = 0; i < before.length; i++) assertEquals(before[i] - eps * l1, after[i], 1e-10, "sample " + i);
        for (double v : r.norms().linf()) assertEquals(eps, v, 1e-12);
        assertEquals(2, r.modelCalls(), "one forward for the gradient, one for success");
    }

    @Test
    void badInputIsRefusedBeforeAnyWork() {
        Classifier model = LinearModels.random(1, 3, 4, DType.FLOAT32).classifier();
        Tensor x = Tensor.rand(new Generator(1), DType.FLOAT32, 2, 4);
        Tensor y = Tensor.ofInts(new int[] {0, 1}, 2);
        Fgsm fgsm = new Fgsm();
        assertThrows(IllegalArgumentException.class, () -> ThreatModel.of(Norm.LINF, -0.1));
        IllegalArgumentException norm = assertThrows(IllegalArgumentException.class,
                () -> fgsm.run(model, x, y, ThreatModel.of(Norm.L2, 0.1), Goal.UNTARGETED, new Generator(0)));
        assertTrue(norm.getMessage().contains("l2") && norm.getMessage().contains("not supported"), norm.getMessage());
        IllegalArgumentException box = assertThrows(IllegalArgumentException.class,
                () -> fgsm.run(model, x.mul(3.0), y, ThreatModel.of(Norm.LINF, 0.1), Goal.UNTARGETED, new Generator(0)));
        assertTrue(box.getMessage().contains("outside the box"), box.getMessage());
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> fgsm.run(model, x, Tensor.ofInts(new int[] {0}, 1), ThreatModel.of(Norm.LINF, 0.1), Goal.UNTARGETED, new Generator(0)));
        assertTrue(labels.getMessage().contains("labels must be int32 [2]"), labels.getMessage());
        assertEquals(0, model.calls(), "nothing ran");
    }
}

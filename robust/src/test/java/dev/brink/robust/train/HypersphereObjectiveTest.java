package dev.brink.robust.train;

import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Batch;
import dev.brink.nn.layer.Linear;
import dev.brink.nn.layer.Sequential;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HypersphereObjectiveTest {
    @Test
    void equalsTheClosedForm() {
        // features h = (3, 4) (the model is one linear layer), W rows (1, 0) and (0, 2): cosines 0.6 and 0.8
        Sequential m = new Sequential(new Linear(2, 2, true, new Generator(1)));
        m.setParameter("0.weight", Tensor.of(new double[]{1, 0, 0, 2}, 2, 2).requiresGrad(true));
        m.setParameter("0.bias", Tensor.of(new double[]{5, -5}, 2).requiresGrad(true));
        Batch b = new Batch(Tensor.of(new double[]{3, 4}, 1, 2), Tensor.ofInts(new int[]{0}, 1), new int[1]);
        double s = 15, mm = 0.2;
        double expected = Math.log(1 + Math.exp(s * (0.8 - (0.6 - mm))));
        var o = Objectives.parse("hypersphere", ObjectiveSetup.NONE).apply(m, b, ObjectiveTestKit.context(0));
        assertEquals(expected, o.loss().item(), 1e-12);
        assertEquals(s * 0.6, o.logits().toDoubleArray()[0], 1e-12);
    }

    @Test
    void lowersItsLoss() {
        ObjectiveTestKit.assertLowersItsLoss("hypersphere", Objectives.parse("hypersphere", ObjectiveSetup.NONE), 30, 0.5);
    }

    @Test
    void adversarialModeRaisesTheLossAndStillLowersIt() {
        dev.brink.nn.spec.SpecModel m = ObjectiveTestKit.tinyConvNet(3, dev.brink.engine.DType.FLOAT64);
        Batch b = ObjectiveTestKit.tinyBatch(6, 1, dev.brink.engine.DType.FLOAT64);
        ObjectiveSetup setup = new ObjectiveSetup(dev.brink.robust.eval.AttackSpec.parse("pgd:steps=5,eps=0.1,step=0.03,norm=linf"));
        double clean = Objectives.parse("hypersphere", setup).apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        double adv = Objectives.parse("hypersphere:adversarial=true", setup).apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        org.junit.jupiter.api.Assertions.assertTrue(adv > clean, "adversarial " + adv + " vs clean " + clean);
        ObjectiveTestKit.assertLowersItsLoss("hypersphere adversarial", Objectives.parse("hypersphere:adversarial=true", setup), 30, 0.5);
    }
}

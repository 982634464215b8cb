package dev.brink.robust.train;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Batch;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Objective;
import dev.brink.robust.eval.AttackSpec;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TradesObjectiveTest {
    @Test
    void klTermIsZeroWhenTheAdversaryReturnsTheCleanPoint() {
        SpecModel m = ObjectiveTestKit.tinyConvNet(3, DType.FLOAT64);
        Batch b = ObjectiveTestKit.tinyBatch(6, 1, DType.FLOAT64);
        ObjectiveSetup noAscent = new ObjectiveSetup(AttackSpec.parse("pgd:steps=3,eps=0,step=0.1,norm=linf"));
        Objective.Outcome o = Objectives.parse("trades:beta=6", noAscent).apply(m, b, ObjectiveTestKit.context(0));
        double ce = Objectives.create("cross-entropy", Map.of(), ObjectiveSetup.NONE).apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        assertEquals(0, o.regularizer().item(), 1e-15); // p log p - p log_softmax: rounding only
        assertEquals(ce, o.loss().item(), 1e-15);
    }

    @Test
    void klTermMatchesTheClosedForm() {
        // p = softmax(0, ln 3) = (1/4, 3/4), q = softmax(0, 0) = (1/2, 1/2); second row KL(q || q) = 0
        Tensor clean = Tensor.of(new double[]{0, Math.log(3), 1, 1}, 2, 2);
        Tensor adv = Tensor.of(new double[]{0, 0, -2, -2}, 2, 2);
        double kl = 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5);
        assertEquals(kl / 2, TradesObjective.klTerm(clean, adv).item(), 1e-15);
    }

    @Test
    void innerMaximizationRaisesTheKlAndStaysInTheBall() {
        SpecModel m = ObjectiveTestKit.tinyConvNet(3, DType.FLOAT64);
        Batch b = ObjectiveTestKit.tinyBatch(6, 1, DType.FLOAT64);
        ObjectiveSetup one = new ObjectiveSetup(AttackSpec.parse("pgd:steps=1,eps=0.1,step=0.05,norm=linf"));
        ObjectiveSetup ten = new ObjectiveSetup(AttackSpec.parse("pgd:steps=10,eps=0.1,step=0.02,norm=linf"));
        double r1 = Objectives.parse("trades:beta=1", one).apply(m, b, ObjectiveTestKit.context(4)).regularizer().item();
        double r10 = Objectives.parse("trades:beta=1", ten).apply(m, b, ObjectiveTestKit.context(4)).regularizer().item();
        assertTrue(r1 > 0 && r10 > r1, "KL after 1 step " + r1 + ", after 10 " + r10);
        TradesObjective t = (TradesObjective) Objectives.parse("trades", ten);
        Tensor adv = t.adversarial(m, b.x(), t.inner().start(b.x(), ObjectiveTestKit.context(4).generator()));
        assertTrue(adv.sub(b.x()).abs().amax().item() <= 0.1 + 1e-12);
        assertTrue(adv.amin().item() >= 0 && adv.amax().item() <= 1);
        assertTrue(m.isTraining(), "the model is back in training mode");
    }

    @Test
    void defaultsAreLiuAndChans() {
        TradesObjective t = (TradesObjective) Objectives.parse("trades", ObjectiveSetup.NONE);
        assertEquals(12, t.beta());
        assertEquals(10, t.inner().steps());
        assertEquals(0.031, t.inner().threat().eps());
        assertEquals(0.007, t.inner().step());
        assertThrows(IllegalArgumentException.class, () -> Objectives.parse("trades", new ObjectiveSetup(AttackSpec.parse("fgsm:eps=0.1"))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Objectives.parse("mart", new ObjectiveSetup(AttackSpec.parse("pgd:eps=0.1,loss=cw"))));
        assertTrue(e.getMessage().contains("'loss' does not apply"), e.getMessage());
    }

    @Test
    void lowersItsLoss() {
        ObjectiveTestKit.assertLowersItsLoss("trades", Objectives.parse("trades", ObjectiveSetup.NONE), 30, 0.5);
    }

    @Test
    void aOneLogitModelIsTreatedAsTwoClasses() {
        var m = new dev.brink.nn.layer.Sequential(new dev.brink.nn.layer.Flatten(),
                new dev.brink.nn.layer.Linear(36, 1, true, new dev.brink.engine.Generator(2))).to(DType.FLOAT64);
        Batch b3 = ObjectiveTestKit.tinyBatch(6, 1, DType.FLOAT64);
        Batch b = new Batch(b3.x(), Tensor.ofInts(new int[]{0, 1, 0, 1, 1, 0}, 6), new int[6]);
        ObjectiveSetup noAscent = new ObjectiveSetup(AttackSpec.parse("pgd:steps=2,eps=0,step=0.1,norm=linf"));
        double bce = Objectives.create("cross-entropy", Map.of(), ObjectiveSetup.NONE).apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        assertEquals(bce, Objectives.parse("trades", noAscent).apply(m, b, ObjectiveTestKit.context(0)).loss().item(), 1e-12);
        ObjectiveSetup ascent = new ObjectiveSetup(AttackSpec.parse("pgd:steps=3,eps=0.1,step=0.05,norm=linf"));
        assertTrue(Objectives.parse("trades", ascent).apply(m, b, ObjectiveTestKit.context(0)).regularizer().item() > 0);
        assertTrue(Objectives.parse("mart", ascent).apply(m, b, ObjectiveTestKit.context(0)).loss().item() > bce);
    }
}

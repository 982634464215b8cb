package dev.brink.robust.train;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Batch;
import dev.brink.nn.layer.Activation;
import dev.brink.nn.layer.Linear;
import dev.brink.nn.layer.Sequential;
import dev.brink.nn.spec.SpecModel;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LargeMarginSoftmaxObjectiveTest {
    @Test
    void marginOneIsCrossEntropy() {
        SpecModel m = ObjectiveTestKit.tinyConvNet(3, DType.FLOAT64);
        Batch b = ObjectiveTestKit.tinyBatch(6, 1, DType.FLOAT64);
        double ce = Objectives.create("cross-entropy", Map.of(), ObjectiveSetup.NONE).apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        assertEquals(ce, Objectives.parse("l-softmax:m=1", ObjectiveSetup.NONE).apply(m, b, ObjectiveTestKit.context(0)).loss().item(), 1e-13);
    }

    @Test
    void trueLogitFollowsPsi() {
        // h = (1, 0), ||W_y|| = 2 at 60 and 120 degrees, m = 2: psi(60) = cos 120 = -1/2; psi(120) = -cos 240 - 2 = -3/2
        Tensor h = Tensor.of(new double[]{1, 0, 1, 0}, 2, 2);
        double c = Math.cos(Math.PI / 3), s = Math.sin(Math.PI / 3);
        Tensor w = Tensor.of(new double[]{2 * c, 2 * s, -2 * c, 2 * s}, 2, 2);
        Tensor y = Tensor.ofInts(new int[]{0, 1}, 2);
        double[] z = LargeMarginSoftmaxObjective.marginLogits(h, w, null, y, 2, 0).toDoubleArray();
        assertEquals(2 * -0.5, z[0], 1e-12);
        assertEquals(2 * c * -1, z[1], 1e-12);  // other classes keep W_k . h
        assertEquals(2 * c, z[2], 1e-12);
        assertEquals(2 * -1.5, z[3], 1e-12);
    }

    @Test
    void lowersItsLoss() {
        ObjectiveTestKit.assertLowersItsLoss("l-softmax", Objectives.parse("l-softmax:m=2", ObjectiveSetup.NONE), 30, 0.1);
    }

    @Test
    void rejectsModelsWithoutALinearHead() {
        Generator g = new Generator(1);
        Sequential m = new Sequential(new Linear(36, 3, true, g), new Activation(Activation.Kind.TANH));
        Batch b = new Batch(Tensor.rand(g, DType.FLOAT32, 2, 36), Tensor.ofInts(new int[]{0, 1}, 2), new int[2]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Objectives.parse("l-softmax", ObjectiveSetup.NONE).apply(m, b, ObjectiveTestKit.context(0)));
        assertTrue(e.getMessage().contains("last layer is a linear layer") && e.getMessage().contains("Activation"), e.getMessage());
    }

    @Test
    void adversarialModeRaisesTheLossAndStillLowersIt() {
        dev.brink.nn.spec.SpecModel m = ObjectiveTestKit.tinyConvNet(3, dev.brink.engine.DType.FLOAT64);
        Batch b = ObjectiveTestKit.tinyBatch(6, 1, dev.brink.engine.DType.FLOAT64);
        ObjectiveSetup setup = new ObjectiveSetup(dev.brink.robust.eval.AttackSpec.parse("pgd:steps=5,eps=0.1,step=0.03,norm=linf"));
        double clean = Objectives.parse("l-softmax:m=2", setup).apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        double adv = Objectives.parse("l-softmax:m=2,adversarial=true", setup).apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        org.junit.jupiter.api.Assertions.assertTrue(adv > clean, "adversarial " + adv + " vs clean " + clean);
        ObjectiveTestKit.assertLowersItsLoss("l-softmax adversarial", Objectives.parse("l-softmax:m=2,adversarial=true", setup), 30, 0.1);
    }

    @Test
    void softeningWeightIsAnnealedFromLambdaStartToLambda() {
        LargeMarginSoftmaxObjective o = (LargeMarginSoftmaxObjective) Objectives.parse("l-softmax:m=4", ObjectiveSetup.NONE);
        assertEquals(1000, o.lambdaAt(0), 1e-12);
        assertEquals(1000 * Math.pow(0.99, 100), o.lambdaAt(100), 1e-9);
        assertEquals(0, o.lambdaAt(100_000), 1e-12);
        LargeMarginSoftmaxObjective floor = (LargeMarginSoftmaxObjective) Objectives.parse("l-softmax:lambda=5,lambda-start=50,lambda-decay=0.5", ObjectiveSetup.NONE);
        assertEquals(50, floor.lambdaAt(0), 1e-12);
        assertEquals(5, floor.lambdaAt(10), 1e-12);
        assertEquals(2, ((LargeMarginSoftmaxObjective) Objectives.parse("l-softmax:lambda=2,lambda-start=0", ObjectiveSetup.NONE)).lambdaAt(0), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Objectives.parse("l-softmax:lambda-decay=1.5", ObjectiveSetup.NONE));

        // early in training the loss is close to cross-entropy (the weight is large), late it is the margin loss
        var m = ObjectiveTestKit.tinyConvNet(3, dev.brink.engine.DType.FLOAT64);
        var b = ObjectiveTestKit.tinyBatch(6, 1, dev.brink.engine.DType.FLOAT64);
        double ce = Objectives.parse("cross-entropy", ObjectiveSetup.NONE).apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        double early = o.apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        var late = new dev.brink.nn.train.TrainingContext(0, 1, 100_000, 1, 1, new dev.brink.engine.Generator(0));
        double pure = o.apply(m, b, late).loss().item();
        assertTrue(Math.abs(early - ce) < 0.01 * Math.abs(pure - ce), "early " + early + ", ce " + ce + ", late " + pure);
    }
}

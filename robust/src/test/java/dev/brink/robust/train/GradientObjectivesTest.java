package dev.brink.robust.train;

import dev.brink.engine.check.GradCheck;
import dev.brink.nn.train.Objective;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The double-backprop regularizers ({@code input-gradient}, {@code jacobian-reg} with each norm, {@code emr} exact
 * and approximate): weight gradients against finite differences in float64, each lowers its own loss, options.
 */
class GradientObjectivesTest {
    static final String[] SPECS = {
            "input-gradient:lambda=0.7",
            "jacobian-reg:lambda=0.5,norm=l1",
            "jacobian-reg:lambda=0.5,norm=l2",
            "jacobian-reg:lambda=0.5,norm=linf",
            "emr:lambda=0.3,method=exact",
            "emr:lambda=0.3,method=approx,t=1e6",
    };

    @Test
    void weightGradientsMatchFiniteDifferences() {
        for (String spec : SPECS) {
            GradCheck.Report r = ObjectiveTestKit.assertWeightGradientMatchesFiniteDifferences(spec, Objectives.parse(spec, ObjectiveSetup.NONE));
            assertTrue(r.elementsChecked() > 40, spec + ": " + r);
        }
    }

    @Test
    void penaltiesAloneAlsoMatchFiniteDifferencesInEvalMode() {
        for (String spec : new String[] {"input-gradient:ce=false,mode=eval", "jacobian-reg:ce=false,mode=eval", "emr:ce=false,method=exact"})
            ObjectiveTestKit.assertWeightGradientMatchesFiniteDifferences(spec, Objectives.parse(spec, ObjectiveSetup.NONE));
    }

    /**
     * Approximate EMR detaches its softmax weights p = softmax(z / t) (Liu and Chan), so its gradient is not the
     * derivative of its value unless p is held fixed: with p frozen at the unperturbed model's weights (t = 0.5 and
     * t = 1, far from uniform) the double-backprop weight gradient matches finite differences. (The registry case
     * above uses t = 1e6, where p is uniform to 1e-6.)
     */
    @Test
    void approximateEmrWithFrozenWeightsMatchesFiniteDifferences() {
        for (double t : new double[] {0.5, 1}) {
            var m = ObjectiveTestKit.tinyConvNet(11, dev.brink.engine.DType.FLOAT64);
            var b = ObjectiveTestKit.tinyBatch(6, 5, dev.brink.engine.DType.FLOAT64);
            dev.brink.engine.Tensor p;
            try (var s = dev.brink.engine.GradMode.noGrad()) {
                p = m.forward(b.x()).div(t).softmax(1).detach();
            }
            dev.brink.engine.Tensor frozen = p;
            Objective o = (model, batch, context) -> new Objective.Outcome(EmrObjective.approx(model, batch.x(), frozen), null);
            ObjectiveTestKit.assertWeightGradientMatchesFiniteDifferences("emr approx frozen t=" + t, o);
        }
    }

    @Test
    void eachLowersItsLoss() {
        String[] specs = SPECS.clone();
        specs[1] = "jacobian-reg:lambda=0.1,norm=l1"; // the L1 norm of a 36-pixel gradient is large: a smaller weight keeps SGD stable
        specs[5] = "emr:lambda=0.3,method=approx,t=0.5";
        for (String spec : specs) ObjectiveTestKit.assertLowersItsLoss(spec, Objectives.parse(spec, ObjectiveSetup.NONE), 30, 0.3);
    }

    @Test
    void penaltyAloneHasNoLogitsAndReportsItsRegularizer() {
        var m = ObjectiveTestKit.tinyConvNet(3, dev.brink.engine.DType.FLOAT64);
        var b = ObjectiveTestKit.tinyBatch(6, 1, dev.brink.engine.DType.FLOAT64);
        for (String name : new String[] {"input-gradient", "jacobian-reg", "emr"}) {
            Objective.Outcome alone = Objectives.parse(name + ":ce=false", ObjectiveSetup.NONE).apply(m, b, ObjectiveTestKit.context(0));
            Objective.Outcome with = Objectives.parse(name, ObjectiveSetup.NONE).apply(m, b, ObjectiveTestKit.context(0));
            assertNull(alone.logits(), name);
            assertEquals(alone.loss().item(), alone.regularizer().item(), 1e-12, name);
            assertEquals(with.regularizer().item(), alone.regularizer().item(), 1e-12, name);
            assertTrue(with.loss().item() > alone.loss().item(), name + ": the clean CE is added");
        }
    }

    @Test
    void emrWeightDecaysWithTheLearningRate() {
        var m = ObjectiveTestKit.tinyConvNet(3, dev.brink.engine.DType.FLOAT64);
        var b = ObjectiveTestKit.tinyBatch(6, 1, dev.brink.engine.DType.FLOAT64);
        var gen = new dev.brink.engine.Generator(0);
        var start = new dev.brink.nn.train.TrainingContext(0, 100, 0, 0.1, 0.1, gen);
        var decayed = new dev.brink.nn.train.TrainingContext(60, 100, 0, 0.01, 0.1, gen);
        Objective emr = Objectives.parse("emr:ce=false", ObjectiveSetup.NONE);
        assertEquals(emr.apply(m, b, start).loss().item() / 10, emr.apply(m, b, decayed).loss().item(), 1e-12);
        Objective fixed = Objectives.parse("emr:ce=false,decay=false", ObjectiveSetup.NONE);
        assertEquals(fixed.apply(m, b, start).loss().item(), fixed.apply(m, b, decayed).loss().item(), 1e-12);
    }

    @Test
    void adversarialInputsComeFromTheTrainAttackAndRestoreTheMode() {
        var m = ObjectiveTestKit.tinyConvNet(3, dev.brink.engine.DType.FLOAT64);
        var b = ObjectiveTestKit.tinyBatch(6, 1, dev.brink.engine.DType.FLOAT64);
        ObjectiveSetup setup = new ObjectiveSetup(dev.brink.robust.eval.AttackSpec.parse("fgsm:eps=0.1"));
        double clean = Objectives.parse("emr:ce=false", setup).apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        double adv = Objectives.parse("emr:ce=false,on=adversarial", setup).apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        assertTrue(m.isTraining());
        assertTrue(Double.isFinite(adv) && Math.abs(adv - clean) > 1e-9, clean + " vs " + adv);
    }

    @Test
    void badOptionsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> Objectives.parse("jacobian-reg:norm=l3", ObjectiveSetup.NONE));
        assertThrows(IllegalArgumentException.class, () -> Objectives.parse("emr:method=fast", ObjectiveSetup.NONE));
        assertThrows(IllegalArgumentException.class, () -> Objectives.parse("emr:t=0", ObjectiveSetup.NONE));
        assertThrows(IllegalArgumentException.class, () -> Objectives.parse("input-gradient:lambda=-1", ObjectiveSetup.NONE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Objectives.parse("emr:temperature=2", ObjectiveSetup.NONE));
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
        assertTrue(Objectives.names().containsAll(java.util.List.of("input-gradient", "jacobian-reg", "emr")));
        assertTrue(Objectives.help().contains("Liu and Chan"));
        Objectives.create("emr", Map.of("method", "approx", "t", "40"), ObjectiveSetup.NONE);
    }
}

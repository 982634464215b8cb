package dev.brink.robust.train;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Batch;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Objective;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrossEntropyObjectiveTest {
    @Test
    void penaltiesAddExactlyTheirSumsOverWeightMatrices() {
        SpecModel m = ObjectiveTestKit.tinyConvNet(3, DType.FLOAT64);
        Batch b = ObjectiveTestKit.tinyBatch(6, 1, DType.FLOAT64);
        double ce = Objectives.create("cross-entropy", Map.of(), ObjectiveSetup.NONE).apply(m, b, ObjectiveTestKit.context(0)).loss().item();
        double l1 = 0, l2 = 0;
        for (var e : m.trainableParameters().entrySet()) {
            if (e.getValue().dim() < 2) continue;
            for (double w : e.getValue().toDoubleArray()) {
                l1 += Math.abs(w);
                l2 += w * w;
            }
        }
        Objective.Outcome o = Objectives.parse("cross-entropy:l1=0.01,l2=0.1", ObjectiveSetup.NONE).apply(m, b, ObjectiveTestKit.context(0));
        assertEquals(ce + 0.01 * l1 + 0.1 * l2, o.loss().item(), 1e-12);
        assertEquals(0.01 * l1 + 0.1 * l2, o.regularizer().item(), 1e-12);
    }

    @Test
    void weightGradientMatchesFiniteDifferences() {
        var r = ObjectiveTestKit.assertWeightGradientMatchesFiniteDifferences("ce+l2",
                Objectives.parse("cross-entropy:label-smoothing=0.1,l2=0.05", ObjectiveSetup.NONE));
        assertTrue(r.elementsChecked() > 40, r.toString());
    }

    @Test
    void lowersItsLoss() {
        ObjectiveTestKit.assertLowersItsLoss("cross-entropy", Objectives.parse("cross-entropy:label-smoothing=0.1", ObjectiveSetup.NONE), 30, 0.5);
    }

    @Test
    void badOptionsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Objectives.parse("cross-entropy:smoothing=0.1", ObjectiveSetup.NONE));
        assertTrue(e.getMessage().contains("smoothing") && e.getMessage().contains("label-smoothing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Objectives.parse("nope", ObjectiveSetup.NONE));
        assertTrue(e.getMessage().contains("unknown objective 'nope'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Objectives.parse("cross-entropy:label-smoothing=1.5", ObjectiveSetup.NONE));
    }
}

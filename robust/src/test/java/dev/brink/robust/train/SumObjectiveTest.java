package dev.brink.robust.train;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.nn.data.Batch;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Summed objectives ({@code --objective A --objective B}): losses and regularizers add, the first logits are reported. */
class SumObjectiveTest {
    @Test
    void lossesAndRegularizersAddAndTheFirstLogitsAreReported() {
        SpecModel m = ObjectiveTestKit.tinyConvNet(1, DType.FLOAT64);
        Batch b = ObjectiveTestKit.tinyBatch(6, 2, DType.FLOAT64);
        TrainingContext c = TrainingContext.standalone(new Generator(0));
        Objective.Outcome a = Objectives.parse("cross-entropy:l2=0.01", ObjectiveSetup.NONE).apply(m, b, c);
        Objective.Outcome s = Objectives.parse("cross-entropy:label-smoothing=0.2,l1=0.003", ObjectiveSetup.NONE).apply(m, b, c);
        Objective.Outcome sum = Objectives.parseAll(List.of("cross-entropy:l2=0.01", "cross-entropy:label-smoothing=0.2,l1=0.003"), ObjectiveSetup.NONE)
                .apply(m, b, c);
        assertEquals(a.loss().item() + s.loss().item(), sum.loss().item(), 1e-12);
        assertEquals(a.regularizer().item() + s.regularizer().item(), sum.regularizer().item(), 1e-12);
        assertArrayEquals(a.logits().toDoubleArray(), sum.logits().toDoubleArray(), 0);
        // the summed loss's weight gradient is the sum of the parts' (it is one graph)
        ObjectiveTestKit.assertWeightGradientMatchesFiniteDifferences("sum",
                Objectives.parseAll(List.of("cross-entropy:l2=0.01", "cross-entropy:label-smoothing=0.2"), ObjectiveSetup.NONE));
    }

    @Test
    void aSingleObjectiveIsNotWrappedAndAnEmptySumIsAnError() {
        Objective one = Objectives.parseAll(List.of("cross-entropy"), ObjectiveSetup.NONE);
        assertFalse(one instanceof SumObjective);
        assertInstanceOf(SumObjective.class, Objectives.parseAll(List.of("cross-entropy", "cross-entropy"), ObjectiveSetup.NONE));
        assertThrows(IllegalArgumentException.class, () -> Objectives.parseAll(List.of(), ObjectiveSetup.NONE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Objectives.parseAll(List.of("cross-entropy", "no-such-objective"), ObjectiveSetup.NONE));
        assertTrue(e.getMessage().contains("unknown objective 'no-such-objective'"), e.getMessage());
    }

    @Test
    void withoutRegularizersTheSumReportsNone() {
        SpecModel m = ObjectiveTestKit.tinyConvNet(3, DType.FLOAT32);
        Batch b = ObjectiveTestKit.tinyBatch(6, 4, DType.FLOAT32);
        Objective.Outcome o = Objectives.parseAll(List.of("cross-entropy", "cross-entropy"), ObjectiveSetup.NONE)
                .apply(m, b, TrainingContext.standalone(new Generator(0)));
        assertNull(o.regularizer());
    }
}

package dev.brink.examples;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Runs every example, so that a change to the engine's API or numbers breaks this build. */
class ExamplesTest {
    @Test
    void quickStartRuns() {
        QuickStart.main(new String[0]);
    }

    @Test
    void gradientMatchesTheClosedForm() {
        GradientExample.Result r = GradientExample.run();
        assertTrue(r.weightError() < GradientExample.TOLERANCE, "dL/dW error " + r.weightError());
        assertTrue(r.biasError() < GradientExample.TOLERANCE, "dL/db error " + r.biasError());
        assertTrue(r.loss() > 0);
    }

    @Test
    void hessianVectorProductMatchesFiniteDifferences() {
        HessianVectorExample.Result r = HessianVectorExample.run();
        assertTrue(r.hvpError() < HessianVectorExample.TOLERANCE, "hvp error " + r.hvpError());
        assertTrue(r.manualError() < HessianVectorExample.TOLERANCE, "double-backprop error " + r.manualError());
    }

    @Test
    void jacobianRowsMatchTheClosedForm() {
        JacobianRowsExample.Result r = JacobianRowsExample.run();
        assertArrayEquals(new int[] {2, 2, 3}, r.shape());
        assertTrue(r.rowsError() < JacobianRowsExample.TOLERANCE, "rows error " + r.rowsError());
        assertTrue(r.seededError() < JacobianRowsExample.TOLERANCE, "seeded row error " + r.seededError());
    }

    @Test
    void theArrayCheckerFindsTheOffByOneBugOfAHandWrittenGradient() {
        GradientTestingExample.Result r = GradientTestingExample.run();
        assertFalse(r.buggy().passed());
        // the bug leaves column 3 of dW1 (the last input) at 0: exactly those three elements are named
        assertEquals(3, r.buggy().failures().size(), r.buggy().message());
        for (var e : r.buggy().failures()) {
            assertEquals(3, e.index()[1], r.buggy().message());
            assertEquals(0.0, e.claimed());
            assertEquals(e.finiteDifference(), e.brink(), 1e-9);
        }
        assertTrue(r.buggy().message().startsWith("gradient of dL/dW1 [3, 4]: FAILED, 3 of 12 elements off"), r.buggy().message());
        assertTrue(r.fixed().passed(), r.fixed().message());
    }

    @Test
    void trainingLoopLearnsXor() {
        TrainingLoopExample.Result r = TrainingLoopExample.run();
        assertTrue(r.finalLoss() < TrainingLoopExample.MAX_FINAL_LOSS && r.finalLoss() < r.initialLoss(),
                "loss " + r.initialLoss() + " -> " + r.finalLoss());
        assertTrue(r.testAccuracy() >= TrainingLoopExample.MIN_TEST_ACCURACY, "test accuracy " + r.testAccuracy());
    }
}

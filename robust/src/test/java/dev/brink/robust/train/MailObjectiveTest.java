package dev.brink.robust.train;

import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MailObjectiveTest {
    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void weightsMatchAHandComputedCase() {
        // p = (1/4, 3/4) with y = 0: margin -1/2; p = (3/4, 1/4) with y = 0: margin 1/2
        Tensor logits = Tensor.of(new double[]{0, Math.log(3), Math.log(3), 0}, 2, 2);
        Tensor y = Tensor.ofInts(new int[]{0, 0}, 2);
        double w0 = sigmoid(-30 * (-0.5 - 0.07)), w1 = sigmoid(-30 * (0.5 - 0.07));
        double[] w = MailObjective.weights(logits, y, 30, 0.07).toDoubleArray();
        assertEquals(2 * w0 / (w0 + w1), w[0], 1e-14);
        assertEquals(2 * w1 / (w0 + w1), w[1], 1e-14);
    }

    @Test
    void lowersItsLossInBothVariants() {
        ObjectiveTestKit.assertLowersItsLoss("mail", Objectives.parse("mail", ObjectiveSetup.NONE), 30, 0.5);
        ObjectiveTestKit.assertLowersItsLoss("mail:base=trades", Objectives.parse("mail:base=trades", ObjectiveSetup.NONE), 30, 0.5);
    }

    @Test
    void badBaseIsNamed() {
        assertThrows(IllegalArgumentException.class, () -> Objectives.parse("mail:base=mart", ObjectiveSetup.NONE));
    }
}

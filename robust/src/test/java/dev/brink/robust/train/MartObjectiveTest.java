package dev.brink.robust.train;

import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MartObjectiveTest {
    @Test
    void weightingMatchesAHandComputedCase() {
        // row 0, y = 0: clean p = (1/4, 3/4) so the KL weight is 1 - 1/4; adversarial p' = (1/2, 1/2)
        // row 1, y = 1: clean p = (1/2, 1/2) (weight 1/2); adversarial p' = (3/4, 1/4)
        Tensor clean = Tensor.of(new double[]{0, Math.log(3), 0, 0}, 2, 2);
        Tensor adv = Tensor.of(new double[]{0, 0, Math.log(3), 0}, 2, 2);
        Tensor y = Tensor.ofInts(new int[]{0, 1}, 2);
        Tensor[] t = MartObjective.terms(clean, adv, y);
        double bce0 = -Math.log(0.5) - Math.log(1.0001 - 0.5 + 1e-12);
        double bce1 = -Math.log(0.25) - Math.log(1.0001 - 0.75 + 1e-12);
        assertEquals((bce0 + bce1) / 2, t[0].item(), 1e-14);
        double kl0 = 0.25 * Math.log(0.25 / 0.5) + 0.75 * Math.log(0.75 / 0.5);
        double kl1 = 0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25);
        assertEquals((kl0 * (1.0000001 - 0.25) + kl1 * (1.0000001 - 0.5)) / 2, t[1].item(), 1e-11);
    }

    @Test
    void lowersItsLoss() {
        ObjectiveTestKit.assertLowersItsLoss("mart", Objectives.parse("mart", ObjectiveSetup.NONE), 30, 0.5);
    }
}

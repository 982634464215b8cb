package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Arrays;

/**
 * Decays by {@code gamma} at each milestone: {@code value(e) = base * gamma^(number of milestones <= e)}, the closed
 * form of PyTorch's {@code MultiStepLR}. Milestones may be given in any order; a repeated milestone applies
 * {@code gamma} once per occurrence (as PyTorch's Counter does). JSON:
 * {@code {"type":"multi_step","base":..,"milestones":[..],"gamma":..}}.
 *
 * @param base the value at epoch 0 (finite)
 * @param milestones the epochs at which the value is multiplied by gamma (copied, kept sorted)
 * @param gamma the multiplicative factor (finite)
 */
public record MultiStep(double base, int[] milestones, double gamma) implements Schedule {
    /** Validates the arguments and sorts a copy of the milestones. */
    public MultiStep {
        ScheduleJson.requireFinite("MultiStep", "base", base);
        ScheduleJson.requireFinite("MultiStep", "gamma", gamma);
        if (milestones == null) throw new IllegalArgumentException("MultiStep: milestones is null");
        milestones = milestones.clone();
        Arrays.sort(milestones);
    }

    /** The sorted milestones (a copy). */
    @Override
    public int[] milestones() {
        return milestones.clone();
    }

    @Override
    public double value(int epoch) {
        ScheduleJson.checkEpoch(epoch);
        int passed = 0;
        while (passed < milestones.length && milestones[passed] <= epoch) passed++;
        return base * Math.pow(gamma, passed);
    }

    @Override
    public String toJson() {
        ObjectNode n = Json.object("multi_step");
        n.put("base", base);
        ArrayNode a = n.putArray("milestones");
        for (int m : milestones) a.add(m);
        n.put("gamma", gamma);
        return Json.write(n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MultiStep m && Double.compare(base, m.base) == 0 && Double.compare(gamma, m.gamma) == 0
                && Arrays.equals(milestones, m.milestones);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Double.hashCode(base) + Arrays.hashCode(milestones)) + Double.hashCode(gamma);
    }

    @Override
    public String toString() {
        return "MultiStep[base=" + base + ", milestones=" + Arrays.toString(milestones) + ", gamma=" + gamma + "]";
    }
}

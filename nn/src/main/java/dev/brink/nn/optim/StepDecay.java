package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Decays by {@code gamma} every {@code stepSize} epochs: {@code value(e) = base * gamma^floor(e / stepSize)}, the
 * closed form of PyTorch's {@code StepLR}. JSON: {@code {"type":"step","base":..,"step_size":..,"gamma":..}}.
 *
 * @param base the value at epoch 0 (finite)
 * @param stepSize epochs per decay ({@code >= 1})
 * @param gamma the multiplicative factor (finite)
 */
public record StepDecay(double base, int stepSize, double gamma) implements Schedule {
    /** Validates the arguments. */
    public StepDecay {
        ScheduleJson.requireFinite("StepDecay", "base", base);
        ScheduleJson.requirePositive("StepDecay", "step_size", stepSize);
        ScheduleJson.requireFinite("StepDecay", "gamma", gamma);
    }

    @Override
    public double value(int epoch) {
        ScheduleJson.checkEpoch(epoch);
        return base * Math.pow(gamma, epoch / stepSize);
    }

    @Override
    public String toJson() {
        ObjectNode n = Json.object("step");
        n.put("base", base);
        n.put("step_size", stepSize);
        n.put("gamma", gamma);
        return Json.write(n);
    }
}

package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A linear ramp of the factor from {@code startFactor} to {@code endFactor} over {@code totalIters} epochs, then
 * constant: {@code value(e) = base * (startFactor + (endFactor - startFactor) * min(e, totalIters) / totalIters)},
 * the closed form of PyTorch's {@code LinearLR}. JSON:
 * {@code {"type":"linear","base":..,"start_factor":..,"end_factor":..,"total_iters":..}}.
 *
 * @param base the reference value (finite)
 * @param startFactor the factor at epoch 0 (finite)
 * @param endFactor the factor from epoch {@code totalIters} on (finite)
 * @param totalIters length of the ramp ({@code >= 1})
 */
public record Linear(double base, double startFactor, double endFactor, int totalIters) implements Schedule {
    /** Validates the arguments. */
    public Linear {
        ScheduleJson.requireFinite("Linear", "base", base);
        ScheduleJson.requireFinite("Linear", "start_factor", startFactor);
        ScheduleJson.requireFinite("Linear", "end_factor", endFactor);
        ScheduleJson.requirePositive("Linear", "total_iters", totalIters);
    }

    @Override
    public double value(int epoch) {
        ScheduleJson.checkEpoch(epoch);
        return base * (startFactor + (endFactor - startFactor) * Math.min(totalIters, epoch) / totalIters);
    }

    @Override
    public String toJson() {
        ObjectNode n = Json.object("linear");
        n.put("base", base);
        n.put("start_factor", startFactor);
        n.put("end_factor", endFactor);
        n.put("total_iters", totalIters);
        return Json.write(n);
    }
}

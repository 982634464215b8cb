package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Objects;

/**
 * A value that follows another schedule's relative change: {@code value(e) = base * reference.value(e) /
 * reference.value(0)}. For example a regularization weight that decays with the learning rate:
 * {@code Schedule.proportionalTo(lrSchedule, 5e-4)}. JSON:
 * {@code {"type":"proportional","reference":{..},"base":..}}.
 *
 * @param reference the schedule to follow; {@code reference.value(0)} must be finite and nonzero
 * @param base the value at epoch 0 (finite)
 */
public record Proportional(Schedule reference, double base) implements Schedule {
    /** Validates the arguments. */
    public Proportional {
        Objects.requireNonNull(reference, "reference");
        ScheduleJson.requireFinite("Proportional", "base", base);
        double r0 = reference.value(0);
        if (r0 == 0 || !Double.isFinite(r0))
            throw new IllegalArgumentException("Proportional: the reference schedule's value at epoch 0 is " + r0 + "; it must be finite and nonzero");
    }

    @Override
    public double value(int epoch) {
        ScheduleJson.checkEpoch(epoch);
        return base * reference.value(epoch) / reference.value(0);
    }

    @Override
    public String toJson() {
        ObjectNode n = Json.object("proportional");
        n.set("reference", ScheduleJson.node(reference));
        n.put("base", base);
        return Json.write(n);
    }
}

package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The same value at every epoch. JSON: {@code {"type":"constant","base":..}}.
 *
 * @param base the value (finite)
 */
public record Constant(double base) implements Schedule {
    /** Validates the value. */
    public Constant {
        ScheduleJson.requireFinite("Constant", "base", base);
    }

    @Override
    public double value(int epoch) {
        ScheduleJson.checkEpoch(epoch);
        return base;
    }

    @Override
    public String toJson() {
        ObjectNode n = Json.object("constant");
        n.put("base", base);
        return Json.write(n);
    }
}

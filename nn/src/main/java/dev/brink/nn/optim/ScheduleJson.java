package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reading schedules from JSON, and checks shared by the schedule records. */
final class ScheduleJson {
    private ScheduleJson() {}

    static Schedule parse(ObjectNode n) {
        String type = Json.type(n, "schedule");
        String what = "schedule " + type;
        return switch (type) {
            case "constant" -> {
                Json.checkFields(n, what, "base");
                yield new Constant(Json.num(n, "base", Double.NaN, what));
            }
            case "step" -> {
                Json.checkFields(n, what, "base", "step_size", "gamma");
                yield new StepDecay(Json.num(n, "base", Double.NaN, what), Json.integer(n, "step_size", what),
                        Json.num(n, "gamma", Double.NaN, what));
            }
            case "multi_step" -> {
                Json.checkFields(n, what, "base", "milestones", "gamma");
                JsonNode ms = n.get("milestones");
                if (ms == null || !ms.isArray()) throw new IllegalArgumentException(what + ": field \"milestones\" must be an array of integers, got " + ms);
                int[] m = new int[ms.size()];
                for (int i = 0; i < m.length; i++) {
                    JsonNode v = ms.get(i);
                    if (!v.isIntegralNumber() || !v.canConvertToInt())
                        throw new IllegalArgumentException(what + ": milestone " + i + " must be an integer, got " + v);
                    m[i] = v.intValue();
                }
                yield new MultiStep(Json.num(n, "base", Double.NaN, what), m, Json.num(n, "gamma", Double.NaN, what));
            }
            case "cosine" -> {
                Json.checkFields(n, what, "base", "total_epochs", "min");
                yield new Cosine(Json.num(n, "base", Double.NaN, what), Json.integer(n, "total_epochs", what),
                        Json.num(n, "min", 0, what));
            }
            case "linear" -> {
                Json.checkFields(n, what, "base", "start_factor", "end_factor", "total_iters");
                yield new Linear(Json.num(n, "base", Double.NaN, what), Json.num(n, "start_factor", Double.NaN, what),
                        Json.num(n, "end_factor", Double.NaN, what), Json.integer(n, "total_iters", what));
            }
            case "warmup" -> {
                Json.checkFields(n, what, "after", "warmup_epochs", "start_factor");
                yield new Warmup(parse(Json.asObject(n.get("after"), what + ": field \"after\"")),
                        Json.integer(n, "warmup_epochs", what), Json.num(n, "start_factor", Double.NaN, what));
            }
            case "proportional" -> {
                Json.checkFields(n, what, "reference", "base");
                yield new Proportional(parse(Json.asObject(n.get("reference"), what + ": field \"reference\"")),
                        Json.num(n, "base", Double.NaN, what));
            }
            default -> throw new IllegalArgumentException("schedule: unknown type \"" + type
                    + "\" (known: constant, step, multi_step, cosine, linear, warmup, proportional)");
        };
    }

    /** The JSON object of a nested schedule (through its public {@link Schedule#toJson()}). */
    static ObjectNode node(Schedule s) {
        return Json.parse(s.toJson(), "schedule");
    }

    static void checkEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("schedule: epoch " + epoch + " is negative (epochs count from 0)");
    }

    static void requireFinite(String what, String field, double v) {
        if (!Double.isFinite(v)) throw new IllegalArgumentException(what + ": " + field + " must be finite, got " + v);
    }

    static void requirePositive(String what, String field, int v) {
        if (v < 1) throw new IllegalArgumentException(what + ": " + field + " must be >= 1, got " + v);
    }
}

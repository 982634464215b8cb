package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Objects;

/**
 * Linear warmup multiplied onto another schedule:
 * {@code value(e) = after.value(e) * (startFactor + (1 - startFactor) * min(e, warmupEpochs) / warmupEpochs)}.
 * The factor ramps from {@code startFactor} at epoch 0 to 1 at {@code warmupEpochs}. {@code after} keeps counting
 * from epoch 0 (it is not restarted when the warmup ends): PyTorch's
 * {@code ChainedScheduler([LinearLR(start_factor, 1.0, warmupEpochs), after])}, not {@code SequentialLR}. JSON:
 * {@code {"type":"warmup","after":{..},"warmup_epochs":..,"start_factor":..}}.
 *
 * @param after the schedule being warmed up
 * @param warmupEpochs length of the ramp ({@code >= 1})
 * @param startFactor the factor at epoch 0 (finite)
 */
public record Warmup(Schedule after, int warmupEpochs, double startFactor) implements Schedule {
    /** Validates the arguments. */
    public Warmup {
        Objects.requireNonNull(after, "after");
        ScheduleJson.requirePositive("Warmup", "warmup_epochs", warmupEpochs);
        ScheduleJson.requireFinite("Warmup", "start_factor", startFactor);
    }

    @Override
    public double value(int epoch) {
        ScheduleJson.checkEpoch(epoch);
        return after.value(epoch) * (startFactor + (1 - startFactor) * Math.min(warmupEpochs, epoch) / warmupEpochs);
    }

    @Override
    public String toJson() {
        ObjectNode n = Json.object("warmup");
        n.set("after", ScheduleJson.node(after));
        n.put("warmup_epochs", warmupEpochs);
        n.put("start_factor", startFactor);
        return Json.write(n);
    }
}

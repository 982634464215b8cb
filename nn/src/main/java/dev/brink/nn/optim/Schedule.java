package dev.brink.nn.optim;

/**
 * A scalar as a function of the epoch: a learning rate, a regularization weight, an attack epsilon...
 *
 * <p><b>Epochs count from 0</b>: {@code value(0)} is the value for the first epoch (PyTorch's {@code last_epoch}
 * after {@code k} calls of {@code scheduler.step()} is {@code k}, and {@code value(k)} equals the learning rate
 * PyTorch's scheduler has set by then). The same schedules work per step (pass the step index instead). Negative
 * epochs are an error.
 *
 * <p>Built-in schedules are immutable records with PyTorch's closed forms: {@link Constant}, {@link StepDecay}
 * (StepLR), {@link MultiStep} (MultiStepLR), {@link Cosine} (CosineAnnealingLR), {@link Linear} (LinearLR),
 * {@link Warmup} (LinearLR warmup chained with another schedule) and {@link Proportional}. They serialize with
 * {@link #toJson()} and {@link #fromJson(String)} (for checkpoints), e.g.
 * {@code {"type":"step","base":0.1,"step_size":30,"gamma":0.1}}.
 *
 * <p>Typical use: {@code optimizer.setLearningRate(lr.value(epoch))} at the start of each epoch, and
 * {@code lambda = Schedule.proportionalTo(lr, lambda0).value(epoch)} for a regularization weight that decays with the
 * learning rate. A lambda is a schedule too ({@code Schedule s = e -> 0.1 / (1 + e)}), but has no JSON form.
 */
@FunctionalInterface
public interface Schedule {
    /** The value at {@code epoch} (0-based, {@code >= 0}). */
    double value(int epoch);

    /**
     * This schedule as a JSON object with a {@code "type"} field, read back by {@link #fromJson}. Doubles are
     * written so that they parse back to the same value. The default throws: custom schedules have no JSON form.
     */
    default String toJson() {
        throw new UnsupportedOperationException("schedule " + this + " has no JSON form (only the built-in schedules do)");
    }

    /**
     * Reads a schedule written by {@link #toJson()}. Types: {@code constant {base}}, {@code step {base, step_size,
     * gamma}}, {@code multi_step {base, milestones, gamma}}, {@code cosine {base, total_epochs, min}},
     * {@code linear {base, start_factor, end_factor, total_iters}}, {@code warmup {after, warmup_epochs,
     * start_factor}}, {@code proportional {reference, base}}.
     *
     * @throws IllegalArgumentException for malformed JSON, an unknown type, or a missing, extra or invalid field
     */
    static Schedule fromJson(String json) {
        return ScheduleJson.parse(Json.parse(json, "schedule"));
    }

    /** The same value at every epoch. */
    static Constant constant(double value) {
        return new Constant(value);
    }

    /** {@code base * gamma^floor(epoch / stepSize)} (StepLR). */
    static StepDecay stepDecay(double base, int stepSize, double gamma) {
        return new StepDecay(base, stepSize, gamma);
    }

    /** {@code base * gamma^(number of milestones <= epoch)} (MultiStepLR). */
    static MultiStep multiStep(double base, int[] milestones, double gamma) {
        return new MultiStep(base, milestones, gamma);
    }

    /** {@code min + (base - min) * (1 + cos(pi * epoch / totalEpochs)) / 2} (CosineAnnealingLR). */
    static Cosine cosine(double base, int totalEpochs, double min) {
        return new Cosine(base, totalEpochs, min);
    }

    /** {@code base * (start + (end - start) * min(epoch, totalIters) / totalIters)} (LinearLR). */
    static Linear linear(double base, double startFactor, double endFactor, int totalIters) {
        return new Linear(base, startFactor, endFactor, totalIters);
    }

    /** {@code after} multiplied by a linear ramp from {@code startFactor} to 1 over {@code warmupEpochs} epochs. */
    static Warmup warmup(Schedule after, int warmupEpochs, double startFactor) {
        return new Warmup(after, warmupEpochs, startFactor);
    }

    /**
     * {@code base * lr.value(epoch) / lr.value(0)}: a scalar (such as a regularization weight) that starts at
     * {@code base} and follows {@code lr}'s relative decay. {@code lr.value(0)} must be finite and nonzero.
     */
    static Proportional proportionalTo(Schedule lr, double base) {
        return new Proportional(lr, base);
    }
}

package dev.brink.nn.train;

import dev.brink.nn.Module;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A per-epoch check of the model on a held-out validation split, run by the {@link Trainer} after each epoch's
 * training and before its checkpoint. The trainer keeps the model whose {@link Result#score() score} is the highest
 * so far beside the last one (Liu and Chan select models by validation robust accuracy). Implementations live where
 * the metrics do: the command line measures clean and robust accuracy with brink-robust's attacks.
 *
 * <p>An implementation must not draw from the training run's random stream (use a generator of its own, seeded
 * from the run's seed and the epoch), so that validating does not change the training numbers, and must leave the
 * model in the mode it found it in.
 */
@FunctionalInterface
public interface Validation {
    /**
     * Validates {@code model} after epoch {@code epoch} (0-based).
     *
     * @return named metrics (e.g. {@code val_clean}, {@code val_robust}, fractions in [0, 1]) and the score that
     *         selects the best model (higher is better)
     */
    Result validate(Module model, int epoch);

    /** Named metrics in a stable order, and the score to maximize (NaN: this epoch never counts as the best). */
    record Result(Map<String, Double> metrics, double score) {
        public Result {
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }
    }
}

package dev.brink.robust.attack;

import dev.brink.engine.Tensor;

/**
 * What counts as success: leaving the true class ({@link Untargeted}), reaching given classes ({@link Targeted}),
 * or reaching each sample's least-likely class under the clean input ({@link LeastLikely}).
 */
public sealed interface Goal {
    /** Success when the prediction differs from the label. */
    record Untargeted() implements Goal {}

    /** Success when the prediction equals {@code targets[i]} (int32 {@code [N]}). */
    record Targeted(Tensor targets) implements Goal {}

    /** Success when the prediction equals the class with the lowest clean logit. */
    record LeastLikely() implements Goal {}

    Goal UNTARGETED = new Untargeted();
    Goal LEAST_LIKELY = new LeastLikely();

    static Goal targeted(Tensor targets) {
        return new Targeted(targets);
    }

    /** True for the goals that aim at a class (targeted and least-likely). */
    default boolean isTargeted() {
        return !(this instanceof Untargeted);
    }
}

package dev.brink.robust.attack;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

import java.util.function.Function;

/**
 * The model under attack: a function from a batch {@code [N, ...]} in pixel space to logits {@code [N, K]}. It
 * counts forward passes ({@link #calls()}: one per batch evaluation, gradients included) so attacks can report
 * their cost. A module is put in evaluation mode.
 */
public final class Classifier {
    private final Function<Tensor, Tensor> logits;
    private long calls;

    public Classifier(Function<Tensor, Tensor> logits) {
        this.logits = logits;
    }

    /** Wraps a model in evaluation mode. */
    public static Classifier of(Module model) {
        model.eval();
        return new Classifier(model::forward);
    }

    /** Logits of a batch (recorded in the graph when x requires grad). */
    public Tensor logits(Tensor x) {
        calls++;
        return logits.apply(x);
    }

    /** Forward passes so far. */
    public long calls() {
        return calls;
    }
}

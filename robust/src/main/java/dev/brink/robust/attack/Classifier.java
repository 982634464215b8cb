package dev.brink.robust.attack;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

import java.util.function.Function;

/**
 * The model under attack: a function from a batch {@code [N, ...]} in pixel space to logits {@code [N, K]}. It
 * counts forward passes ({@link #calls()}: one per batch evaluation, gradients included) so attacks can report
 * their cost. A module is put in evaluation mode.
 *
 * <p>A one-logit model (binary logistic regression, {@code [N, 1]}: class 1 where the logit is positive) is seen
 * as the two-logit model {@code [0, z]}: its softmax cross-entropy is the binary cross-entropy of {@code z}, its
 * argmax the sign rule, and its margin {@code z}, so every attack and loss applies unchanged.
 */
public final class Classifier {
    private final Function<Tensor, Tensor> logits;
    private final String name;
    private long calls;

    public Classifier(Function<Tensor, Tensor> logits) {
        this(logits, "the model");
    }

    /**
     * A classifier called {@code name} in messages, e.g. {@code "model runs/a.safetensors"} (evaluations that refuse
     * a broken model name it so).
     */
    public Classifier(Function<Tensor, Tensor> logits, String name) {
        this.logits = logits;
        this.name = java.util.Objects.requireNonNull(name, "name");
    }

    /** Wraps a model in evaluation mode. */
    public static Classifier of(Module model) {
        return of(model, "the model");
    }

    /** Wraps a model in evaluation mode, called {@code name} in messages (e.g. {@code "model runs/a.safetensors"}). */
    public static Classifier of(Module model, String name) {
        model.eval();
        return new Classifier(model::forward, name);
    }

    /** How messages name the model: {@code "the model"} unless given. */
    public String name() {
        return name;
    }

    /** Logits of a batch (recorded in the graph when x requires grad). */
    public Tensor logits(Tensor x) {
        calls++;
        Tensor z = logits.apply(x);
        if (z.dim() == 2 && z.size(1) == 1) return Tensor.concat(1, z.zerosLike(), z);
        return z;
    }

    /** Forward passes so far. */
    public long calls() {
        return calls;
    }
}

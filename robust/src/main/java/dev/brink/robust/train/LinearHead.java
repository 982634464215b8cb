package dev.brink.robust.train;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.layer.Linear;
import dev.brink.nn.layer.Sequential;
import dev.brink.nn.spec.SpecModel;

import java.util.List;

/**
 * A model split before its last layer, for losses on the penultimate features (L-Softmax, hypersphere embedding):
 * the layers up to the last one, and the last layer, which must be a {@link Linear} ({@code weight [K, D]},
 * {@code bias [K]} or none). Works for {@link SpecModel}s (every zoo model) and {@link Sequential}s, also when the
 * last layer sits in a nested Sequential; anything else is an error naming the objective.
 */
public final class LinearHead {
    private final List<Module> body;
    private final Linear head;

    private LinearHead(List<Module> body, Linear head) {
        this.body = body;
        this.head = head;
    }

    /** The split of {@code model}; {@code objective} names the caller in the error for models without a linear head. */
    public static LinearHead of(Module model, String objective) {
        Module m = model instanceof SpecModel s ? s.layers() : model;
        java.util.ArrayList<Module> body = new java.util.ArrayList<>();
        while (m instanceof Sequential seq && seq.size() > 0) {
            List<Module> layers = seq.layers();
            body.addAll(layers.subList(0, layers.size() - 1));
            m = layers.get(layers.size() - 1);
            if (m instanceof Linear lin) return new LinearHead(List.copyOf(body), lin);
        }
        throw new IllegalArgumentException(objective + " needs a model whose last layer is a linear layer (it uses the penultimate features"
                + " and the classifier's weights), but " + model.getClass().getSimpleName() + " ends in "
                + (m == null ? "nothing" : m.getClass().getSimpleName()));
    }

    /** The penultimate features {@code [N, D]} of a batch (the model's forward pass without its last layer). */
    public Tensor features(Tensor x) {
        for (Module m : body) x = m.forward(x);
        return x;
    }

    /** The last layer's weight {@code [K, D]}. */
    public Tensor weight() {
        return head.namedParameters().get("weight");
    }

    /** The last layer's bias {@code [K]}, or null. */
    public Tensor bias() {
        return head.namedParameters().get("bias");
    }
}

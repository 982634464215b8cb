package dev.brink.robust.train;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

import java.util.Map;

/**
 * {@code l1 * sum |w| + l2 * sum w^2} over a model's trainable weights (parameters whose name ends in
 * {@code weight}, excluding batch-norm scales, i.e. parameters of rank >= 2), for objectives that add weight
 * decay to their loss (Galloway et al.).
 */
public record WeightPenalty(double l1, double l2) {
    public WeightPenalty {
        if (!(l1 >= 0) || !(l2 >= 0)) throw new IllegalArgumentException("weight penalties must be >= 0, got l1=" + l1 + ", l2=" + l2);
    }

    /** The penalty as a scalar tensor in the graph, or null when both coefficients are 0. */
    public Tensor of(Module model) {
        if (l1 == 0 && l2 == 0) return null;
        Tensor total = null;
        for (Map.Entry<String, Tensor> e : model.trainableParameters().entrySet()) {
            Tensor w = e.getValue();
            if (!e.getKey().endsWith("weight") || w.dim() < 2) continue;
            Tensor t = null;
            if (l1 != 0) t = w.abs().sum().mul(l1);
            if (l2 != 0) {
                Tensor q = w.square().sum().mul(l2);
                t = t == null ? q : t.add(q);
            }
            total = total == null ? t : total.add(t);
        }
        return total;
    }
}

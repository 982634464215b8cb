package dev.brink.nn.optim;

import dev.brink.engine.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Weight penalties as differentiable loss terms (0-d tensors recorded in the graph), to be scaled and added to a
 * loss: {@code loss = data.add(Regularizers.l1(weights).mul(lambda))}. The scale may follow a {@link Schedule}
 * (e.g. {@code Schedule.proportionalTo(lrSchedule, lambda0).value(epoch)}).
 *
 * <p>Naming follows PyTorch's conventions: {@link #l2} is {@code 0.5 * sum(w^2)}, the term whose gradient
 * {@code lambda * w} is exactly what {@code weight_decay = lambda} adds in {@link Sgd} and (non-W) {@link Adam};
 * {@link #sumOfSquares} is the plain {@code sum(w^2)}. {@link #l1} is {@code sum(|w|)}, whose gradient is
 * {@code sign(w)} (0 at w = 0, like {@code torch.abs}).
 *
 * <p>Every tensor given is included; use {@link #weightsOnly} to drop biases, and pass {@code trainableParameters()}
 * to skip frozen ones. All tensors must share a dtype and backend. An empty collection is an error (the dtype of
 * a zero result would be unknown).
 */
public final class Regularizers {
    private Regularizers() {}

    /** {@code sum over tensors of sum(|w|)}, a 0-d tensor. */
    public static Tensor l1(Map<String, Tensor> params) {
        return l1(Objects.requireNonNull(params, "params").values());
    }

    /** {@code sum over tensors of sum(|w|)}, a 0-d tensor. */
    public static Tensor l1(Iterable<Tensor> params) {
        return total("l1", params, w -> w.abs().sum());
    }

    /** {@code 0.5 * sum over tensors of sum(w^2)}: gradient {@code w}, matching weight_decay's L2. */
    public static Tensor l2(Map<String, Tensor> params) {
        return l2(Objects.requireNonNull(params, "params").values());
    }

    /** {@code 0.5 * sum over tensors of sum(w^2)}: gradient {@code w}, matching weight_decay's L2. */
    public static Tensor l2(Iterable<Tensor> params) {
        return sumOfSquares(params).mul(0.5);
    }

    /** {@code sum over tensors of sum(w^2)} (the squared L2 norm; gradient {@code 2w}). */
    public static Tensor sumOfSquares(Map<String, Tensor> params) {
        return sumOfSquares(Objects.requireNonNull(params, "params").values());
    }

    /** {@code sum over tensors of sum(w^2)} (the squared L2 norm; gradient {@code 2w}). */
    public static Tensor sumOfSquares(Iterable<Tensor> params) {
        return total("sumOfSquares", params, w -> w.square().sum());
    }

    /**
     * The entries whose name ends in {@code weight} after its last dot ({@code layers.0.weight}, {@code weight}),
     * in order: drops biases and buffers. Note that normalization layers' scales are also called {@code weight}.
     */
    public static Map<String, Tensor> weightsOnly(Map<String, Tensor> params) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        params.forEach((name, t) -> {
            if (name.substring(name.lastIndexOf('.') + 1).equals("weight")) out.put(name, t);
        });
        return out;
    }

    private static Tensor total(String what, Iterable<Tensor> params, Function<Tensor, Tensor> term) {
        Objects.requireNonNull(params, "params");
        Tensor sum = null;
        for (Tensor w : params) {
            if (w == null) throw new IllegalArgumentException(what + ": null tensor");
            Tensor t = term.apply(w);
            sum = sum == null ? t : sum.add(t);
        }
        if (sum == null) throw new IllegalArgumentException(what + ": no tensors to regularize");
        return sum;
    }
}

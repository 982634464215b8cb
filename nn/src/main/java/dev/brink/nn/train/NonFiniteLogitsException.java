package dev.brink.nn.train;

import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;

import java.util.Locale;

/**
 * A model gave NaN or infinite logits: its predictions (an argmax over NaN picks an arbitrary class) and so any
 * accuracy, robustness or attack success measured on it mean nothing, and evaluations refuse to report them.
 */
public final class NonFiniteLogitsException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    /** A refusal described by {@code message}. */
    public NonFiniteLogitsException(String message) {
        super(message);
    }

    /**
     * Throws when {@code logits} {@code [N, K]} hold a NaN or infinite value.
     *
     * @param model      how to name the model in the message, e.g. {@code "model runs/a.safetensors"} or
     *                   {@code "the model"}
     * @param firstIndex the data-set index of row 0, so the message can name the first bad sample (negative: the rows
     *                   are not consecutive samples, and none is named)
     * @param inputs     what the rows are, e.g. {@code "clean samples"} or {@code "pgd's adversarial inputs"}
     * @throws NonFiniteLogitsException naming the model, how many rows are bad and the first of them
     */
    public static void check(Tensor logits, String model, int firstIndex, String inputs) {
        double[] z;
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor d = logits.detach();
            if (Double.isFinite(d.sum().item())) return;  // a finite sum proves every logit finite
            z = d.toDoubleArray();
        }
        int n = logits.size(0), k = z.length / Math.max(n, 1), bad = 0, first = -1;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
                if (!Double.isFinite(z[i * k + j])) {
                    if (first < 0) first = i;
                    bad++;
                    break;
                }
        if (bad == 0) return;  // the sum overflowed, the logits are finite
        throw new NonFiniteLogitsException(String.format(Locale.ROOT,
                "%s gives NaN or infinite logits on %d of %d %s%s: the model is broken, and no accuracy or robustness"
                        + " measured on it would mean anything", model, bad, n, inputs,
                firstIndex < 0 ? "" : " (the first: sample " + (firstIndex + first) + ")"));
    }
}

package dev.brink.nn.io;

import dev.brink.engine.DType;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;

import java.util.Locale;
import java.util.Map;

/**
 * The NaN and infinite values of a model's tensors: a model with one of them gives non-finite logits (or, through
 * argmax, a constant class), and any accuracy or robustness number measured on it means nothing. Found with
 * device-side reductions: one sum per tensor, and exact counts only for a tensor whose sum is not finite.
 *
 * @param tensor    the first tensor (in the state dict's order) holding a non-finite value
 * @param nan       how many of its elements are NaN
 * @param infinite  how many of its elements are infinite
 * @param numel     its number of elements
 * @param tensors   how many tensors hold non-finite values
 * @param total     how many non-finite values the state holds in all
 */
public record NonFinite(String tensor, long nan, long infinite, long numel, int tensors, long total) {

    /** The non-finite values of {@code state} (parameters and buffers by name), or null when every value is finite. */
    public static NonFinite find(Map<String, Tensor> state) {
        NonFinite first = null;
        int tensors = 0;
        long total = 0;
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                Tensor t = e.getValue();
                if (!t.dtype().isFloating() || t.numel() == 0) continue;
                // A finite sum proves every element finite; a non-finite one (or an overflow) is counted exactly.
                if (Double.isFinite(t.sum().item())) continue;
                long bad = t.numel() - count(t.isFiniteMask());
                if (bad == 0) continue;
                tensors++;
                total += bad;
                if (first == null) {
                    long nan = count(t.ne(t));
                    first = new NonFinite(e.getKey(), nan, bad - nan, t.numel(), 0, 0);
                }
            }
        }
        return first == null ? null : new NonFinite(first.tensor, first.nan, first.infinite, first.numel, tensors, total);
    }

    private static long count(Tensor mask) {
        return Math.round(mask.to(DType.FLOAT64).sum().item());
    }

    /**
     * What is wrong, e.g. {@code tensor 'layers.1.bias' holds 1 NaN of its 10 values (2 tensors hold 3 non-finite
     * values in all)}.
     */
    public String describe() {
        String what = nan > 0 && infinite > 0 ? nan + " NaN and " + infinite + " infinite"
                : nan > 0 ? nan + " NaN" : infinite + " infinite";
        String s = String.format(Locale.ROOT, "tensor '%s' holds %s of its %,d values", tensor, what, numel);
        if (tensors > 1) s += String.format(Locale.ROOT, " (%d tensors hold %,d non-finite values in all)", tensors, total);
        return s;
    }
}

package dev.brink.nn.train;

import dev.brink.nn.data.Dataset;

import java.util.Arrays;
import java.util.Locale;

/**
 * Whether a model's outputs can express a data set's classes: {@code K} logits hold classes {@code 0..K-1}, and a
 * one-logit model (binary logistic regression) classes 0 and 1. Training a one-logit model on ten classes gives a
 * negative binary cross-entropy and an accuracy that means nothing; so does evaluating labels of 255 against ten
 * logits. Both fail here, before any work, naming the model and the data.
 */
public final class ClassCheck {
    private ClassCheck() {}

    /**
     * @param model       how to name the model, e.g. {@code "model runs/a.safetensors"} or {@code "--model logreg"}
     * @param outputShape the shape of one output of the model
     * @throws IllegalArgumentException when the data set is empty, the output is not a vector of logits, or a label
     *                                  of the data set is beyond the outputs' classes
     */
    public static void check(String model, int[] outputShape, Dataset data) {
        if (data.size() == 0) throw new IllegalArgumentException("data set " + data.name() + " has no samples");
        if (outputShape.length != 1)
            throw new IllegalArgumentException(model + " outputs " + Arrays.toString(outputShape) + " per sample, not a vector of class logits");
        int k = outputShape[0];
        int classes = k == 1 ? 2 : k;
        int max = 0;
        for (int y : data.labels()) max = Math.max(max, y);
        if (max < classes) return;  // the labels present decide: a data set may name more classes than it holds
        String outputs = k == 1 ? "1 output (a binary classifier: classes 0 and 1)" : k + " outputs (classes 0 to " + (k - 1) + ")";
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "%s has %s, but data set %s has labels up to %d (of %d classes): its labels do not fit the model's outputs%s", model, outputs,
                data.name(), max, data.numClasses(), k == 1 ? " (a one-logit model takes two-class data such as mnist-3v7)" : ""));
    }
}

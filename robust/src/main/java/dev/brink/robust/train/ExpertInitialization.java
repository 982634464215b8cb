package dev.brink.robust.train;

import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.spec.SpecModel;

import java.util.Map;

/**
 * Galloway et al.'s "expert initialization" of the binary logistic regression on MNIST 3 vs 7 (Sec. 3): the weights
 * are the difference of the two class means, "the average 3 minus the average 7" in their sign convention; here the
 * logit is positive for label 1 (in {@code mnist-3v7}, 3 is label 0 and 7 is label 1), so
 * {@code w = mean(x | y = 1) - mean(x | y = 0)}, pixels in [0, 1], and the bias is 0. Galloway et al. report that
 * this model alone underfits with about 5.2% clean test error (Brink's: 5.25% on the MNIST 3-vs-7 test set) and is
 * far more robust to FGSM than the ERM solution; they fine-tune it with L2 weight decay ("Expert-L2").
 * {@link #apply(SpecModel, Dataset, boolean)} can instead put the decision boundary halfway between the means,
 * {@code b = -w . (mean_0 + mean_1) / 2} (the nearest-class-mean classifier: 3.4% error), which the paper does not do.
 */
public final class ExpertInitialization {
    private ExpertInitialization() {}

    /** Sets the weights to the difference of the class means and the bias to 0, as Galloway et al.; see the class comment. */
    public static void apply(SpecModel model, Dataset train) {
        apply(model, train, false);
    }

    /**
     * Sets the one-logit linear layer of {@code model} ({@code weight [1, D]}, D the sample size of {@code train},
     * and its {@code bias [1]} if any) from the class means of a two-class data set.
     *
     * @param model       a binary logistic regression: exactly one trainable weight matrix, of shape {@code [1, D]}
     * @param train       a data set of two classes with samples of D pixels
     * @param midpointBias set the bias to {@code -w . (mean_0 + mean_1) / 2} (else 0)
     * @throws IllegalArgumentException if the model or the data set does not fit
     */
    public static void apply(SpecModel model, Dataset train, boolean midpointBias) {
        if (train.numClasses() != 2)
            throw new IllegalArgumentException("expert initialization: needs a two-class data set (e.g. mnist-3v7), " + train.name() + " has " + train.numClasses());
        int d = train.sampleSize();
        String weightName = null, biasName = null;
        for (Map.Entry<String, Tensor> e : model.trainableParameters().entrySet()) {
            Tensor t = e.getValue();
            if (t.dim() >= 2) {
                if (weightName != null || t.dim() != 2 || t.size(0) != 1 || t.size(1) != d)
                    throw new IllegalArgumentException("expert initialization: needs a logistic regression (one weight matrix [1, " + d
                            + "]), found " + e.getKey() + " " + dev.brink.engine.Shape.str(t.shape()));
                weightName = e.getKey();
            }
        }
        if (weightName == null) throw new IllegalArgumentException("expert initialization: the model has no weight matrix");
        String prefix = weightName.substring(0, weightName.length() - "weight".length());
        if (model.trainableParameters().containsKey(prefix + "bias")) biasName = prefix + "bias";

        double[][] mean = new double[2][d];
        int[] count = new int[2];
        for (int i = 0; i < train.size(); i++) {
            int c = train.label(i);
            byte[] px = train.sampleBytes(i);
            double[] m = mean[c];
            for (int j = 0; j < d; j++) m[j] += (px[j] & 0xff) / 255.0;
            count[c]++;
        }
        for (int c = 0; c < 2; c++) {
            if (count[c] == 0) throw new IllegalArgumentException("expert initialization: class " + train.classes().get(c) + " has no samples in " + train.name());
            for (int j = 0; j < d; j++) mean[c][j] /= count[c];
        }
        double[] w = new double[d];
        double b = 0;
        for (int j = 0; j < d; j++) {
            w[j] = mean[1][j] - mean[0][j];
            b -= w[j] * (mean[0][j] + mean[1][j]) / 2;
        }
        // in place, outside the graph: an optimizer already holding these tensors keeps them
        try (GradMode.Scope s = GradMode.noGrad()) {
            model.trainableParameters().get(weightName).assign(Tensor.of(w, 1, d));
            if (biasName != null) model.trainableParameters().get(biasName).assign(Tensor.of(new double[] {midpointBias ? b : 0}, 1));
        }
    }
}

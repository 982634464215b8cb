package dev.brink.robust.train;

import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

/**
 * Liu and Chan's effective margin of each sample, {@code min_{j != y} (z_y - z_j) / ||w^(y) - w^(j)||_2} with
 * {@code w^(j) = d z_j / d x} the per-class Jacobian rows at the sample: for a locally linear network, the L2
 * distance from x to the nearest decision boundary of its local linear piece (negative where misclassified). The
 * model runs in eval mode; a one-logit model (binary logistic regression) counts as logits (0, z), so its margin is
 * z / ||dz/dx|| signed by the label. Denominators come from the {@code emr_pair_squared_norms} backend op.
 */
public final class EffectiveMargins {
    private EffectiveMargins() {}

    /**
     * Effective margins {@code [N]} (in input units) of inputs {@code x [N, ...]} with int32 labels {@code [N]}; a
     * class whose row equals the label's (zero denominator) is skipped, and a sample with none left gets +infinity.
     */
    public static double[] of(Module model, Tensor x, Tensor labels) {
        return withPredictions(model, x, labels).margins();
    }

    /**
     * Effective margins of a batch and the classes the model predicts for it, from the same logits.
     *
     * @param margins     as {@link #of}, {@code [N]}
     * @param predictions the argmax of each sample's logits (the first on ties, the first NaN if any; a one-logit
     *                    model's logits are (0, z))
     */
    public record MarginsAndPredictions(double[] margins, int[] predictions) {}

    /** {@link #of} and the predicted classes, with the one forward pass both need. */
    public static MarginsAndPredictions withPredictions(Module model, Tensor x, Tensor labels) {
        return RegularizerInputs.inEval(model, () -> {
            Tensor rows = Derivatives.jacobianRows(in -> Logits.of(model, in), x.detach(), false);
            double[] z;
            try (GradMode.Scope s = GradMode.noGrad()) {
                z = Logits.of(model, x.detach()).toDoubleArray();
            }
            double[] sq = F.emrPairSquaredNorms(rows, labels).toDoubleArray();
            int[] y = labels.toIntArray();
            int n = y.length, k = rows.size(0);
            double[] m = new double[n];
            int[] pred = new int[n];
            for (int i = 0; i < n; i++) {
                double best = Double.POSITIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    double zj = z[i * k + j], top = z[i * k + pred[i]];
                    if (!Double.isNaN(top) && (Double.isNaN(zj) || zj > top)) pred[i] = j;
                    if (j == y[i] || sq[i * k + j] == 0) continue;
                    best = Math.min(best, (z[i * k + y[i]] - zj) / Math.sqrt(sq[i * k + j]));
                }
                m[i] = best;
            }
            return new MarginsAndPredictions(m, pred);
        });
    }

    /** The mean effective margin of a batch. */
    public static double mean(Module model, Tensor x, Tensor labels) {
        double s = 0;
        double[] m = of(model, x, labels);
        for (double v : m) s += v;
        return s / m.length;
    }
}

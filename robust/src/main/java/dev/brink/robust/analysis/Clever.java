package dev.brink.robust.analysis;

import dev.brink.engine.Derivatives;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

import java.util.Random;

/**
 * A CLEVER-style estimate (Weng et al. 2018) of the local L2 Lipschitz constant and the robustness radius at one
 * point: {@code batches x perBatch} points drawn uniformly from the L2 ball of radius R around x (clipped to the
 * [0, 1] box), the L2 norm of the gradient of each margin {@code g_j = z_y - z_j} at each, the maximum per batch,
 * and, as the extreme-value estimate of the local Lipschitz constant, the largest of those batch maxima (Weng et
 * al. fit a reverse Weibull to the batch maxima and take its location; the plain maximum is the sample version of
 * that location, never above the true local constant). The score is {@code min_j min(g_j(x) / L_j, R)}. An
 * estimate, not a bound: it can exceed the true distance to the boundary. Seeded.
 */
public final class Clever {
    private Clever() {}

    /** The estimate at one point: the score (L2 radius) and the Lipschitz estimate of the runner-up's margin. */
    public record Estimate(double score, double lipschitz) {}

    public static Estimate of(Module model, Tensor x, int y, double radius, int batches, int perBatch, long seed) {
        double[] x0 = x.toDoubleArray();
        int d = x0.length;
        double[] z = InputFunctions.logits(model, x)[0];
        int k = z.length;
        double[] lip = new double[k];
        Random r = new Random(seed);
        int[] shape = x.shape().clone();
        shape[0] = perBatch;
        for (int b = 0; b < batches; b++) {
            double[] buf = new double[perBatch * d];
            for (int s = 0; s < perBatch; s++) {
                double[] g = new double[d];
                double n = 0;
                for (int i = 0; i < d; i++) { g[i] = r.nextGaussian(); n += g[i] * g[i]; }
                double rad = radius * Math.pow(r.nextDouble(), 1.0 / d) / Math.sqrt(n);
                for (int i = 0; i < d; i++) buf[s * d + i] = Math.min(1, Math.max(0, x0[i] + rad * g[i]));
            }
            double[] rows = Derivatives.jacobianRows(model::forward, x.newTensor(buf, shape), false).toDoubleArray(); // [K, S, d]
            for (int j = 0; j < k; j++) {
                if (j == y) continue;
                double batchMax = 0;
                for (int s = 0; s < perBatch; s++) {
                    double q = 0;
                    for (int i = 0; i < d; i++) {
                        double w = rows[(y * perBatch + s) * d + i] - rows[(j * perBatch + s) * d + i];
                        q += w * w;
                    }
                    batchMax = Math.max(batchMax, Math.sqrt(q));
                }
                lip[j] = Math.max(lip[j], batchMax);
            }
        }
        double score = radius, runnerLip = lip[InputFunctions.runnerUp(z, y)];
        for (int j = 0; j < k; j++) {
            if (j == y) continue;
            double gj = z[y] - z[j];
            score = Math.min(score, lip[j] > 0 ? Math.max(0, gj) / lip[j] : (gj > 0 ? radius : 0));
        }
        return new Estimate(score, runnerLip);
    }
}

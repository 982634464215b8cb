package dev.brink.examples;

import dev.brink.engine.Autograd;
import dev.brink.engine.F;
import dev.brink.engine.Tensor;

/**
 * The gradient of a softmax cross-entropy loss with respect to a linear classifier's weights and bias, checked
 * against the closed form {@code dL/dW = X^T (softmax(X W + b) - onehot(y)) / N}, {@code dL/db = sum_n (...) / N}.
 */
public final class GradientExample {
    /** Largest absolute differences between the engine's gradients and the closed form (float64, so ~1e-16). */
    public record Result(double weightError, double biasError, double loss) {}

    /** Agreement the example demands of the engine: float64 round-off only. */
    public static final double TOLERANCE = 1e-12;

    /**
     * Computes the gradients and the closed form; throws {@link IllegalStateException} when they differ by more than
     * {@link #TOLERANCE}.
     */
    public static Result run() {
        double[][] xs = {{0.5, -1.0, 2.0}, {1.5, 0.0, -0.5}, {-0.3, 0.8, 0.1}, {2.0, -2.0, 1.0}}; // N = 4, D = 3
        int[] ys = {0, 2, 1, 2};                                                                // classes 0..2
        int n = xs.length, d = 3, k = 3;
        double[] wData = {0.2, -0.1, 0.05, -0.3, 0.4, 0.1, 0.0, 0.25, -0.2};                      // [D, K] row-major
        double[] bData = {0.1, 0.0, -0.1};                                                       // [K]

        // float64 tensors (Tensor.of(double[]...) makes float64) so that the check is tight.
        Tensor x = Tensor.of(xs);
        Tensor y = Tensor.ofInts(ys, n);
        Tensor w = Tensor.of(wData, d, k).requiresGrad(true);
        Tensor b = Tensor.of(bData, k).requiresGrad(true);
        Tensor loss = F.crossEntropy(x.matmul(w).add(b), y);       // mean over the N samples
        Tensor[] g = Autograd.grad(loss, w, b);                      // {dL/dW [D, K], dL/db [K]}

        // The closed form, in plain Java.
        double[] gw = new double[d * k], gb = new double[k];
        for (int s = 0; s < n; s++) {
            double[] z = new double[k];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int c = 0; c < k; c++) {
                z[c] = bData[c];
                for (int j = 0; j < d; j++) z[c] += xs[s][j] * wData[j * k + c];
                max = Math.max(max, z[c]);
            }
            for (int c = 0; c < k; c++) sum += Math.exp(z[c] - max);
            for (int c = 0; c < k; c++) {
                double delta = (Math.exp(z[c] - max) / sum - (c == ys[s] ? 1 : 0)) / n;
                gb[c] += delta;
                for (int j = 0; j < d; j++) gw[j * k + c] += xs[s][j] * delta;
            }
        }
        Result r = new Result(Checks.maxAbsDiff(g[0].toDoubleArray(), gw), Checks.maxAbsDiff(g[1].toDoubleArray(), gb), loss.item());
        Checks.check(r.weightError() < TOLERANCE, "dL/dW off the closed form by " + r.weightError());
        Checks.check(r.biasError() < TOLERANCE, "dL/db off the closed form by " + r.biasError());
        return r;
    }

    /** Runs the example and prints its numbers. */
    public static void main(String[] args) {
        Result r = run();
        System.out.printf("loss %.6f; |dL/dW - closed form| = %.2e, |dL/db - closed form| = %.2e%n", r.loss(), r.weightError(), r.biasError());
    }
}

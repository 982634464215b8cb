package dev.brink.examples;

import dev.brink.engine.Autograd;
import dev.brink.engine.Derivatives;
import dev.brink.engine.GradOptions;
import dev.brink.engine.Tensor;

/**
 * Per-class Jacobian rows of a batched model {@code z = tanh(x W)}, x {@code [N, D]}, W {@code [D, K]}:
 * {@code rows[k][n] = dz[n, k] / dx[n]}, shape {@code [K, N, D]}, from {@link Derivatives#jacobianRows} (one backward
 * pass per class for the whole batch). Checked against the closed form {@code (1 - z[n, k]^2) W[:, k]}, and one row
 * against a single {@link Autograd#grad} seeded with a one-hot output gradient ({@link GradOptions#gradOutputs}).
 */
public final class JacobianRowsExample {
    /** Largest absolute differences from the closed form, of all rows and of the one-hot-seeded row of class 1. */
    public record Result(int[] shape, double rowsError, double seededError) {}

    /** Agreement demanded: float64 round-off only. */
    public static final double TOLERANCE = 1e-12;

    /**
     * Computes the rows and the closed form; throws {@link IllegalStateException} when they differ by more than
     * {@link #TOLERANCE}.
     */
    public static Result run() {
        double[][] xs = {{0.5, -1.0, 0.25}, {1.0, 0.5, -0.5}};                  // N = 2, D = 3
        double[] wData = {0.3, -0.4, 0.2, 0.1, 0.5, -0.3};                       // [D, K = 2] row-major
        int n = 2, d = 3, k = 2;
        Tensor x = Tensor.of(xs);
        Tensor w = Tensor.of(wData, d, k);

        Tensor rows = Derivatives.jacobianRows(in -> in.matmul(w).tanh(), x, false); // [K, N, D]

        // The closed form.
        double[] expected = new double[k * n * d];
        for (int c = 0; c < k; c++)
            for (int s = 0; s < n; s++) {
                double z = 0;
                for (int j = 0; j < d; j++) z += xs[s][j] * wData[j * k + c];
                double t = Math.tanh(z);
                for (int j = 0; j < d; j++) expected[(c * n + s) * d + j] = (1 - t * t) * wData[j * k + c];
            }

        // Class 1's rows by hand: the gradient of <z, e_1> with e_1 one-hot on column 1.
        Tensor xv = x.detach().requiresGrad(true);
        Tensor z = xv.matmul(w).tanh();
        Tensor oneHot = Tensor.of(new double[] {0, 1, 0, 1}, n, k);
        Tensor row1 = Autograd.grad(z, xv, GradOptions.defaults().gradOutputs(oneHot))[0]; // [N, D]
        double[] expected1 = java.util.Arrays.copyOfRange(expected, n * d, 2 * n * d);

        Result r = new Result(rows.shape(), Checks.maxAbsDiff(rows.toDoubleArray(), expected),
                Checks.maxAbsDiff(row1.toDoubleArray(), expected1));
        Checks.check(java.util.Arrays.equals(r.shape(), new int[] {k, n, d}), "rows shape " + java.util.Arrays.toString(r.shape()));
        Checks.check(r.rowsError() < TOLERANCE, "Jacobian rows off the closed form by " + r.rowsError());
        Checks.check(r.seededError() < TOLERANCE, "one-hot-seeded row off the closed form by " + r.seededError());
        return r;
    }

    /** Runs the example and prints its numbers. */
    public static void main(String[] args) {
        Result r = run();
        System.out.printf("rows %s; off the closed form by %.2e (jacobianRows) and %.2e (seeded grad)%n",
                java.util.Arrays.toString(r.shape()), r.rowsError(), r.seededError());
    }
}

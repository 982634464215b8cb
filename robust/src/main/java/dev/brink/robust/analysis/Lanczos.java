package dev.brink.robust.analysis;

import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * The Lanczos method for the extreme eigenvalues of a symmetric operator given only by its products {@code A v}
 * (here exact Hessian-vector products): {@code m} steps with full reorthogonalization build an orthonormal Krylov
 * basis and a tridiagonal {@code T}, whose eigenvalues (Ritz values) converge first at both ends of the spectrum.
 * The start vector is drawn from a seeded Gaussian. Exact (up to rounding) once {@code m} reaches the dimension.
 */
public final class Lanczos {
    private Lanczos() {}

    /**
     * The Ritz values of {@code m} Lanczos steps on the symmetric {@code dim x dim} operator {@code a}, sorted by
     * decreasing absolute value (the first {@code k} approximate the top-{@code k} eigenvalues in magnitude). Stops
     * early when the Krylov space is exhausted (an invariant subspace: those Ritz values are exact).
     */
    public static double[] ritzValues(UnaryOperator<double[]> a, int dim, int m, long seed) {
        if (dim < 1 || m < 1) throw new IllegalArgumentException("lanczos: dimension and steps must be >= 1, got " + dim + " and " + m);
        m = Math.min(m, dim);
        double[][] q = new double[m][];
        double[] alpha = new double[m], beta = new double[m];
        Random r = new Random(seed);
        double[] v = new double[dim];
        for (int i = 0; i < dim; i++) v[i] = r.nextGaussian();
        scale(v, 1 / norm(v));
        int steps = 0;
        for (int j = 0; j < m; j++) {
            q[j] = v;
            double[] w = a.apply(v.clone());
            if (w.length != dim) throw new IllegalArgumentException("lanczos: the operator returned " + w.length + " values for dimension " + dim);
            alpha[j] = dot(w, v);
            // full reorthogonalization (twice is enough) against every basis vector so far
            for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i <= j; i++) axpy(-dot(w, q[i]), q[i], w);
            steps = j + 1;
            double b = norm(w);
            if (j + 1 == m || b <= 1e-10 * Math.max(1, Math.abs(alpha[j]))) break;
            beta[j] = b;
            v = w;
            scale(v, 1 / b);
        }
        double[] ritz = SymmetricEigenvalues.tridiagonal(Arrays.copyOf(alpha, steps), Arrays.copyOf(beta, Math.max(0, steps - 1)));
        return byMagnitude(ritz);
    }

    /** The values sorted by decreasing absolute value. */
    public static double[] byMagnitude(double[] values) {
        return Arrays.stream(values).boxed().sorted((x, y) -> Double.compare(Math.abs(y), Math.abs(x))).mapToDouble(Double::doubleValue).toArray();
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static void scale(double[] a, double s) {
        for (int i = 0; i < a.length; i++) a[i] *= s;
    }

    private static void axpy(double s, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) y[i] += s * x[i];
    }
}

package dev.brink.robust.analysis;

/**
 * All eigenvalues of a dense symmetric matrix: Householder reduction to tridiagonal form, then bisection on Sturm
 * counts for each eigenvalue. Slower than QL iteration by a constant, but it cannot fail to converge: Apache
 * Commons Math's {@code EigenDecomposition} gave up ("convergence failed") on input Hessians of an adversarially
 * trained MNIST net (dense, entries up to 2e-4, eigenvalues clustered at zero), where this and LAPACK agree.
 */
final class SymmetricEigenvalues {
    private SymmetricEigenvalues() {}

    /**
     * The eigenvalues of the symmetric n x n matrix {@code a} (only its lower triangle is read; not modified),
     * ascending, each to within a few units in the last place of the largest magnitude.
     *
     * @throws IllegalArgumentException if {@code a} is not square or holds a NaN or infinity
     */
    static double[] of(double[][] a) {
        int n = a.length;
        double[][] z = new double[n][];
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) throw new IllegalArgumentException("eigenvalues: row " + i + " has " + a[i].length + " entries, expected " + n);
            z[i] = a[i].clone();
            for (int j = 0; j <= i; j++)
                if (!Double.isFinite(z[i][j])) throw new IllegalArgumentException("eigenvalues: entry (" + i + ", " + j + ") is " + z[i][j]);
        }
        double[] d = new double[n], e = new double[n];
        tridiagonalize(z, d, e);
        return bisect(d, e);
    }

    /**
     * The eigenvalues, ascending, of the symmetric tridiagonal matrix with diagonal {@code d} (length n) and
     * off-diagonal {@code offDiagonal} (length n - 1, entry i between rows i and i + 1).
     */
    static double[] tridiagonal(double[] d, double[] offDiagonal) {
        if (offDiagonal.length != Math.max(0, d.length - 1))
            throw new IllegalArgumentException("eigenvalues: " + d.length + " diagonal and " + offDiagonal.length + " off-diagonal entries");
        double[] e = new double[d.length];
        System.arraycopy(offDiagonal, 0, e, 1, offDiagonal.length);
        for (int i = 0; i < d.length; i++)
            if (!Double.isFinite(d[i]) || !Double.isFinite(e[i])) throw new IllegalArgumentException("eigenvalues: a tridiagonal entry " + i + " is not finite");
        return bisect(d.clone(), e);
    }

    /** Householder reduction of z's lower triangle (overwritten): diagonal d, subdiagonal e[i] between i-1 and i. */
    private static void tridiagonalize(double[][] z, double[] d, double[] e) {
        int n = z.length;
        for (int i = n - 1; i > 0; i--) {
            int l = i - 1;
            double h = 0, scale = 0;
            if (l > 0) {
                for (int k = 0; k < i; k++) scale += Math.abs(z[i][k]);
                if (scale == 0) {
                    e[i] = z[i][l];
                } else {
                    for (int k = 0; k < i; k++) {
                        z[i][k] /= scale;
                        h += z[i][k] * z[i][k];
                    }
                    double f = z[i][l], g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
                    e[i] = scale * g;
                    h -= f * g;
                    z[i][l] = f - g;
                    f = 0;
                    for (int j = 0; j < i; j++) {
                        g = 0;
                        for (int k = 0; k <= j; k++) g += z[j][k] * z[i][k];
                        for (int k = j + 1; k < i; k++) g += z[k][j] * z[i][k];
                        e[j] = g / h;
                        f += e[j] * z[i][j];
                    }
                    double hh = f / (h + h);
                    for (int j = 0; j < i; j++) {
                        f = z[i][j];
                        e[j] = g = e[j] - hh * f;
                        for (int k = 0; k <= j; k++) z[j][k] -= f * e[k] + g * z[i][k];
                    }
                }
            } else {
                e[i] = z[i][l];
            }
        }
        e[0] = 0;
        for (int i = 0; i < n; i++) d[i] = z[i][i];
    }

    /** Each eigenvalue of the tridiagonal (d, e) by bisection between Gershgorin's bounds on Sturm counts. */
    private static double[] bisect(double[] d, double[] e) {
        int n = d.length;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double r = (i > 0 ? Math.abs(e[i]) : 0) + (i + 1 < n ? Math.abs(e[i + 1]) : 0);
            lo = Math.min(lo, d[i] - r);
            hi = Math.max(hi, d[i] + r);
        }
        double tol = 4 * Math.ulp(Math.max(Math.abs(lo), Math.abs(hi))) + Double.MIN_NORMAL;
        double[] values = new double[n];
        for (int k = 0; k < n; k++) { // the k-th smallest: the least x with more than k eigenvalues below it
            double a = k > 0 ? values[k - 1] : lo, b = hi;
            while (b - a > tol) {
                double m = 0.5 * (a + b);
                if (m <= a || m >= b) break;
                if (below(d, e, m) > k) b = m;
                else a = m;
            }
            values[k] = 0.5 * (a + b);
        }
        return values;
    }

    /** The number of eigenvalues of the tridiagonal (d, e) below x (Sturm sequence of the LDL^T pivots). */
    private static int below(double[] d, double[] e, double x) {
        int count = 0;
        double q = 1;
        for (int i = 0; i < d.length; i++) {
            q = d[i] - x - (i > 0 ? e[i] * e[i] / q : 0);
            if (q == 0) q = -Double.MIN_NORMAL; // a zero pivot: x is an eigenvalue of the leading block, counted below
            if (q < 0) count++;
        }
        return count;
    }
}

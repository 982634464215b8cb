package dev.brink.robust.analysis;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link SymmetricEigenvalues} on matrices with known spectra: Q diag(lambda) Q^T for random orthogonal Q (distinct,
 * repeated, clustered at zero with a few tiny values and rank 9 as a ReLU net's input Hessian of the cross-entropy
 * has), diagonal and zero matrices, tridiagonal input, and bad input.
 */
class SymmetricEigenvaluesTest {
    @Test
    void knownSpectraOfRotatedDiagonals() {
        Random rng = new Random(5);
        for (int n : new int[] {1, 2, 3, 7, 40, 120}) {
            double[] distinct = new double[n], repeated = new double[n], lowRank = new double[n];
            for (int i = 0; i < n; i++) {
                distinct[i] = rng.nextGaussian() * 3;
                repeated[i] = i % 3 == 0 ? 2.5 : -1;
                lowRank[i] = i < 9 ? 1e-4 * rng.nextGaussian() : i < 12 ? 1e-12 * rng.nextGaussian() : 0;
            }
            for (double[] spectrum : new double[][] {distinct, repeated, lowRank}) {
                double[] got = SymmetricEigenvalues.of(rotated(spectrum, rng));
                double[] want = spectrum.clone();
                Arrays.sort(want);
                double scale = Arrays.stream(want).map(Math::abs).max().orElse(0);
                assertArrayEquals(want, got, 1e-11 * Math.max(scale, 1e-300) * n, "n " + n + " spectrum " + Arrays.toString(want));
            }
        }
    }

    @Test
    void diagonalZeroAndTridiagonal() {
        assertArrayEquals(new double[] {-2, 0, 5}, SymmetricEigenvalues.of(new double[][] {{5, 0, 0}, {0, -2, 0}, {0, 0, 0}}), 1e-14);
        assertArrayEquals(new double[4], SymmetricEigenvalues.of(new double[4][4]), 0);
        // [[2, 1], [1, 2]]: 1 and 3; the path graph's Laplacian-like 2 -1 matrix of size 5: 2 - 2 cos(k pi / 6)
        assertArrayEquals(new double[] {1, 3}, SymmetricEigenvalues.tridiagonal(new double[] {2, 2}, new double[] {1}), 1e-14);
        double[] want = new double[5];
        for (int k = 1; k <= 5; k++) want[k - 1] = 2 - 2 * Math.cos(k * Math.PI / 6);
        assertArrayEquals(want, SymmetricEigenvalues.tridiagonal(new double[] {2, 2, 2, 2, 2}, new double[] {-1, -1, -1, -1}), 1e-13);
        assertEquals(7.0, SymmetricEigenvalues.tridiagonal(new double[] {7}, new double[0])[0]);
    }

    @Test
    void badInputNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SymmetricEigenvalues.of(new double[][] {{1, 0}, {Double.NaN, 1}}));
        assertEquals("eigenvalues: entry (1, 0) is NaN", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigenvalues.of(new double[][] {{1, 0}, {0}}));
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigenvalues.tridiagonal(new double[] {1, 2}, new double[] {1, 1}));
    }

    /** Q diag(values) Q^T with Q from Gram-Schmidt on a Gaussian matrix. */
    private static double[][] rotated(double[] values, Random rng) {
        int n = values.length;
        double[][] q = new double[n][n];
        for (int c = 0; c < n; c++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = rng.nextGaussian();
            for (int p = 0; p < c; p++) {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += v[i] * q[i][p];
                for (int i = 0; i < n; i++) v[i] -= dot * q[i][p];
            }
            double norm = 0;
            for (double x : v) norm += x * x;
            norm = Math.sqrt(norm);
            for (int i = 0; i < n; i++) q[i][c] = v[i] / norm;
        }
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += q[i][k] * values[k] * q[j][k];
                a[i][j] = s;
            }
        for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) a[i][j] = a[j][i] = 0.5 * (a[i][j] + a[j][i]);
        return a;
    }
}

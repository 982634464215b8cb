package dev.brink.engine.backend.cpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The float GEMM ({@link Sgemm}) against a double-precision triple loop, with the SIMD micro-kernel (when the
 * Vector API is present) and with the scalar one: edge sizes (0, 1, primes, around the tile sizes and the k
 * block), every operand layout the packers handle, accumulation, row strides of C, prepacked A, and results
 * that are identical whatever the thread split.
 */
class SgemmTest {
    private SgemmKernel saved;

    @AfterEach
    void restore() {
        if (saved != null) SgemmKernel.use(saved);
        CpuParallel.setThreads(0);
    }

    /** Switches to the named kernel; false when it cannot run here (no Vector API module). */
    private boolean useKernel(String which) {
        SgemmKernel k = which.equals("simd") ? VectorSupport.loadSimdKernel() : new ScalarSgemmKernel();
        if (k == null) return false;
        saved = SgemmKernel.use(k);
        return true;
    }

    static float[] randomFloats(SplittableRandom rng, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) rng.nextDouble(-1, 1);
        return f;
    }

    /** A matrix of m x k values stored with the given strides inside a bigger array (with an offset). */
    record Mat(float[] data, int off, int rs, int cs, int rows, int cols) {
        float get(int i, int j) {
            return data[off + i * rs + j * cs];
        }

        /** Layout 0: row-major; 1: column-major (a transposed view); 2: both strides > 1 (a sliced view). */
        static Mat random(SplittableRandom rng, int rows, int cols, int layout) {
            int off = 3;
            int rs, cs, size;
            switch (layout) {
                case 0 -> { rs = cols; cs = 1; }
                case 1 -> { rs = 1; cs = rows; }
                default -> { rs = 2 * cols + 1; cs = 2; }
            }
            size = off + Math.max(0, rows - 1) * rs + Math.max(0, cols - 1) * cs + 1;
            return new Mat(randomFloats(rng, size), off, rs, cs, rows, cols);
        }
    }

    /** Checks C against the double product; tolerance from the error bound of a k-term float dot product. */
    static void check(Mat a, Mat b, float[] c, int cOff, int ldc, float[] before, boolean add, String what) {
        int m = a.rows(), k = a.cols(), n = b.cols();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++) {
                    double t = (double) a.get(i, p) * b.get(p, j);
                    s += t;
                    abs += Math.abs(t);
                }
                double base = add ? before[cOff + i * ldc + j] : 0;
                double tol = 2.0 * (k + 2) * 0x1p-24 * (abs + Math.abs(base)) + 1e-30;
                double got = c[cOff + i * ldc + j];
                if (!(Math.abs(got - (s + base)) <= tol))
                    fail(what + ": C[" + i + "][" + j + "] = " + got + ", expected " + (s + base) + " (tol " + tol + ")");
            }
        }
    }

    private static void run(SplittableRandom rng, int m, int n, int k, int la, int lb, boolean add, boolean parallel, boolean prepack) {
        Mat a = Mat.random(rng, m, k, la), b = Mat.random(rng, k, n, lb);
        int ldc = n + 5, cOff = 7;
        float[] c = randomFloats(rng, cOff + Math.max(m, 1) * ldc);
        float[] before = c.clone();
        SgemmPacking.APacker ap = SgemmPacking.strided(a.data(), a.off(), a.rs(), a.cs());
        if (prepack) ap = new SgemmPacking.PrepackedA(m, k, ap, SgemmKernel.get());
        Sgemm.gemm(m, n, k, ap, SgemmPacking.strided(b.data(), b.off(), b.rs(), b.cs()), c, cOff, ldc, add, parallel);
        String what = String.format("%s %dx%dx%d layouts %d/%d add=%b parallel=%b prepack=%b", SgemmKernel.get().describe(), m, n, k, la, lb, add, parallel, prepack);
        check(a, b, c, cOff, ldc, before, add, what);
        // nothing outside the m x n window of C is touched
        for (int i = 0; i < c.length; i++) {
            int r = (i - cOff) / ldc, col = (i - cOff) % ldc;
            boolean inside = i >= cOff && r < m && col < n;
            if (!inside) assertEquals(before[i], c[i], what + ": wrote outside C at " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"simd", "scalar"})
    void edgeSizesAndLayouts(String kernel) {
        assumeTrue(useKernel(kernel), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(41);
        int[] sizes = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47};
        for (int m : sizes)
            for (int n : sizes) {
                int k = sizes[rng.nextInt(sizes.length)];
                run(rng, m, n, k, rng.nextInt(3), rng.nextInt(3), rng.nextBoolean(), false, false);
            }
    }

    @ParameterizedTest
    @ValueSource(strings = {"simd", "scalar"})
    void allLayoutPairsAcrossKBlocks(String kernel) {
        assumeTrue(useKernel(kernel), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(42);
        int[][] shapes = {{37, 41, 300}, {13, 67, 257}, {130, 29, 531}, {9, 2100, 5}, {150, 70, 0}};
        for (int[] s : shapes)
            for (int la = 0; la < 3; la++)
                for (int lb = 0; lb < 3; lb++) run(rng, s[0], s[1], s[2], la, lb, (la + lb) % 2 == 0, false, la == 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"simd", "scalar"})
    void parallelSplitsAndPrepackedA(String kernel) {
        assumeTrue(useKernel(kernel), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(43);
        CpuParallel.setThreads(3);
        int[][] shapes = {{211, 97, 263}, {19, 523, 301}, {257, 257, 64}};
        for (int[] s : shapes) {
            run(rng, s[0], s[1], s[2], 0, 1, false, true, false);
            run(rng, s[0], s[1], s[2], 1, 0, true, true, true);
        }
        // A large enough to be prepacked in parallel (72 x 3700 padded elements, 15 k blocks, the last partial)
        run(rng, 70, 40, 3700, 0, 1, false, true, true);
    }

    @ParameterizedTest
    @ValueSource(strings = {"simd", "scalar"})
    void resultsDoNotDependOnTheThreadCount(String kernel) {
        assumeTrue(useKernel(kernel), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(44);
        int m = 203, n = 181, k = 517;
        Mat a = Mat.random(rng, m, k, 0), b = Mat.random(rng, k, n, 0);
        float[] first = null;
        for (int threads : new int[] {1, 2, 3, 5}) {
            CpuParallel.setThreads(threads);
            float[] c = new float[m * n];
            Sgemm.gemm(m, n, k, SgemmPacking.strided(a.data(), a.off(), a.rs(), a.cs()),
                    SgemmPacking.strided(b.data(), b.off(), b.rs(), b.cs()), c, 0, n, false, true);
            if (first == null) first = c;
            else assertArrayEquals(first, c, "threads " + threads);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"simd", "scalar"})
    void segmentedOperands(String kernel) {
        assumeTrue(useKernel(kernel), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(45);
        // rows of 3 "images" with 11 columns each, images 50 apart, rows 11 apart (channels of NCHW images)
        int rows = 4, seg = 11, segs = 3, segStride = 50;
        float[] data = randomFloats(rng, 2 + segs * segStride);
        SgemmPacking.Segmented s = SgemmPacking.segmented(data, 2, seg, seg, segStride);
        float[][] dense = new float[rows][seg * segs];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < seg * segs; j++) dense[i][j] = data[2 + i * seg + (j / seg) * segStride + j % seg];
        // as A (rows x 33) times a random B
        Mat b = Mat.random(rng, seg * segs, 37, 0);
        float[] c = new float[rows * 37];
        Sgemm.gemm(rows, 37, seg * segs, s, SgemmPacking.strided(b.data(), b.off(), b.rs(), b.cs()), c, 0, 37, false, false);
        float[] flatA = new float[rows * seg * segs];
        for (int i = 0; i < rows; i++) System.arraycopy(dense[i], 0, flatA, i * seg * segs, seg * segs);
        check(new Mat(flatA, 0, seg * segs, 1, rows, seg * segs), b, c, 0, 37, c, false, "segmented A");
        // as B (4 x 33) after a random A
        Mat a = Mat.random(rng, 29, rows, 1);
        float[] c2 = new float[29 * 33];
        Sgemm.gemm(29, 33, rows, SgemmPacking.strided(a.data(), a.off(), a.rs(), a.cs()), s, c2, 0, 33, false, false);
        check(a, new Mat(flatA, 0, seg * segs, 1, rows, seg * segs), c2, 0, 33, c2, false, "segmented B");
    }
}

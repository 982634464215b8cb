package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;

/**
 * Batched matrix product and the GEMM core shared with convolution.
 *
 * <p>Every batch's operands are packed into contiguous {@code double} scratch (FLOAT64 operands that are already
 * row-major contiguous are used in place), multiplied with a blocked i-k-j loop and stored converted to out's
 * dtype. Float32 products are therefore accumulated in double. Large products run on the common ForkJoinPool,
 * split over batches or, for few batches, over blocks of rows.
 */
final class CpuMatmul {
    /** Rows of A (and C) processed per task. */
    private static final int ROW_BLOCK = 64;
    private static final int K_BLOCK = 128;
    private static final int N_BLOCK = 512;

    private CpuMatmul() {}

    static void matmul(Tensor a, Tensor b, Tensor out) {
        int[] oShape = out.shape();
        int r = oShape.length;
        int m = oShape[r - 2], n = oShape[r - 1];
        int[] aShape = a.shape(), aStr = a.strides(), bShape = b.shape(), bStr = b.strides(), oStr = out.strides();
        int k = aShape[aShape.length - 1];
        int[] batchShape = java.util.Arrays.copyOf(oShape, r - 2);
        int nb = dev.brink.engine.Shape.numel(batchShape);
        if (nb == 0 || m == 0 || n == 0) return;
        // Per-batch base offsets of a, b, out.
        int[] aOff = new int[nb], bOff = new int[nb], oOff = new int[nb];
        StridedIndexer it = new StridedIndexer(batchShape, new int[]{a.offset(), b.offset(), out.offset()},
                StridedIndexer.broadcastStrides(java.util.Arrays.copyOf(aShape, aShape.length - 2), java.util.Arrays.copyOf(aStr, aStr.length - 2), batchShape),
                StridedIndexer.broadcastStrides(java.util.Arrays.copyOf(bShape, bShape.length - 2), java.util.Arrays.copyOf(bStr, bStr.length - 2), batchShape),
                java.util.Arrays.copyOf(oStr, r - 2));
        int q = 0;
        for (long row = it.rows(); row > 0; row--, it.next()) {
            for (int j = 0; j < it.inner; j++) {
                aOff[q] = it.pos[0] + j * it.innerStride[0];
                bOff[q] = it.pos[1] + j * it.innerStride[1];
                oOff[q] = it.pos[2] + j * it.innerStride[2];
                q++;
            }
        }
        CpuStorage as = CpuStorage.of(a), bs = CpuStorage.of(b), os = CpuStorage.of(out);
        int ars = aStr[aStr.length - 2], acs = aStr[aStr.length - 1];
        int brs = bStr[bStr.length - 2], bcs = bStr[bStr.length - 1];
        int ors = oStr[r - 2], ocs = oStr[r - 1];
        long work = (long) nb * m * n * Math.max(k, 1);
        boolean parallel = work >= CpuParallel.MIN_PARALLEL_WORK;
        boolean overBatches = parallel && nb >= CpuParallel.threads();
        CpuParallel.forRange(nb, overBatches, bi -> {
            double[] bm;
            int bmOff;
            if (bs.dtype() == DType.FLOAT64 && rowMajor(k, n, brs, bcs)) {
                bm = bs.doubles();
                bmOff = bOff[bi];
            } else {
                bm = new double[k * n];
                bmOff = 0;
                pack(bs, bOff[bi], k, n, brs, bcs, bm);
            }
            int blocks = (m + ROW_BLOCK - 1) / ROW_BLOCK;
            CpuParallel.forRange(blocks, parallel && !overBatches, blk -> {
                int i0 = blk * ROW_BLOCK, rows = Math.min(ROW_BLOCK, m - i0);
                double[] am = new double[rows * k];
                pack(as, aOff[bi] + i0 * ars, rows, k, ars, acs, am);
                double[] c = new double[rows * n];
                gemm(am, 0, bm, bmOff, c, 0, rows, n, k);
                for (int i = 0; i < rows; i++) os.store(c, i * n, oOff[bi] + (i0 + i) * ors, ocs, n);
            });
        });
    }

    /** True when a rows x cols matrix with these strides is laid out row-major without gaps. */
    static boolean rowMajor(int rows, int cols, int rowStride, int colStride) {
        return (cols <= 1 || colStride == 1) && (rows <= 1 || rowStride == cols);
    }

    /** dst = the rows x cols matrix at (off, rowStride, colStride) of s, row-major. */
    static void pack(CpuStorage s, int off, int rows, int cols, int rowStride, int colStride, double[] dst) {
        for (int i = 0; i < rows; i++) s.load(off + i * rowStride, colStride, dst, i * cols, cols);
    }

    /**
     * {@code C[m x n] += A[m x k] * B[k x n]}, all row-major and contiguous from the given offsets; blocked i-k-j
     * loop whose inner loop is a vectorizable axpy over a row of B.
     */
    static void gemm(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int n, int k) {
        for (int p0 = 0; p0 < k; p0 += K_BLOCK) {
            int p1 = Math.min(k, p0 + K_BLOCK);
            for (int j0 = 0; j0 < n; j0 += N_BLOCK) {
                int j1 = Math.min(n, j0 + N_BLOCK);
                for (int i = 0; i < m; i++) {
                    int ci = cOff + i * n;
                    int ai = aOff + i * k;
                    for (int p = p0; p < p1; p++) {
                        double aip = a[ai + p];
                        int bp = bOff + p * n;
                        for (int j = j0; j < j1; j++) c[ci + j] += aip * b[bp + j];
                    }
                }
            }
        }
    }

    /** dst[c][r] = src[r][c] for a rows x cols row-major src. */
    static void transpose(double[] src, int sOff, int rows, int cols, double[] dst, int dOff) {
        for (int i = 0; i < rows; i++) {
            int si = sOff + i * cols;
            for (int j = 0; j < cols; j++) dst[dOff + j * rows + i] = src[si + j];
        }
    }
}

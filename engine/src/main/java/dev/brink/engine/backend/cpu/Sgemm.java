package dev.brink.engine.backend.cpu;

import dev.brink.engine.backend.cpu.SgemmPacking.APacker;
import dev.brink.engine.backend.cpu.SgemmPacking.BPacker;

/**
 * Float GEMM driver, {@code C[m x n] (+)= A[m x k] * B[k x n]} with C row-major (row stride {@code ldc}, unit
 * column stride): the Goto/BLIS loop nest. For each block of {@link #NC} columns and {@link #KC} steps, B is
 * packed once (kept in L2/L3); for each block of {@code mc} rows, A is packed (kept in L2); then the
 * {@link SgemmKernel} sweeps the tiles, each B micro-panel staying in L1 while the A micro-panels stream past.
 * Edge tiles are computed into a scratch tile and copied. Packing buffers come from {@link CpuScratch}.
 *
 * <p>Large products are split over threads by blocks of rows or of columns (whichever duplicates less
 * packing); every element is computed the same way whatever the split, so results do not depend on the
 * thread count.
 */
final class Sgemm {
    /** Steps of k per packed block (B micro-panel of KC x nr floats stays in L1). */
    static final int KC = 256;
    /** Target rows per packed A block (rounded to a multiple of mr; the block stays in L2). */
    static final int MC = 128;
    /** Columns per packed B block. */
    static final int NC = 2048;

    private Sgemm() {}

    /**
     * {@code C = A*B} (or {@code C += A*B} when {@code add}) for C at {@code c[cOff + i*ldc + j]}; splits over
     * threads when {@code parallel} and the product is large. k = 0 stores zeros (or leaves C when adding).
     */
    static void gemm(int m, int n, int k, APacker a, BPacker b, float[] c, int cOff, int ldc, boolean add, boolean parallel) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            if (!add) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        SgemmKernel kernel = SgemmKernel.get();
        int mr = kernel.mr, nr = kernel.nr;
        int parts = parallel ? CpuParallel.partsFor((long) m * n * k) : 1;
        int mPanels = (m + mr - 1) / mr, nPanels = (n + nr - 1) / nr;
        // Split the dimension whose other operand is cheaper to pack twice: rows duplicate B's packing, columns A's.
        boolean byRows = mPanels >= parts && (m >= n || nPanels < parts);
        if (parts > 1 && !byRows && nPanels < parts) parts = 1;
        if (parts <= 1) {
            block(kernel, 0, m, 0, n, k, a, b, c, cOff, ldc, add);
            return;
        }
        int np = parts;
        if (byRows) {
            CpuParallel.run(np, part -> {
                int i0 = Math.min(m, (int) ((long) mPanels * part / np) * mr), i1 = Math.min(m, (int) ((long) mPanels * (part + 1) / np) * mr);
                block(kernel, i0, i1, 0, n, k, a, b, c, cOff, ldc, add);
            });
        } else {
            CpuParallel.run(np, part -> {
                int j0 = Math.min(n, (int) ((long) nPanels * part / np) * nr), j1 = Math.min(n, (int) ((long) nPanels * (part + 1) / np) * nr);
                block(kernel, 0, m, j0, j1, k, a, b, c, cOff, ldc, add);
            });
        }
    }

    /** The serial loop nest over rows [m0, m1) and columns [n0, n1) of C. */
    private static void block(SgemmKernel kernel, int m0, int m1, int n0, int n1, int k, APacker a, BPacker b,
                              float[] c, int cOff, int ldc, boolean add) {
        if (m1 <= m0 || n1 <= n0) return;
        int mr = kernel.mr, nr = kernel.nr;
        int mcMax = Math.max(mr, MC / mr * mr);
        int kcMax = Math.min(KC, k);
        int ncMax = Math.min(NC, n1 - n0);
        float[] ab = CpuScratch.floats(CpuScratch.PACK_A, Math.min(mcMax, roundUp(m1 - m0, mr)) * kcMax);
        float[] bb = CpuScratch.floats(CpuScratch.PACK_B, roundUp(ncMax, nr) * kcMax);
        float[] tile = CpuScratch.floats(CpuScratch.TILE, mr * nr);
        SgemmPacking.PrepackedA pre = a.prepacked();
        if (pre != null && pre.mr != mr) pre = null;
        for (int jc = n0; jc < n1; jc += NC) {
            int nc = Math.min(NC, n1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean addc = add || pc > 0;
                int ldb = b.packB(pc, kc, jc, nc, kernel, bb);
                int bPanel = ldb == nr ? nr * kc : nr;
                for (int ic = m0; ic < m1; ic += mcMax) {
                    int mc = Math.min(mcMax, m1 - ic);
                    float[] ap;
                    int a0;
                    if (pre != null) {
                        ap = pre.data;
                        a0 = pre.offset(ic, pc, kc);
                    } else {
                        a.packA(ic, mc, pc, kc, kernel, ab);
                        ap = ab;
                        a0 = 0;
                    }
                    for (int jr = 0; jr < nc; jr += nr) {
                        int nv = Math.min(nr, nc - jr);
                        for (int ir = 0; ir < mc; ir += mr) {
                            int mv = Math.min(mr, mc - ir);
                            int co = cOff + (ic + ir) * ldc + jc + jr;
                            int ao = a0 + ir * kc, bo = jr / nr * bPanel;
                            if (mv == mr && nv == nr) {
                                kernel.tile(kc, ap, ao, bb, bo, ldb, c, co, ldc, addc);
                            } else {
                                kernel.tile(kc, ap, ao, bb, bo, ldb, tile, 0, nr, false);
                                for (int i = 0; i < mv; i++) {
                                    int ci = co + i * ldc, ti = i * nr;
                                    if (addc) for (int j = 0; j < nv; j++) c[ci + j] += tile[ti + j];
                                    else System.arraycopy(tile, ti, c, ci, nv);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }
}

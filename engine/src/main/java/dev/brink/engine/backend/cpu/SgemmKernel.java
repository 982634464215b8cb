package dev.brink.engine.backend.cpu;

/**
 * The register-tiled inner loop of the float GEMM ({@link Sgemm}): one {@code mr x nr} tile of C from a packed
 * A micro-panel ({@code kc} steps of {@code mr} values) and a packed B micro-panel ({@code kc} steps of
 * {@code nr} values). Two implementations: {@code SimdSgemmKernel} (Vector API; loaded only when available)
 * and {@link ScalarSgemmKernel}. {@link #get()} is the one the kernels use.
 *
 * <p>Every element of the tile is computed as its own chain of multiply-adds over p in ascending order,
 * starting from 0, and then stored or added to C, so the result of an element does not depend on where its tile
 * falls (full tile or edge tile) or on how the work is split over threads.
 */
abstract class SgemmKernel {
    /** Rows of a tile (values per step of a packed A micro-panel). */
    final int mr;
    /** Columns of a tile (values per step of a packed B micro-panel). */
    final int nr;

    /** The kernel in use; chosen on first use (not in a static initializer: the SIMD subclass must not be
     *  created while this class is still being initialized). */
    private static volatile SgemmKernel current;

    SgemmKernel(int mr, int nr) {
        this.mr = mr;
        this.nr = nr;
    }

    /**
     * {@code C[i][j] (+)= sum_p a[ao + p*mr + i] * b[bo + p*ldb + j]} for {@code i < mr, j < nr}, with
     * {@code C[i][j] = c[co + i*ldc + j]}; stores when {@code add} is false, adds when true. {@code ldb} is
     * {@code nr} for a packed B micro-panel, or the row length of a row-major B block.
     */
    abstract void tile(int kc, float[] a, int ao, float[] b, int bo, int ldb, float[] c, int co, int ldc, boolean add);

    /**
     * The implicit-GEMM tile: {@code C[i][j] (+)= sum_p x[rows[ro + i] + steps[so + p]] * b[bo + p*ldb + j]} for
     * {@code i < mr, j < nr}, with C as in {@link #tile}. A is read in place from x through a row offset and a
     * step offset (e.g. an output position and a kernel tap of a convolution), so it is never packed. Every
     * element is one chain of multiply-adds over p in ascending order, as in {@link #tile}.
     */
    abstract void gatherTile(int kc, float[] x, int[] rows, int ro, int[] steps, int so, float[] b, int bo, int ldb,
                             float[] c, int co, int ldc, boolean add);

    /**
     * Whether {@link #gatherTileWide} is implemented: a {@code 4 x 2nr} tile with half of {@link #gatherTile}'s
     * gathered loads per multiply-add. True only where {@link #mr} is a multiple of 4, so that runs of whole
     * {@code mr}-row tiles split into whole wide tiles.
     */
    boolean gathersWide() {
        return false;
    }

    /**
     * {@link #gatherTile} for rows {@code ro .. ro+3} and {@code 2 * nr} columns: the same sums, each element the
     * same chain of multiply-adds, so the results are bit for bit those of two {@link #gatherTile} calls.
     */
    void gatherTileWide(int kc, float[] x, int[] rows, int ro, int[] steps, int so, float[] b, int bo, int ldb,
                        float[] c, int co, int ldc, boolean add) {
        throw new UnsupportedOperationException("gatherTileWide");
    }

    /**
     * Copies a full B micro-panel from a row-major source: {@code dst[t + p*nr + j] = src[s + p*ss + j]} for
     * {@code p < kc, j < nr}.
     */
    void packPanelB(float[] src, int s, int ss, float[] dst, int t, int kc) {
        for (int p = 0; p < kc; p++) System.arraycopy(src, s + p * ss, dst, t + p * nr, nr);
    }

    /**
     * Copies a full A micro-panel from a column-major source: {@code dst[t + p*mr + i] = src[s + p*ss + i]} for
     * {@code p < kc, i < mr}.
     */
    void packPanelA(float[] src, int s, int ss, float[] dst, int t, int kc) {
        if (mr == 8) {
            for (int p = 0; p < kc; p++, s += ss, t += 8) {
                dst[t] = src[s];
                dst[t + 1] = src[s + 1];
                dst[t + 2] = src[s + 2];
                dst[t + 3] = src[s + 3];
                dst[t + 4] = src[s + 4];
                dst[t + 5] = src[s + 5];
                dst[t + 6] = src[s + 6];
                dst[t + 7] = src[s + 7];
            }
            return;
        }
        for (int p = 0; p < kc; p++) System.arraycopy(src, s + p * ss, dst, t + p * mr, mr);
    }

    /** Short description, e.g. "Vector API, 16 float lanes, 8x32 tiles". */
    abstract String describe();

    /** The kernel in use. */
    static SgemmKernel get() {
        SgemmKernel k = current;
        if (k == null) {
            synchronized (SgemmKernel.class) {
                if (current == null) current = select(VectorSupport.requested());
                k = current;
            }
        }
        return k;
    }

    /** The SIMD kernel when {@code simd} and the Vector API is available, else the scalar one. */
    static SgemmKernel select(boolean simd) {
        SgemmKernel k = simd ? VectorSupport.loadSimdKernel() : null;
        return k != null ? k : new ScalarSgemmKernel();
    }

    /** Switches the kernel in use (tests compare the SIMD and scalar paths); returns the previous one. */
    static SgemmKernel use(SgemmKernel k) {
        SgemmKernel old = get();
        current = k;
        return old;
    }
}

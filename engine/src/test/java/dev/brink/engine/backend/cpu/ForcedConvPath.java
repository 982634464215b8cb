package dev.brink.engine.backend.cpu;

/**
 * Forces a GEMM micro-kernel, a float32 convolution path and a Winograd tile for one test and restores them, and the thread count,
 * afterwards (call {@link #restore} from an {@code @AfterEach} method).
 */
final class ForcedConvPath {
    private SgemmKernel savedKernel;
    private ConvPath.Mode savedMode;
    private Integer savedTile;

    /** Uses the "simd" or "scalar" micro-kernel and the given path; false when "simd" is asked for and unavailable. */
    boolean use(String kernel, ConvPath.Mode mode) {
        SgemmKernel k = kernel.equals("simd") ? VectorSupport.loadSimdKernel() : new ScalarSgemmKernel();
        if (k == null) return false;
        SgemmKernel old = SgemmKernel.use(k);
        if (savedKernel == null) savedKernel = old;
        mode(mode);
        return true;
    }

    /** Uses the given path with the current micro-kernel. */
    void mode(ConvPath.Mode mode) {
        ConvPath.Mode old = ConvPath.use(mode);
        if (savedMode == null) savedMode = old;
    }

    /** Uses Winograd's F(m x m, 3x3) wherever Winograd runs (0: the rule). */
    void tile(int m) {
        int old = ConvPath.useTile(m);
        if (savedTile == null) savedTile = old;
    }

    void restore() {
        if (savedTile != null) ConvPath.useTile(savedTile);
        savedTile = null;
        if (savedKernel != null) SgemmKernel.use(savedKernel);
        if (savedMode != null) ConvPath.use(savedMode);
        savedKernel = null;
        savedMode = null;
        CpuParallel.setThreads(0);
    }
}

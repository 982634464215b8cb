package dev.brink.engine.backend.cpu;

/**
 * Forces a GEMM micro-kernel and a float32 convolution path for one test and restores both, and the thread count,
 * afterwards (call {@link #restore} from an {@code @AfterEach} method).
 */
final class ForcedConvPath {
    private SgemmKernel savedKernel;
    private ConvPath.Mode savedMode;

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

    void restore() {
        if (savedKernel != null) SgemmKernel.use(savedKernel);
        if (savedMode != null) ConvPath.use(savedMode);
        savedKernel = null;
        savedMode = null;
        CpuParallel.setThreads(0);
    }
}

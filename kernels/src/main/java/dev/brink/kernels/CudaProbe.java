package dev.brink.kernels;

/**
 * Whether the CUDA backend can run here, and if not why, decided once per process. JCuda is touched only inside
 * {@link JCudaProbe}, behind a try/catch, so that a missing library, a missing driver or a failing native load
 * becomes a reason in words instead of an error; nothing here throws.
 */
final class CudaProbe {
    private static String reason;
    private static boolean probed;

    private CudaProbe() {}

    /** Null when a usable CUDA device is present; otherwise the reason it is not. Cheap after the first call. */
    static synchronized String unavailableReason() {
        if (!probed) {
            reason = probe();
            probed = true;
        }
        return reason;
    }

    private static String probe() {
        if (!PtxResources.packed())
            return "this build has no CUDA kernels (nvcc was not found when it was built; rebuild with the CUDA toolkit on the PATH)";
        try {
            Class.forName("jcuda.driver.JCudaDriver", false, CudaProbe.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "library missing: JCuda is not on the class path";
        }
        try {
            return JCudaProbe.probe(deviceOrdinal());
        } catch (LinkageError e) {
            return explain(e);
        } catch (Throwable e) {
            return "CUDA probe failed: " + e;
        }
    }

    /** The device to use: system property {@code brink.cuda.device} or env {@code BRINK_CUDA_DEVICE}, default 0. */
    static int deviceOrdinal() {
        String s = System.getProperty("brink.cuda.device");
        if (s == null || s.isBlank()) s = System.getenv("BRINK_CUDA_DEVICE");
        if (s == null || s.isBlank()) return 0;
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Said where JCublas or JCudnn 11.7.0 cannot load, typically a machine with only CUDA 12/13 libraries. */
    static final String SHIM_HINT = " (with only cuBLAS 12/13 or cuDNN 9 installed: LD_LIBRARY_PATH=kernels/target/cuda-shims, see docs/kernels.md)";

    /** A native-library failure in words: no driver (libcuda) or a missing/unloadable JCuda library. */
    static String explain(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(' ').append(t.getMessage());
        String text = all.toString();
        if (text.contains("libcuda.so")) return "no CUDA driver (libcuda.so.1 cannot be loaded: no NVIDIA driver installed)";
        String first = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
        return "library missing: JCuda's native library failed to load (" + first.trim() + ")";
    }
}

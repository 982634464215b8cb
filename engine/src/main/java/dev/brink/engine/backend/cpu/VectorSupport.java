package dev.brink.engine.backend.cpu;

import java.util.Locale;

/**
 * Whether the float kernels use the Vector API ({@code jdk.incubator.vector}). It is used when the module is in
 * the boot layer (the JVM was started with {@code --add-modules jdk.incubator.vector}, as {@code ./brink} does)
 * and the system property {@code brink.simd} is not {@code false}; otherwise the kernels run scalar float loops
 * (still blocked and packed; C2 auto-vectorizes some of them). This class never touches the Vector API itself:
 * the SIMD classes are loaded by name only after the check, so the engine runs on JVMs without the module.
 */
final class VectorSupport {
    /** Fully qualified name of the SIMD GEMM micro-kernel, loaded reflectively. */
    private static final String SIMD_KERNEL = "dev.brink.engine.backend.cpu.SimdSgemmKernel";
    /** Fully qualified name of the SIMD mask kernels, loaded reflectively. */
    private static final String SIMD_MASKS = "dev.brink.engine.backend.cpu.SimdFloatMasks";
    /** Fully qualified names of the SIMD Winograd transforms, F(2, 3) and F(4, 3), loaded reflectively. */
    private static final String SIMD_WINOGRAD_TWO = "dev.brink.engine.backend.cpu.SimdWinogradF2Transforms",
            SIMD_WINOGRAD_FOUR = "dev.brink.engine.backend.cpu.SimdWinogradF4Transforms";
    /** Fully qualified name of the SIMD direct convolution kernels, loaded reflectively. */
    private static final String SIMD_DIRECT_CONV = "dev.brink.engine.backend.cpu.SimdDirectConv";
    /** Fully qualified name of the SIMD optimizer loops, loaded reflectively. */
    private static final String SIMD_OPTIMIZER = "dev.brink.engine.backend.cpu.SimdFloatOptimizerLoops";

    private VectorSupport() {}

    /** True when {@code jdk.incubator.vector} is resolved in the boot layer of this JVM. */
    static boolean moduleAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** False when the system property {@code brink.simd} is {@code false} (or {@code off}, {@code 0}). */
    static boolean requested() {
        String v = System.getProperty("brink.simd");
        if (v == null) return true;
        v = v.trim().toLowerCase(Locale.ROOT);
        return !(v.equals("false") || v.equals("off") || v.equals("0") || v.equals("no"));
    }

    /**
     * The SIMD micro-kernel when the module is present, or null (also when loading it fails for any reason:
     * the scalar path is always a correct fallback).
     */
    static SgemmKernel loadSimdKernel() {
        return loadSimd(SgemmKernel.class, () -> Class.forName(SIMD_KERNEL));
    }

    /** The SIMD mask kernels when the module is present, or null (as {@link #loadSimdKernel}). */
    static FloatMasks loadSimdMasks() {
        return loadSimd(FloatMasks.class, () -> Class.forName(SIMD_MASKS));
    }

    /**
     * The SIMD transforms of Winograd's F(m, 3) (m = 2 or 4) when the module is present, or null (as
     * {@link #loadSimdKernel}).
     */
    static WinogradTransforms loadSimdWinograd(int m) {
        if (m == 2) return loadSimd(WinogradTransforms.class, () -> Class.forName(SIMD_WINOGRAD_TWO));
        return loadSimd(WinogradTransforms.class, () -> Class.forName(SIMD_WINOGRAD_FOUR));
    }

    /** The SIMD direct convolution kernels when the module is present, or null (as {@link #loadSimdKernel}). */
    static DirectConv loadSimdDirectConv() {
        return loadSimd(DirectConv.class, () -> Class.forName(SIMD_DIRECT_CONV));
    }

    /** The SIMD optimizer loops when the module is present, or null (as {@link #loadSimdKernel}). */
    static FloatOptimizerLoops loadSimdOptimizerLoops() {
        return loadSimd(FloatOptimizerLoops.class, () -> Class.forName(SIMD_OPTIMIZER));
    }

    /** A class named by one of this file's constants (never by data: see NoCodeInModelFilesTest). */
    private interface NamedClass {
        Class<?> get() throws ClassNotFoundException;
    }

    /**
     * A new instance of a SIMD class (public no-argument constructor) as a {@code type}, or null when the module is
     * absent or loading fails for any reason (the scalar class is always a correct fallback).
     */
    private static <T> T loadSimd(Class<T> type, NamedClass named) {
        if (!moduleAvailable()) return null;
        try {
            return type.cast(named.get().getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }
}

package dev.brink.engine.backend.cpu;

/**
 * The float32 mask kernels over contiguous runs, the elementwise work of every backward pass and attack step:
 * comparisons ({@code o[i] = 1} where {@code a[i] > b[i]}, {@code >=} when {@code orEqual}, else 0, also where either
 * side is NaN; {@code -0} and {@code +0} compare equal), relu's backward ({@link #maskPositive}), {@code where}'s
 * select ({@link #select}) and sign. This class holds the scalar loops (branch-free, {@link FloatElementwise#select}
 * and {@link FloatElementwise#greater}); {@link SimdFloatMasks} overrides them with Vector API compares and blends
 * when the module is loaded. Both give the same bits.
 */
class FloatMasks {
    /** The kernels in use: SIMD when the Vector API is available and {@code brink.simd} is not off. */
    static FloatMasks get() {
        return Current.KERNELS;
    }

    /** Chosen on first use, outside this class's initialization (the SIMD subclass is created by it). */
    private static final class Current {
        static final FloatMasks KERNELS = select(VectorSupport.requested());
    }

    /** The SIMD kernels when {@code simd} and the Vector API is available, else the scalar ones. */
    static FloatMasks select(boolean simd) {
        FloatMasks k = simd ? VectorSupport.loadSimdMasks() : null;
        return k != null ? k : new FloatMasks();
    }

    /** {@code o[oo+i] = a[ao+i] > b[bo+i]} (or {@code >=}) for {@code i < n}. */
    void vv(boolean orEqual, float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
        if (orEqual) for (int i = 0; i < n; i++) o[oo + i] = FloatElementwise.atLeast(a[ao + i], b[bo + i]);
        else for (int i = 0; i < n; i++) o[oo + i] = FloatElementwise.greater(a[ao + i], b[bo + i]);
    }

    /** {@code o[oo+i] = a[ao+i] > y} (or {@code >=}) for {@code i < n}. */
    void vs(boolean orEqual, float[] a, int ao, float y, float[] o, int oo, int n) {
        if (orEqual) for (int i = 0; i < n; i++) o[oo + i] = FloatElementwise.atLeast(a[ao + i], y);
        else for (int i = 0; i < n; i++) o[oo + i] = FloatElementwise.greater(a[ao + i], y);
    }

    /** {@code o[oo+i] = x > b[bo+i]} (or {@code >=}) for {@code i < n}. */
    void sv(boolean orEqual, float x, float[] b, int bo, float[] o, int oo, int n) {
        if (orEqual) for (int i = 0; i < n; i++) o[oo + i] = FloatElementwise.atLeast(x, b[bo + i]);
        else for (int i = 0; i < n; i++) o[oo + i] = FloatElementwise.greater(x, b[bo + i]);
    }

    /**
     * {@code o[oo+i] = sign(x[xo+i])}: 1, -1, +0 for either zero, NaN kept ({@link FloatElementwise#unaryOf}'s SIGN,
     * the FGSM and PGD step direction).
     */
    void sign(float[] x, int xo, float[] o, int oo, int n) {
        for (int i = 0; i < n; i++) o[oo + i] = FloatElementwise.unaryOf(dev.brink.engine.backend.UnaryKernel.SIGN, 0, x[xo + i]);
    }

    /** {@code o[oo+i] = b[bo+i] > 0 ? a[ao+i] : 0} (the relu backward; 0 where b is NaN, whatever a is). */
    void maskPositive(float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
        for (int i = 0; i < n; i++) o[oo + i] = FloatElementwise.select(b[bo + i] > 0, a[ao + i], 0f);
    }

    /**
     * {@code o[oo+i] = c[co+i] != 0 ? a : b} (a NaN condition counts as true), where a is {@code a[ao+i]} with
     * {@code as} 1 or {@code a[ao]} with {@code as} 0, and b the same with {@code bs}: where()'s contiguous runs.
     */
    void select(float[] c, int co, float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        for (int i = 0; i < n; i++) o[oo + i] = FloatElementwise.select(c[co + i] != 0, a[ao + i * as], b[bo + i * bs]);
    }

    /** Short description for tests and diagnostics. */
    String describe() {
        return "scalar";
    }
}

package dev.brink.engine.backend.cpu;

/**
 * The one-dimensional transforms of one Winograd algorithm F(m, 3) ({@link WinogradConv}; m = 2 or 4, a tile of
 * m outputs from {@code alpha = m + 2} inputs) over runs of n independent lanes (tiles). Each method reads its
 * k-th input run at {@code src[so + k * ss + i]} and writes its k-th output run at {@code dst[po + k * ps + i]},
 * i &lt; n. Each lane's inputs are read before its outputs are written, so a transform may run in place (same
 * array, offset and stride, as many outputs as inputs); other output runs must not overlap the input runs. The
 * scalar classes hold plain loops; their
 * SIMD subclasses override them with Vector API loops when the module is loaded. Both compute every lane with the
 * same operations in the same order (no fused multiply-add), so they give the same bits.
 */
abstract class WinogradTransforms {
    /** The transforms of F(m, 3) in use: SIMD when the Vector API is available and {@code brink.simd} is not off. */
    static WinogradTransforms get(int m) {
        return m == 2 ? Current.F2 : m == 4 ? Current.F4 : unknown(m);
    }

    /** Chosen on first use, outside this class's initialization (the SIMD subclasses are created by it). */
    private static final class Current {
        static final WinogradTransforms F2 = select(2, VectorSupport.requested());
        static final WinogradTransforms F4 = select(4, VectorSupport.requested());
    }

    /** The SIMD transforms of F(m, 3) when {@code simd} and the Vector API is available, else the scalar ones. */
    static WinogradTransforms select(int m, boolean simd) {
        WinogradTransforms t = simd ? VectorSupport.loadSimdWinograd(m) : null;
        if (t != null) return t;
        return m == 2 ? new WinogradF2Transforms() : m == 4 ? new WinogradF4Transforms() : unknown(m);
    }

    private static WinogradTransforms unknown(int m) {
        throw new IllegalArgumentException("Winograd tile must be 2 or 4 outputs wide, got " + m);
    }

    /** Outputs per tile side, m. */
    abstract int m();

    /** Inputs per tile side, {@code m + 2}; a tile has {@code alpha^2} transform points. */
    final int alpha() {
        return m() + 2;
    }

    /** The input transform {@code B^T d}: alpha runs to alpha runs. */
    abstract void input(float[] src, int so, int ss, float[] dst, int po, int ps, int n);

    /** The output transform {@code A^T m}: alpha runs to m runs. */
    abstract void output(float[] src, int so, int ss, float[] dst, int po, int ps, int n);

    /** The kernel transform {@code G g}: 3 runs to alpha runs. */
    abstract void kernel(float[] src, int so, int ss, float[] dst, int po, int ps, int n);

    /** The output-gradient transform {@code A g} (the adjoint of {@link #output}): m runs to alpha runs. */
    abstract void gradient(float[] src, int so, int ss, float[] dst, int po, int ps, int n);

    /**
     * The kernel gradient {@code G^T dU G} of one kernel (the adjoint of {@link #kernel} on both sides): {@code du}
     * holds the alpha x alpha point values row-major, the 3x3 result goes to {@code dw[q .. q + 8]} row-major;
     * {@code work} holds at least {@code 3 * alpha} floats (overwritten).
     */
    abstract void kernelGradient(float[] du, float[] work, float[] dw, int q);
}

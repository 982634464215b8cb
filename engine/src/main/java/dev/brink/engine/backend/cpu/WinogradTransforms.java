package dev.brink.engine.backend.cpu;

/**
 * The one-dimensional transforms of Winograd's F(2, 3) ({@link WinogradConv}) over runs of n independent lanes
 * (tiles): each method reads its inputs from runs of {@code src} at the given offsets and writes runs of {@code dst}
 * (which may be the same array; the runs must not overlap). This class holds the scalar loops;
 * {@link SimdWinogradTransforms} overrides them with Vector API loops when the module is loaded. Both compute every
 * lane with the same operations in the same order, so they give the same bits.
 */
class WinogradTransforms {
    /** The transforms in use: SIMD when the Vector API is available and {@code brink.simd} is not off. */
    static WinogradTransforms get() {
        return Current.TRANSFORMS;
    }

    /** Chosen on first use, outside this class's initialization (the SIMD subclass is created by it). */
    private static final class Current {
        static final WinogradTransforms TRANSFORMS = select(VectorSupport.requested());
    }

    /** The SIMD transforms when {@code simd} and the Vector API is available, else the scalar ones. */
    static WinogradTransforms select(boolean simd) {
        WinogradTransforms t = simd ? VectorSupport.loadSimdWinograd() : null;
        return t != null ? t : new WinogradTransforms();
    }

    /** The input transform {@code B^T d}: {@code (d0 - d2, d1 + d2, d2 - d1, d1 - d3)} with {@code dk = src[ok + i]}. */
    void input(float[] src, int o0, int o1, int o2, int o3, float[] dst, int p0, int p1, int p2, int p3, int n) {
        for (int i = 0; i < n; i++) {
            float d0 = src[o0 + i], d1 = src[o1 + i], d2 = src[o2 + i], d3 = src[o3 + i];
            dst[p0 + i] = d0 - d2;
            dst[p1 + i] = d1 + d2;
            dst[p2 + i] = d2 - d1;
            dst[p3 + i] = d1 - d3;
        }
    }

    /** The output transform {@code A^T m}: {@code ((m0 + m1) + m2, (m1 - m2) - m3)}. */
    void output(float[] src, int o0, int o1, int o2, int o3, float[] dst, int p0, int p1, int n) {
        for (int i = 0; i < n; i++) {
            float m0 = src[o0 + i], m1 = src[o1 + i], m2 = src[o2 + i], m3 = src[o3 + i];
            dst[p0 + i] = m0 + m1 + m2;
            dst[p1 + i] = m1 - m2 - m3;
        }
    }

    /** The kernel transform {@code G g}: {@code (g0, 0.5 * ((g0 + g1) + g2), 0.5 * ((g0 - g1) + g2), g2)}. */
    void kernel(float[] src, int o0, int o1, int o2, float[] dst, int p0, int p1, int p2, int p3, int n) {
        for (int i = 0; i < n; i++) {
            float g0 = src[o0 + i], g1 = src[o1 + i], g2 = src[o2 + i];
            dst[p0 + i] = g0;
            dst[p1 + i] = 0.5f * (g0 + g1 + g2);
            dst[p2 + i] = 0.5f * (g0 - g1 + g2);
            dst[p3 + i] = g2;
        }
    }

    /** The output-gradient transform {@code A g}: {@code (g0, g0 + g1, g0 - g1, -g1)}. */
    void gradient(float[] src, int o0, int o1, float[] dst, int p0, int p1, int p2, int p3, int n) {
        for (int i = 0; i < n; i++) {
            float g0 = src[o0 + i], g1 = src[o1 + i];
            dst[p0 + i] = g0;
            dst[p1 + i] = g0 + g1;
            dst[p2 + i] = g0 - g1;
            dst[p3 + i] = -g1;
        }
    }
}

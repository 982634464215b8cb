package dev.brink.engine.backend.cpu;

/**
 * Winograd's F(2, 3) (Lavin and Gray): a tile of 2 outputs from 4 inputs, 16 points per 2x2 tile. Its coefficients
 * are 0, ±1 and ±1/2, so the transforms add no rounding beyond a few additions. Scalar loops;
 * {@link SimdWinogradF2Transforms} overrides them.
 */
class WinogradF2Transforms extends WinogradTransforms {
    @Override
    final int m() {
        return 2;
    }

    /** {@code (d0 - d2, d1 + d2, d2 - d1, d1 - d3)}. */
    @Override
    void input(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        for (int i = 0; i < n; i++) {
            float d0 = src[so + i], d1 = src[so + ss + i], d2 = src[so + 2 * ss + i], d3 = src[so + 3 * ss + i];
            dst[po + i] = d0 - d2;
            dst[po + ps + i] = d1 + d2;
            dst[po + 2 * ps + i] = d2 - d1;
            dst[po + 3 * ps + i] = d1 - d3;
        }
    }

    /** {@code ((m0 + m1) + m2, (m1 - m2) - m3)}. */
    @Override
    void output(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        for (int i = 0; i < n; i++) {
            float m0 = src[so + i], m1 = src[so + ss + i], m2 = src[so + 2 * ss + i], m3 = src[so + 3 * ss + i];
            dst[po + i] = m0 + m1 + m2;
            dst[po + ps + i] = m1 - m2 - m3;
        }
    }

    /** {@code (g0, 0.5 * ((g0 + g1) + g2), 0.5 * ((g0 - g1) + g2), g2)}. */
    @Override
    void kernel(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        for (int i = 0; i < n; i++) {
            float g0 = src[so + i], g1 = src[so + ss + i], g2 = src[so + 2 * ss + i];
            dst[po + i] = g0;
            dst[po + ps + i] = 0.5f * (g0 + g1 + g2);
            dst[po + 2 * ps + i] = 0.5f * (g0 - g1 + g2);
            dst[po + 3 * ps + i] = g2;
        }
    }

    /** {@code (g0, g0 + g1, g0 - g1, -g1)}. */
    @Override
    void gradient(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        for (int i = 0; i < n; i++) {
            float g0 = src[so + i], g1 = src[so + ss + i];
            dst[po + i] = g0;
            dst[po + ps + i] = g0 + g1;
            dst[po + 2 * ps + i] = g0 - g1;
            dst[po + 3 * ps + i] = -g1;
        }
    }

    /** {@code G^T a = (a0 + 0.5 (a1 + a2), 0.5 (a1 - a2), 0.5 (a1 + a2) + a3)} over the rows, then the columns. */
    @Override
    void kernelGradient(float[] a, float[] b, float[] dw, int q) {
        for (int j = 0; j < 4; j++) { // over the rows of dU: 4 -> 3
            float a0 = a[j], a1 = a[4 + j], a2 = a[8 + j], a3 = a[12 + j];
            b[j] = a0 + 0.5f * (a1 + a2);
            b[4 + j] = 0.5f * (a1 - a2);
            b[8 + j] = 0.5f * (a1 + a2) + a3;
        }
        for (int i = 0; i < 3; i++) { // then over the columns
            float b0 = b[4 * i], b1 = b[4 * i + 1], b2 = b[4 * i + 2], b3 = b[4 * i + 3];
            dw[q + 3 * i] = b0 + 0.5f * (b1 + b2);
            dw[q + 3 * i + 1] = 0.5f * (b1 - b2);
            dw[q + 3 * i + 2] = 0.5f * (b1 + b2) + b3;
        }
    }
}

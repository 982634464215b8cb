package dev.brink.engine.backend.cpu;

/**
 * Winograd's F(4, 3) (Lavin and Gray): a tile of 4 outputs from 6 inputs, 36 points per 4x4 tile, so a 3x3
 * layer takes 36 multiplies per 16 outputs and channel pair instead of 144 (4x fewer; F(2, 3) saves 2.25x). Its
 * matrices, with interpolation points 0, ±1, ±2 and infinity:
 * <pre>
 *   B^T = | 4  0 -5  0  1  0 |    G = |  1/4     0     0  |    A^T = | 1  1  1  1  1  0 |
 *         | 0 -4 -4  1  1  0 |        | -1/6  -1/6  -1/6 |          | 0  1 -1  2 -2  0 |
 *         | 0  4 -4 -1  1  0 |        | -1/6   1/6  -1/6 |          | 0  1  1  4  4  0 |
 *         | 0 -2 -1  2  1  0 |        |  1/24  1/12  1/6 |          | 0  1 -1  8 -8  1 |
 *         | 0  2 -1 -2  1  0 |        |  1/24 -1/12  1/6 |
 *         | 0  4  0 -5  0  1 |        |  0     0     1   |
 * </pre>
 * The larger coefficients make its rounding error a few times F(2, 3)'s (WinogradConvTest bounds both). Scalar
 * loops, each row factored into shared sums; {@link SimdWinogradF4Transforms} overrides them.
 */
class WinogradF4Transforms extends WinogradTransforms {
    static final float SIXTH = 1f / 6, TWELFTH = 1f / 12, TWENTY_FOURTH = 1f / 24;

    @Override
    final int m() {
        return 4;
    }

    /**
     * {@code (4 d0 - 5 d2 + d4, t + u, t - u, v + w, v - w, 4 d1 - 5 d3 + d5)} with {@code t = d4 - 4 d2},
     * {@code u = d3 - 4 d1}, {@code v = d4 - d2}, {@code w = 2 (d3 - d1)}.
     */
    @Override
    void input(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        for (int i = 0; i < n; i++) {
            int k = so + i;
            float d0 = src[k], d1 = src[k + ss], d2 = src[k + 2 * ss], d3 = src[k + 3 * ss], d4 = src[k + 4 * ss], d5 = src[k + 5 * ss];
            float t = d4 - 4f * d2, u = d3 - 4f * d1, v = d4 - d2, w = 2f * (d3 - d1);
            int q = po + i;
            dst[q] = 4f * d0 - 5f * d2 + d4;
            dst[q + ps] = t + u;
            dst[q + 2 * ps] = t - u;
            dst[q + 3 * ps] = v + w;
            dst[q + 4 * ps] = v - w;
            dst[q + 5 * ps] = 4f * d1 - 5f * d3 + d5;
        }
    }

    /**
     * {@code ((m0 + a) + c, b + 2 d, a + 4 c, (b + 8 d) + m5)} with {@code a = m1 + m2}, {@code b = m1 - m2},
     * {@code c = m3 + m4}, {@code d = m3 - m4}.
     */
    @Override
    void output(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        for (int i = 0; i < n; i++) {
            int k = so + i;
            float m0 = src[k], m1 = src[k + ss], m2 = src[k + 2 * ss], m3 = src[k + 3 * ss], m4 = src[k + 4 * ss], m5 = src[k + 5 * ss];
            float a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4;
            int q = po + i;
            dst[q] = m0 + a + c;
            dst[q + ps] = b + 2f * d;
            dst[q + 2 * ps] = a + 4f * c;
            dst[q + 3 * ps] = b + 8f * d + m5;
        }
    }

    /**
     * {@code (g0 / 4, -(s + g1) / 6, -(s - g1) / 6, t + u, t - u, g2)} with {@code s = g0 + g2},
     * {@code t = g0 / 24 + g2 / 6}, {@code u = g1 / 12} (each division a multiply by the rounded reciprocal).
     */
    @Override
    void kernel(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        for (int i = 0; i < n; i++) {
            int k = so + i;
            float g0 = src[k], g1 = src[k + ss], g2 = src[k + 2 * ss];
            float s = g0 + g2, t = g0 * TWENTY_FOURTH + g2 * SIXTH, u = g1 * TWELFTH;
            int q = po + i;
            dst[q] = 0.25f * g0;
            dst[q + ps] = (s + g1) * -SIXTH;
            dst[q + 2 * ps] = (s - g1) * -SIXTH;
            dst[q + 3 * ps] = t + u;
            dst[q + 4 * ps] = t - u;
            dst[q + 5 * ps] = g2;
        }
    }

    /** {@code (g0, p + q, p - q, r + s, r - s, g3)} with {@code p = g0 + g2}, {@code q = g1 + g3}, {@code r = g0 + 4 g2}, {@code s = 2 g1 + 8 g3}. */
    @Override
    void gradient(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        for (int i = 0; i < n; i++) {
            int k = so + i;
            float g0 = src[k], g1 = src[k + ss], g2 = src[k + 2 * ss], g3 = src[k + 3 * ss];
            float p = g0 + g2, q = g1 + g3, r = g0 + 4f * g2, s = 2f * g1 + 8f * g3;
            int o = po + i;
            dst[o] = g0;
            dst[o + ps] = p + q;
            dst[o + 2 * ps] = p - q;
            dst[o + 3 * ps] = r + s;
            dst[o + 4 * ps] = r - s;
            dst[o + 5 * ps] = g3;
        }
    }

    /**
     * {@code G^T a = (a0 / 4 - p / 6 + q / 24, -(a1 - a2) / 6 + (a3 - a4) / 12, (q - p) / 6 + a5)} with
     * {@code p = a1 + a2}, {@code q = a3 + a4}, over the rows of dU, then over its columns.
     */
    @Override
    void kernelGradient(float[] a, float[] b, float[] dw, int q) {
        for (int j = 0; j < 6; j++) { // over the rows: 6 -> 3, b[6i + j]
            float a0 = a[j], a1 = a[6 + j], a2 = a[12 + j], a3 = a[18 + j], a4 = a[24 + j], a5 = a[30 + j];
            float p = a1 + a2, r = a3 + a4;
            b[j] = 0.25f * a0 - p * SIXTH + r * TWENTY_FOURTH;
            b[6 + j] = (a2 - a1) * SIXTH + (a3 - a4) * TWELFTH;
            b[12 + j] = (r - p) * SIXTH + a5;
        }
        for (int i = 0; i < 3; i++) { // then over the columns
            int k = 6 * i;
            float a0 = b[k], a1 = b[k + 1], a2 = b[k + 2], a3 = b[k + 3], a4 = b[k + 4], a5 = b[k + 5];
            float p = a1 + a2, r = a3 + a4;
            dw[q + 3 * i] = 0.25f * a0 - p * SIXTH + r * TWENTY_FOURTH;
            dw[q + 3 * i + 1] = (a2 - a1) * SIXTH + (a3 - a4) * TWELFTH;
            dw[q + 3 * i + 2] = (r - p) * SIXTH + a5;
        }
    }
}

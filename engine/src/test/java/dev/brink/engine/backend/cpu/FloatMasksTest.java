package dev.brink.engine.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mask kernels, scalar and SIMD: the comparisons against Java's own ordered comparison ({@code x > y}, {@code x >= y}:
 * false with a NaN on either side, {@code -0 == +0}) on runs that mix NaN, infinities, signed zeros and ties, at
 * lengths and offsets that leave every possible tail; and the relu-backward mask, where()'s select and the sign
 * kernel against their definitions.
 */
class FloatMasksTest {
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f,
            Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE};

    @Test
    void simdKernelsAreLoadedWithTheVectorModule() {
        if (VectorSupport.moduleAvailable())
            assertTrue(FloatMasks.select(true).describe().startsWith("Vector API"), FloatMasks.select(true).describe());
        assertEquals("scalar", FloatMasks.select(false).describe());
    }

    @Test
    void everyKernelEqualsJavasComparison() {
        SplittableRandom rng = new SplittableRandom(7);
        for (FloatMasks k : new FloatMasks[] {FloatMasks.select(false), FloatMasks.select(true)}) {
            for (int n = 0; n < 70; n++) {
                int ao = rng.nextInt(5), bo = rng.nextInt(5), oo = rng.nextInt(5);
                float[] a = values(rng, ao + n), b = values(rng, bo + n);
                float x = SPECIALS[rng.nextInt(SPECIALS.length)];
                for (boolean orEqual : new boolean[] {false, true}) {
                    float[] o = new float[oo + n];
                    k.vv(orEqual, a, ao, b, bo, o, oo, n);
                    for (int i = 0; i < n; i++) assertEquals(cmp(orEqual, a[ao + i], b[bo + i]), o[oo + i], k.describe() + " vv " + a[ao + i] + " " + b[bo + i]);
                    k.vs(orEqual, a, ao, x, o, oo, n);
                    for (int i = 0; i < n; i++) assertEquals(cmp(orEqual, a[ao + i], x), o[oo + i], k.describe() + " vs " + a[ao + i] + " " + x);
                    k.sv(orEqual, x, b, bo, o, oo, n);
                    for (int i = 0; i < n; i++) assertEquals(cmp(orEqual, x, b[bo + i]), o[oo + i], k.describe() + " sv " + x + " " + b[bo + i]);
                }
                float[] o = new float[oo + n];
                k.maskPositive(a, ao, b, bo, o, oo, n);
                for (int i = 0; i < n; i++)
                    assertEquals(b[bo + i] > 0 ? a[ao + i] : 0f, o[oo + i], k.describe() + " maskPositive " + a[ao + i] + " " + b[bo + i]);
                for (int as = 0; as < 2; as++)
                    for (int bs = 0; bs < 2; bs++) {
                        float[] c = values(rng, oo + n);
                        k.select(c, oo, a, ao, as, b, bo, bs, o, oo, n);
                        for (int i = 0; i < n; i++) {
                            float want = c[oo + i] != 0 ? a[ao + i * as] : b[bo + i * bs];
                            assertEquals(want, o[oo + i], k.describe() + " select " + c[oo + i] + " " + as + bs);
                        }
                    }
                k.sign(a, ao, o, oo, n);
                for (int i = 0; i < n; i++) assertEquals(sign(a[ao + i]), o[oo + i], k.describe() + " sign " + a[ao + i]);
            }
        }
    }

    /** 1, -1, +0 for either zero, NaN itself (as torch.sign, except that -0 gives +0). */
    private static float sign(float v) {
        if (v != v) return v;
        return v > 0 ? 1f : v < 0 ? -1f : 0f;
    }

    private static float cmp(boolean orEqual, float x, float y) {
        return (orEqual ? x >= y : x > y) ? 1f : 0f;
    }

    /** Half specials, half small integers (ties), in random order. */
    private static float[] values(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextBoolean() ? SPECIALS[rng.nextInt(SPECIALS.length)] : rng.nextInt(-2, 3);
        return v;
    }
}

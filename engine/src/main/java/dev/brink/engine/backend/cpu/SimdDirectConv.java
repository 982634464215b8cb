package dev.brink.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * {@link DirectConv} on Vector API lanes, one vector = {@code VL} adjacent output columns of a row. Rows are padded
 * to whole vectors: lanes past a row's end take a zero output gradient, and the inputs they read are finite
 * (checked), so they add exact zeros. As in the GEMM micro-kernel, the hot loop is a small method with 12
 * accumulators, no masks and one flat loop (vectors carried through nested loops stayed boxed in C2: 30x slower).
 */
final class SimdDirectConv extends DirectConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    /** Output channels x taps held in registers by the weight gradient's row loop. */
    private static final int OB = 4, JB = 3;
    /** Images whose rows the weight gradient sweeps per pass over the taps (their output gradient stays in cache). */
    private static final int IMAGES_PER_BLOCK = 4;

    /** Public for {@link VectorSupport}'s reflective construction. */
    public SimdDirectConv() {}

    @Override
    boolean weightGrad(ImplicitConv.Dims d, float[] xd, int xo, float[] gd, int go, float[] dwd, int dwo) {
        int n = d.n(), c = d.c(), h = d.h(), w = d.w(), o = d.o(), kh = d.kh(), kw = d.kw(), ho = d.ho(), wo = d.wo();
        // lanes past a row's end read real pixels (times a zero gradient): exact only where every pixel is finite
        for (int i = xo, e = xo + n * c * h * w; i < e; i++) if (!Float.isFinite(xd[i])) return false;
        int nv = (wo + VL - 1) / VL, row = nv * VL, wq = row + kw - 1, plane = d.hp() * wq, image = c * plane;
        int parts = CpuParallel.partsFor(d.work());
        float[] xp = ImplicitConv.zeroPadded(d, xd, xo, wq, parts); // rows wq wide: every tap's shifted vector fits
        int jBlocks = (kw + JB - 1) / JB, blockAcc = OB * JB * VL, oBlocks = (o + OB - 1) / OB, ohw = ho * wo;
        int gChan = ho * row, gImage = OB * gChan, steps = ho * nv;
        int[] xoff = new int[steps]; // step q = (oy, v): x at oy*wq + v*VL (gy at q*VL)
        for (int q = 0; q < steps; q++) xoff[q] = q / nv * wq + q % nv * VL;
        CpuParallel.forRange(oBlocks, parts, ob -> {
            int o0 = ob * OB, on = Math.min(OB, o - o0);
            float[] acc = new float[c * kh * jBlocks * blockAcc]; // lane-wise partial sums
            // this block's gy rows for a few images, each row padded with zeros to whole vectors (absent channels: 0)
            float[] gq = CpuScratch.floats(CpuScratch.GEMM_OUT, IMAGES_PER_BLOCK * gImage);
            for (int b0 = 0; b0 < n; b0 += IMAGES_PER_BLOCK) {
                int nb = Math.min(IMAGES_PER_BLOCK, n - b0);
                Arrays.fill(gq, 0, nb * gImage, 0f);
                for (int bb = 0; bb < nb; bb++)
                    for (int oi = 0; oi < on; oi++)
                        for (int oy = 0; oy < ho; oy++)
                            System.arraycopy(gd, go + ((b0 + bb) * o + o0 + oi) * ohw + oy * wo, gq, bb * gImage + oi * gChan + oy * row, wo);
                for (int ci = 0, a = 0; ci < c; ci++)
                    for (int i = 0; i < kh; i++)
                        for (int j0 = 0; j0 < kw; j0 += JB, a += blockAcc) {
                            int jn = Math.min(JB, kw - j0);
                            for (int bb = 0; bb < nb; bb++)
                                rows(acc, a, xp, (b0 + bb) * image + ci * plane + i * wq + j0, xoff, jn > 1 ? 1 : 0, jn > 2 ? 2 : 0,
                                        gq, bb * gImage, gChan);
                        }
            }
            for (int oi = 0; oi < on; oi++)
                for (int ci = 0; ci < c; ci++)
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++) {
                            int a = ((ci * kh + i) * jBlocks + j / JB) * blockAcc + (oi * JB + j % JB) * VL;
                            float s = 0f;
                            for (int l = 0; l < VL; l++) s += acc[a + l];
                            dwd[dwo + (((o0 + oi) * c + ci) * kh + i) * kw + j] = s;
                        }
        });
        return true;
    }

    /**
     * Adds one image's rows to the lane-wise partial sums {@code acc[a..]} of 4 output channels x 3 taps, one vector
     * of a row per step q: gy at {@code gq[g0 + oi*gs + q*VL]} (rows padded to whole vectors with zeros), x at
     * {@code xp[x0 + xoff[q]]} shifted by the taps' offsets 0, {@code j1}, {@code j2} (a tap past the kernel's width
     * repeats tap 0 and is never read). One flat loop: C2 keeps vectors carried through nested loops boxed.
     */
    private static void rows(float[] acc, int a, float[] xp, int x0, int[] xoff, int j1, int j2, float[] gq, int g0, int gs) {
        FloatVector a00 = FloatVector.fromArray(S, acc, a), a01 = FloatVector.fromArray(S, acc, a + VL);
        FloatVector a02 = FloatVector.fromArray(S, acc, a + 2 * VL), a10 = FloatVector.fromArray(S, acc, a + 3 * VL);
        FloatVector a11 = FloatVector.fromArray(S, acc, a + 4 * VL), a12 = FloatVector.fromArray(S, acc, a + 5 * VL);
        FloatVector a20 = FloatVector.fromArray(S, acc, a + 6 * VL), a21 = FloatVector.fromArray(S, acc, a + 7 * VL);
        FloatVector a22 = FloatVector.fromArray(S, acc, a + 8 * VL), a30 = FloatVector.fromArray(S, acc, a + 9 * VL);
        FloatVector a31 = FloatVector.fromArray(S, acc, a + 10 * VL), a32 = FloatVector.fromArray(S, acc, a + 11 * VL);
        for (int q = 0; q < xoff.length; q++) {
            int xc = x0 + xoff[q], gc = g0 + q * VL;
            FloatVector g0v = FloatVector.fromArray(S, gq, gc), g1v = FloatVector.fromArray(S, gq, gc + gs);
            FloatVector g2v = FloatVector.fromArray(S, gq, gc + 2 * gs), g3v = FloatVector.fromArray(S, gq, gc + 3 * gs);
            FloatVector xv = FloatVector.fromArray(S, xp, xc);
            a00 = g0v.fma(xv, a00);
            a10 = g1v.fma(xv, a10);
            a20 = g2v.fma(xv, a20);
            a30 = g3v.fma(xv, a30);
            xv = FloatVector.fromArray(S, xp, xc + j1);
            a01 = g0v.fma(xv, a01);
            a11 = g1v.fma(xv, a11);
            a21 = g2v.fma(xv, a21);
            a31 = g3v.fma(xv, a31);
            xv = FloatVector.fromArray(S, xp, xc + j2);
            a02 = g0v.fma(xv, a02);
            a12 = g1v.fma(xv, a12);
            a22 = g2v.fma(xv, a22);
            a32 = g3v.fma(xv, a32);
        }
        a00.intoArray(acc, a);
        a01.intoArray(acc, a + VL);
        a02.intoArray(acc, a + 2 * VL);
        a10.intoArray(acc, a + 3 * VL);
        a11.intoArray(acc, a + 4 * VL);
        a12.intoArray(acc, a + 5 * VL);
        a20.intoArray(acc, a + 6 * VL);
        a21.intoArray(acc, a + 7 * VL);
        a22.intoArray(acc, a + 8 * VL);
        a30.intoArray(acc, a + 9 * VL);
        a31.intoArray(acc, a + 10 * VL);
        a32.intoArray(acc, a + 11 * VL);
    }
}

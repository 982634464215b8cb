package dev.brink.engine.backend.cpu;

import dev.brink.engine.Tensor;
import dev.brink.engine.backend.PoolGeometry;

/**
 * Float32 max-pooling switches, read straight from the float input into the int output, planes in parallel.
 * Same rules as {@link CpuPool}: padded positions never win, ties go to the first position in row-major window
 * order, the first NaN wins, and a window entirely in the padding gets -1.
 */
final class FloatPool {
    private FloatPool() {}

    static void maxPool2dIndices(Tensor x, PoolGeometry g, Tensor out) {
        int[] xs = x.shape(), xst = x.strides(), os = out.shape(), ost = out.strides();
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3], ho = os[2], wo = os[3];
        float[] xd = CpuStorage.of(x).floats();
        int[] od = CpuStorage.of(out).ints();
        int xOff = x.offset(), oOff = out.offset();
        int sh = xst[2], sw = xst[3];
        long work = (long) n * c * ho * wo * g.kernelH() * g.kernelW();
        // No padding, no dilation, unit column stride: every window lies inside the plane (floor mode).
        boolean inside = g.padH() == 0 && g.padW() == 0 && g.dilationH() == 1 && g.dilationW() == 1 && sw == 1 && ost[3] == 1;
        CpuParallel.forRange(n * c, CpuParallel.partsFor(work, FloatElementwise.PARALLEL_ELEMENTS), nc -> {
            int ni = nc / c, ci = nc % c;
            int plane = xOff + ni * xst[0] + ci * xst[1];
            int oPlane = oOff + ni * ost[0] + ci * ost[1];
            if (inside && g.kernelW() == 2) {
                pairWindows(xd, plane, sh, w, g, ho, wo, od, oPlane, ost[2]);
                return;
            }
            if (inside) {
                insideWindows(xd, plane, sh, w, g, ho, wo, od, oPlane, ost[2]);
                return;
            }
            for (int oy = 0; oy < ho; oy++) {
                int y0 = oy * g.strideH() - g.padH();
                for (int ox = 0; ox < wo; ox++) {
                    int x0 = ox * g.strideW() - g.padW();
                    int best = -1;
                    float bestV = 0;
                    search:
                    for (int i = 0; i < g.kernelH(); i++) {
                        int iy = y0 + i * g.dilationH();
                        if (iy < 0 || iy >= h) continue;
                        int row = plane + iy * sh;
                        for (int j = 0; j < g.kernelW(); j++) {
                            int ix = x0 + j * g.dilationW();
                            if (ix < 0 || ix >= w) continue;
                            float v = xd[row + ix * sw];
                            if (v != v) {
                                best = iy * w + ix;
                                break search;
                            }
                            if (best < 0 || v > bestV) {
                                best = iy * w + ix;
                                bestV = v;
                            }
                        }
                    }
                    od[oPlane + oy * ost[2] + ox * ost[3]] = best;
                }
            }
        });
    }

    /**
     * The switches of one plane when every window is inside it (no bounds checks). The window maximum is kept with
     * Math.max and its index with an int conditional move, so random data costs no branch mispredictions; a
     * window whose maximum comes out NaN is searched again for its first NaN.
     */
    private static void insideWindows(float[] x, int plane, int rowStride, int w, PoolGeometry g, int ho, int wo, int[] out, int oPlane, int oRowStride) {
        int kh = g.kernelH(), kw = g.kernelW(), sy = g.strideH(), sx = g.strideW();
        for (int oy = 0; oy < ho; oy++) {
            int o = oPlane + oy * oRowStride;
            for (int ox = 0; ox < wo; ox++) {
                int iy0 = oy * sy, ix0 = ox * sx;
                int best = iy0 * w + ix0;
                float bestV = x[plane + iy0 * rowStride + ix0];
                for (int i = 0; i < kh; i++) {
                    int row = plane + (iy0 + i) * rowStride + ix0, idx = (iy0 + i) * w + ix0;
                    for (int j = 0; j < kw; j++) {
                        float v = x[row + j];
                        best = v > bestV ? idx + j : best;
                        bestV = Math.max(bestV, v);
                    }
                }
                if (bestV != bestV) best = firstNaN(x, plane, rowStride, w, iy0, ix0, kh, kw);
                out[o + ox] = best;
            }
        }
    }

    /**
     * {@link #insideWindows} for windows two columns wide (the 2x2 pools of the zoo), as a tournament: each window
     * row's two values are compared, then the row winners in order. The maxima are kept with Math.max (branch-free;
     * a float conditional is a branch here, mispredicted half the time on random data) and the index with int
     * conditional moves; a strict comparison keeps ties on the earlier position. About 2-3x faster than the general
     * loop at 2x2 stride 2.
     */
    private static void pairWindows(float[] x, int plane, int rowStride, int w, PoolGeometry g, int ho, int wo, int[] out, int oPlane, int oRowStride) {
        int kh = g.kernelH(), sy = g.strideH(), sx = g.strideW();
        for (int oy = 0; oy < ho; oy++) {
            int o = oPlane + oy * oRowStride, iy0 = oy * sy;
            int rowStart = plane + iy0 * rowStride, idxStart = iy0 * w;
            for (int ox = 0, ix0 = 0; ox < wo; ox++, ix0 += sx) {
                int r = rowStart + ix0, idx = idxStart + ix0;
                float a = x[r], b = x[r + 1];
                int at = b > a ? idx + 1 : idx;
                float best = Math.max(a, b);
                for (int i = 1; i < kh; i++) {
                    r += rowStride;
                    idx += w;
                    float c = x[r], d = x[r + 1];
                    int rowAt = d > c ? idx + 1 : idx;
                    float rowBest = Math.max(c, d);
                    at = rowBest > best ? rowAt : at;
                    best = Math.max(best, rowBest);
                }
                out[o + ox] = best != best ? firstNaN(x, plane, rowStride, w, iy0, ix0, kh, 2) : at;
            }
        }
    }

    private static int firstNaN(float[] x, int plane, int rowStride, int w, int iy0, int ix0, int kh, int kw) {
        for (int i = 0; i < kh; i++)
            for (int j = 0; j < kw; j++) {
                float v = x[plane + (iy0 + i) * rowStride + ix0 + j];
                if (v != v) return (iy0 + i) * w + ix0 + j;
            }
        throw new AssertionError("no NaN in a window whose maximum is NaN");
    }
}

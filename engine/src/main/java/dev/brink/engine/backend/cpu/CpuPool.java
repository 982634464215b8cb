package dev.brink.engine.backend.cpu;

import dev.brink.engine.Tensor;
import dev.brink.engine.backend.PoolGeometry;

/**
 * Max-pooling switches. For each window, the flat index {@code h * W + w} of its maximum within the (n, c) plane;
 * padded positions are never chosen; ties go to the first position in row-major window order; a NaN wins
 * (the first NaN), so max pooling propagates NaN. A window lying entirely in the padding (possible only with
 * dilation) gets index -1.
 */
final class CpuPool {
    private CpuPool() {}

    static void maxPool2dIndices(Tensor x, PoolGeometry g, Tensor out) {
        int[] xs = x.shape(), xst = x.strides(), os = out.shape(), ost = out.strides();
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3], ho = os[2], wo = os[3];
        CpuStorage xStore = CpuStorage.of(x), oStore = CpuStorage.of(out);
        long work = (long) n * c * ho * wo * g.kernelH() * g.kernelW();
        CpuParallel.forRange(n * c, CpuParallel.partsFor(work), nc -> {
            int ni = nc / c, ci = nc % c;
            double[] plane = new double[h * w];
            StridedIndexer.gather(xStore, x.offset() + ni * xst[0] + ci * xst[1], new int[]{h, w}, new int[]{xst[2], xst[3]}, plane, 0);
            double[] idx = new double[ho * wo];
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    int best = -1;
                    double bestV = 0;
                    search:
                    for (int i = 0; i < g.kernelH(); i++) {
                        int iy = oy * g.strideH() - g.padH() + i * g.dilationH();
                        if (iy < 0 || iy >= h) continue;
                        for (int j = 0; j < g.kernelW(); j++) {
                            int ix = ox * g.strideW() - g.padW() + j * g.dilationW();
                            if (ix < 0 || ix >= w) continue;
                            double v = plane[iy * w + ix];
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
                    idx[oy * wo + ox] = best;
                }
            }
            StridedIndexer.scatter(idx, 0, oStore, out.offset() + ni * ost[0] + ci * ost[1], new int[]{ho, wo}, new int[]{ost[2], ost[3]});
        });
    }
}

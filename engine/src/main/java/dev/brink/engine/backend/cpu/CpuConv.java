package dev.brink.engine.backend.cpu;

import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;

/**
 * 2-D convolution (cross-correlation) and its two gradients by im2col + GEMM, per image and per group, in
 * double. The forward pass and the input gradient run images in parallel when the work is large; the weight
 * gradient sums per-chunk partial gradients in a fixed order, so results do not depend on the thread count.
 */
final class CpuConv {
    /** Number of image chunks for the weight gradient (fixed, for reproducible summation order). */
    private static final int WGRAD_CHUNKS = 8;

    private CpuConv() {}

    /** Sizes of one convolution, read from the tensors. */
    private record Dims(int n, int c, int h, int w, int o, int kh, int kw, int ho, int wo, int groups) {
        int cg() { return c / groups; }
        int og() { return o / groups; }
        int kk() { return cg() * kh * kw; }
        int p() { return ho * wo; }
        long work() { return (long) n * o * p() * kk(); }
    }

    private static Dims dims(int[] xShape, int[] wShape, int[] yShape, ConvGeometry g) {
        return new Dims(xShape[0], xShape[1], xShape[2], xShape[3], wShape[0], wShape[2], wShape[3], yShape[2], yShape[3], g.groups());
    }

    static void conv2d(Tensor x, Tensor w, ConvGeometry g, Tensor out) {
        Dims d = dims(x.shape(), w.shape(), out.shape(), g);
        double[] wm = StridedIndexer.gather(w); // [O][Cg*kh*kw]
        int kk = d.kk(), p = d.p(), og = d.og();
        CpuParallel.forRange(d.n(), CpuParallel.partsFor(d.work()), n -> {
            double[] xi = image(x, n);
            double[] col = new double[kk * p];
            double[] y = new double[d.o() * p];
            for (int gi = 0; gi < d.groups(); gi++) {
                im2col(xi, gi * d.cg(), d, g, col);
                CpuMatmul.gemm(wm, gi * og * kk, col, 0, y, gi * og * p, og, p, kk);
            }
            storeImage(y, out, n);
        });
    }

    static void conv2dInputGrad(Tensor gy, Tensor w, ConvGeometry g, Tensor out) {
        Dims d = dims(out.shape(), w.shape(), gy.shape(), g);
        double[] wm = StridedIndexer.gather(w);
        int kk = d.kk(), p = d.p(), og = d.og();
        double[] wt = new double[wm.length]; // per group: [kk][Og]
        for (int gi = 0; gi < d.groups(); gi++) CpuMatmul.transpose(wm, gi * og * kk, og, kk, wt, gi * og * kk);
        CpuParallel.forRange(d.n(), CpuParallel.partsFor(d.work()), n -> {
            double[] gyi = image(gy, n);
            double[] dx = new double[d.c() * d.h() * d.w()];
            double[] dcol = new double[kk * p];
            for (int gi = 0; gi < d.groups(); gi++) {
                java.util.Arrays.fill(dcol, 0.0);
                CpuMatmul.gemm(wt, gi * og * kk, gyi, gi * og * p, dcol, 0, kk, p, og);
                col2im(dcol, gi * d.cg(), d, g, dx);
            }
            storeImage(dx, out, n); // overwrites the whole image, zeros where nothing contributes
        });
    }

    static void conv2dWeightGrad(Tensor x, Tensor gy, ConvGeometry g, Tensor out) {
        Dims d = dims(x.shape(), out.shape(), gy.shape(), g);
        int kk = d.kk(), p = d.p(), og = d.og();
        int chunks = Math.min(d.n(), WGRAD_CHUNKS);
        double[][] partial = new double[Math.max(chunks, 1)][d.o() * kk];
        CpuParallel.forRange(chunks, CpuParallel.partsFor(d.work()), ch -> {
            int n0 = (int) ((long) d.n() * ch / chunks), n1 = (int) ((long) d.n() * (ch + 1) / chunks);
            double[] col = new double[kk * p];
            double[] colT = new double[p * kk];
            double[] dw = partial[ch];
            for (int n = n0; n < n1; n++) {
                double[] xi = image(x, n);
                double[] gyi = image(gy, n);
                for (int gi = 0; gi < d.groups(); gi++) {
                    im2col(xi, gi * d.cg(), d, g, col);
                    CpuMatmul.transpose(col, 0, kk, p, colT, 0);
                    CpuMatmul.gemm(gyi, gi * og * p, colT, 0, dw, gi * og * kk, og, kk, p);
                }
            }
        });
        double[] sum = partial[0];
        for (int ch = 1; ch < chunks; ch++) for (int i = 0; i < sum.length; i++) sum[i] += partial[ch][i];
        StridedIndexer.scatter(sum, 0, CpuStorage.of(out), out.offset(), out.shape(), out.strides());
    }

    /** Image n of an NCHW tensor as a contiguous double array [C][H][W]. */
    private static double[] image(Tensor t, int n) {
        int[] s = t.shape(), st = t.strides();
        int[] shape = {s[1], s[2], s[3]};
        double[] r = new double[s[1] * s[2] * s[3]];
        StridedIndexer.gather(CpuStorage.of(t), t.offset() + n * st[0], shape, new int[]{st[1], st[2], st[3]}, r, 0);
        return r;
    }

    private static void storeImage(double[] src, Tensor t, int n) {
        int[] s = t.shape(), st = t.strides();
        StridedIndexer.scatter(src, 0, CpuStorage.of(t), t.offset() + n * st[0], new int[]{s[1], s[2], s[3]}, new int[]{st[1], st[2], st[3]});
    }

    /** col[(c*kh + i)*kw + j][ho*Wo + wo] = x[c0 + c][ho*sH - pH + i*dH][wo*sW - pW + j*dW], 0 in the padding. */
    private static void im2col(double[] x, int c0, Dims d, ConvGeometry g, double[] col) {
        int h = d.h(), w = d.w(), ho = d.ho(), wo = d.wo(), p = d.p();
        int row = 0;
        for (int c = 0; c < d.cg(); c++) {
            int plane = (c0 + c) * h * w;
            for (int i = 0; i < d.kh(); i++) {
                for (int j = 0; j < d.kw(); j++, row++) {
                    int base = row * p;
                    for (int oy = 0; oy < ho; oy++) {
                        int iy = oy * g.strideH() - g.padH() + i * g.dilationH();
                        int dst = base + oy * wo;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(col, dst, dst + wo, 0.0);
                            continue;
                        }
                        int src = plane + iy * w;
                        for (int ox = 0; ox < wo; ox++) {
                            int ix = ox * g.strideW() - g.padW() + j * g.dilationW();
                            col[dst + ox] = ix >= 0 && ix < w ? x[src + ix] : 0.0;
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col}: dx[c0 + c][iy][ix] += col[row][oy*Wo + ox]. */
    private static void col2im(double[] col, int c0, Dims d, ConvGeometry g, double[] dx) {
        int h = d.h(), w = d.w(), ho = d.ho(), wo = d.wo(), p = d.p();
        int row = 0;
        for (int c = 0; c < d.cg(); c++) {
            int plane = (c0 + c) * h * w;
            for (int i = 0; i < d.kh(); i++) {
                for (int j = 0; j < d.kw(); j++, row++) {
                    int base = row * p;
                    for (int oy = 0; oy < ho; oy++) {
                        int iy = oy * g.strideH() - g.padH() + i * g.dilationH();
                        if (iy < 0 || iy >= h) continue;
                        int src = base + oy * wo, dst = plane + iy * w;
                        for (int ox = 0; ox < wo; ox++) {
                            int ix = ox * g.strideW() - g.padW() + j * g.dilationW();
                            if (ix >= 0 && ix < w) dx[dst + ix] += col[src + ox];
                        }
                    }
                }
            }
        }
    }
}

package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;

/**
 * The CPU's per-channel batch-norm kernels ({@code Backend.channelNormalize}, {@code channelVariance},
 * {@code channelCenteredDot}) for float32
 * and float64: one pass over x each, no temporaries, where the composed defaults take four passes with a temporary
 * each (normalize) or two passes and two temporaries plus a reduction (variance). x (made contiguous) is seen as
 * N x C planes of m = H*W... elements. Normalize computes {@code (x - center) * scale + shift} in x's dtype with
 * the same three roundings as the composed subtraction, multiplication and addition (so float32 results equal the
 * composition's); variance and the centered dot product accumulate in double (four partial sums) and round once.
 * Planes (normalize) or channels (the reductions) are split over threads; results do not depend on the thread count.
 */
final class CpuChannelOps {
    private CpuChannelOps() {}

    /**
     * {@code (x - center[c]) * scale[c] + shift[c]}, with {@code relu} then {@code max(., 0)} (as the relu kernel
     * computes it): a new contiguous tensor of x's shape and dtype.
     */
    static Tensor normalize(Tensor x, Tensor center, Tensor scale, Tensor shift, boolean relu) {
        Tensor xc = contiguous(x);
        Tensor out = Tensor.uninitialized(CpuBackend.INSTANCE, x.dtype(), x.shape());
        int n = x.size(0), c = x.size(1), total = x.numel();
        if (total == 0) return out;
        int m = total / (n * c), planes = n * c, xo = xc.offset();
        double[] ctr = center.toDoubleArray(), sc = scale.toDoubleArray(), sh = shift.toDoubleArray();
        CpuStorage xs = CpuStorage.of(xc), os = CpuStorage.of(out);
        int parts = Math.min(planes, CpuParallel.partsFor(4L * total));
        boolean f32 = x.dtype() == DType.FLOAT32;
        CpuParallel.forRange(planes, parts, p -> {
            int ch = p % c, from = p * m, to = from + m;
            if (f32) {
                float[] xa = xs.floats(), oa = os.floats();
                float cc = (float) ctr[ch], s = (float) sc[ch], h = (float) sh[ch];
                if (relu) for (int i = from, j = xo + from; i < to; i++, j++) oa[i] = Math.max((xa[j] - cc) * s + h, 0f);
                else for (int i = from, j = xo + from; i < to; i++, j++) oa[i] = (xa[j] - cc) * s + h;
            } else {
                double[] xa = xs.doubles(), oa = os.doubles();
                double cc = ctr[ch], s = sc[ch], h = sh[ch];
                if (relu) for (int i = from, j = xo + from; i < to; i++, j++) oa[i] = Math.max((xa[j] - cc) * s + h, 0.0);
                else for (int i = from, j = xo + from; i < to; i++, j++) oa[i] = (xa[j] - cc) * s + h;
            }
        });
        return out;
    }

    /**
     * {@code u * a[c] + v * b[c] + c[c]} (u and v of one shape and dtype): a new contiguous tensor, each element
     * rounded as the composed multiplications and additions round it ({@code (u*a + v*b) + c}), so float32 results
     * equal the composition's.
     */
    static Tensor combine(Tensor u, Tensor v, Tensor a, Tensor b, Tensor c) {
        Tensor uc = contiguous(u), vc = contiguous(v);
        Tensor out = Tensor.uninitialized(CpuBackend.INSTANCE, u.dtype(), u.shape());
        int n = u.size(0), ch = u.size(1), total = u.numel();
        if (total == 0) return out;
        int m = total / (n * ch), planes = n * ch, uo = uc.offset(), vo = vc.offset();
        double[] ka = a.toDoubleArray(), kb = b.toDoubleArray(), kc = c.toDoubleArray();
        CpuStorage us = CpuStorage.of(uc), vs = CpuStorage.of(vc), os = CpuStorage.of(out);
        int parts = Math.min(planes, CpuParallel.partsFor(4L * total));
        boolean f32 = u.dtype() == DType.FLOAT32;
        CpuParallel.forRange(planes, parts, p -> {
            int k = p % ch, from = p * m, to = from + m;
            if (f32) {
                float[] ua = us.floats(), va = vs.floats(), oa = os.floats();
                float x = (float) ka[k], y = (float) kb[k], z = (float) kc[k];
                for (int i = from; i < to; i++) oa[i] = (ua[uo + i] * x + va[vo + i] * y) + z;
            } else {
                double[] ua = us.doubles(), va = vs.doubles(), oa = os.doubles();
                double x = ka[k], y = kb[k], z = kc[k];
                for (int i = from; i < to; i++) oa[i] = (ua[uo + i] * x + va[vo + i] * y) + z;
            }
        });
        return out;
    }

    /**
     * {@code Backend.biasReluInPlace} in one pass over y (contiguous float32 or float64, the bias of y's dtype):
     * {@code y = max(y + bias[c], 0)} (or without the bias, or without the max), each element computed as the
     * separate addition and relu kernels compute it. Returns false (nothing done) where y is not contiguous or not
     * floating.
     */
    static boolean biasReluInPlace(Tensor y, Tensor bias, boolean relu) {
        boolean f32 = y.dtype() == DType.FLOAT32;
        if (!y.isContiguous() || !(f32 || y.dtype() == DType.FLOAT64)) return false;
        int n = y.size(0), c = y.size(1), total = y.numel();
        if (total == 0) return true;
        int m = total / (n * c), planes = n * c, yo = y.offset();
        double[] b = bias == null ? null : bias.toDoubleArray();
        CpuStorage ys = CpuStorage.of(y);
        int parts = Math.min(planes, CpuParallel.partsFor(2L * total));
        CpuParallel.forRange(planes, parts, p -> {
            int from = yo + p * m, to = from + m;
            if (f32) {
                float[] a = ys.floats();
                float h = b == null ? 0f : (float) b[p % c];
                if (b != null && relu) for (int i = from; i < to; i++) a[i] = Math.max(a[i] + h, 0f);
                else if (b != null) for (int i = from; i < to; i++) a[i] += h;
                else if (relu) for (int i = from; i < to; i++) a[i] = Math.max(a[i], 0f);
            } else {
                double[] a = ys.doubles();
                double h = b == null ? 0 : b[p % c];
                if (b != null && relu) for (int i = from; i < to; i++) a[i] = Math.max(a[i] + h, 0.0);
                else if (b != null) for (int i = from; i < to; i++) a[i] += h;
                else if (relu) for (int i = from; i < to; i++) a[i] = Math.max(a[i], 0.0);
            }
        });
        return true;
    }

    /** {@code [C]}: the mean over each channel of {@code (x - mean[c])^2}, accumulated in double. */
    static Tensor variance(Tensor x, Tensor mean) {
        Tensor xc = contiguous(x);
        int n = x.size(0), c = x.size(1), total = x.numel();
        Tensor out = Tensor.empty(CpuBackend.INSTANCE, x.dtype(), c);
        if (total == 0) return out;
        int m = total / (n * c), xo = xc.offset();
        double[] mu = mean.toDoubleArray(), v = new double[c];
        CpuStorage xs = CpuStorage.of(xc);
        boolean f32 = x.dtype() == DType.FLOAT32;
        int parts = Math.min(c, CpuParallel.partsFor(4L * total));
        CpuParallel.forRange(c, parts, ch -> {
            double mc = mu[ch], a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            for (int b = 0; b < n; b++) {
                int from = xo + (b * c + ch) * m, to = from + m, i = from;
                if (f32) {
                    float[] xa = xs.floats();
                    for (; i + 3 < to; i += 4) {
                        double d0 = xa[i] - mc, d1 = xa[i + 1] - mc, d2 = xa[i + 2] - mc, d3 = xa[i + 3] - mc;
                        a0 += d0 * d0;
                        a1 += d1 * d1;
                        a2 += d2 * d2;
                        a3 += d3 * d3;
                    }
                    for (; i < to; i++) {
                        double d = xa[i] - mc;
                        a0 += d * d;
                    }
                } else {
                    double[] xa = xs.doubles();
                    for (; i + 3 < to; i += 4) {
                        double d0 = xa[i] - mc, d1 = xa[i + 1] - mc, d2 = xa[i + 2] - mc, d3 = xa[i + 3] - mc;
                        a0 += d0 * d0;
                        a1 += d1 * d1;
                        a2 += d2 * d2;
                        a3 += d3 * d3;
                    }
                    for (; i < to; i++) {
                        double d = xa[i] - mc;
                        a0 += d * d;
                    }
                }
            }
            v[ch] = ((a0 + a1) + (a2 + a3)) / ((double) n * m);
        });
        return store(v, out);
    }

    /**
     * {@code [C]}: the sum over each channel of {@code g * (x - center[c])} (g and x of one shape and dtype), each
     * product formed and accumulated in double (four partial sums per channel, in a fixed order) and rounded once.
     */
    static Tensor centeredDot(Tensor g, Tensor x, Tensor center) {
        Tensor xc = contiguous(x), gc = contiguous(g);
        int n = x.size(0), c = x.size(1), total = x.numel();
        Tensor out = Tensor.empty(CpuBackend.INSTANCE, x.dtype(), c);
        double[] ctr = center.toDoubleArray(), v = new double[c];
        if (total > 0) {
            int m = total / (n * c), xo = xc.offset(), go = gc.offset();
            CpuStorage xs = CpuStorage.of(xc), gs = CpuStorage.of(gc);
            boolean f32 = x.dtype() == DType.FLOAT32;
            int parts = Math.min(c, CpuParallel.partsFor(4L * total));
            CpuParallel.forRange(c, parts, ch -> {
                double cc = ctr[ch], a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                for (int b = 0; b < n; b++) {
                    int plane = (b * c + ch) * m, i = 0;
                    if (f32) {
                        float[] xa = xs.floats(), ga = gs.floats();
                        int xi = xo + plane, gi = go + plane;
                        for (; i + 3 < m; i += 4) {
                            a0 += (double) ga[gi + i] * (xa[xi + i] - cc);
                            a1 += (double) ga[gi + i + 1] * (xa[xi + i + 1] - cc);
                            a2 += (double) ga[gi + i + 2] * (xa[xi + i + 2] - cc);
                            a3 += (double) ga[gi + i + 3] * (xa[xi + i + 3] - cc);
                        }
                        for (; i < m; i++) a0 += (double) ga[gi + i] * (xa[xi + i] - cc);
                    } else {
                        double[] xa = xs.doubles(), ga = gs.doubles();
                        int xi = xo + plane, gi = go + plane;
                        for (; i + 3 < m; i += 4) {
                            a0 += ga[gi + i] * (xa[xi + i] - cc);
                            a1 += ga[gi + i + 1] * (xa[xi + i + 1] - cc);
                            a2 += ga[gi + i + 2] * (xa[xi + i + 2] - cc);
                            a3 += ga[gi + i + 3] * (xa[xi + i + 3] - cc);
                        }
                        for (; i < m; i++) a0 += ga[gi + i] * (xa[xi + i] - cc);
                    }
                }
                v[ch] = (a0 + a1) + (a2 + a3);
            });
        }
        return store(v, out);
    }

    /** The per-channel sums v, rounded once to out's dtype, into out (new, contiguous, [C]); returns out. */
    private static Tensor store(double[] v, Tensor out) {
        CpuStorage os = CpuStorage.of(out);
        if (out.dtype() == DType.FLOAT32) {
            float[] oa = os.floats();
            for (int i = 0; i < v.length; i++) oa[i] = (float) v[i];
        } else {
            System.arraycopy(v, 0, os.doubles(), 0, v.length);
        }
        return out;
    }

    private static Tensor contiguous(Tensor t) {
        if (t.isContiguous()) return t;
        try (GradMode.Scope s = GradMode.noGrad()) {
            return t.contiguous();
        }
    }
}

package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;

/**
 * The CPU's attack-step kernels ({@code Backend.signStep}, {@code l2Step}, {@code projectLinf}, {@code projectL2},
 * {@code projectL1}): one pass over the batch (a few per sample for the norms and the L1 threshold) instead of
 * the five to fifteen tensor ops and temporaries of the composed defaults. They follow
 * {@code kernels/src/main/cuda/attack.cu} operation for operation (double arithmetic, one rounding to the dtype,
 * the same NaN-propagating max/min, Michelot's iteration for the L1 threshold), so the CPU and CUDA backends agree
 * up to the order of the per-sample sums and the sign of zero. The signed step and the L-inf projection run
 * straight over the arrays; the per-sample kernels stage one sample at a time in double buffers. Elements
 * (elementwise kernels) or samples (per-sample ones) are split over threads; results do not depend on the thread
 * count.
 */
final class CpuAttackSteps {
    /** The five kernels. */
    enum Kind { SIGN_STEP, L2_STEP, LINF, L2, L1 }

    private CpuAttackSteps() {}

    /**
     * Runs kernel {@code k} on x and y (the gradient for the steps, x0 for the projections) with step {@code a}
     * or radius {@code eps} and box {@code [lo, hi]}; returns a new contiguous tensor of x's shape and dtype.
     */
    static Tensor run(Kind k, Tensor x, Tensor y, double a, double eps, double lo, double hi) {
        DType t = x.dtype();
        Tensor out = Tensor.empty(CpuBackend.INSTANCE, t, x.shape());
        int total = x.numel();
        if (total == 0) return out;
        Tensor xc = contiguous(x), yc = contiguous(y);
        double alpha = t == DType.FLOAT32 && k == Kind.SIGN_STEP ? (float) a : a;
        if (k == Kind.SIGN_STEP || k == Kind.LINF) {
            elementwise(k == Kind.SIGN_STEP, xc, yc, out, alpha, eps, lo, hi);
            return out;
        }
        int n = x.size(0), m = total / n;
        int parts = Math.min(n, CpuParallel.partsFor(4L * total));
        CpuParallel.run(parts, part -> {
            double[] bx = new double[m], by = new double[m], bo = new double[m];
            int from = (int) ((long) n * part / parts), to = (int) ((long) n * (part + 1) / parts);
            for (int s = from; s < to; s++) {
                load(xc, s * m, bx, m);
                load(yc, s * m, by, m);
                switch (k) {
                    case L2_STEP -> l2Step(bx, by, bo, m, alpha);
                    case L2 -> projectL2(bx, by, bo, m, eps, lo, hi);
                    default -> projectL1(bx, by, bo, m, eps, lo, hi);
                }
                store(bo, out, s * m, m);
            }
        });
        return out;
    }

    /**
     * The signed step or the L-inf projection straight on the arrays, each element rounded once, split over the
     * threads from {@link FloatElementwise#PARALLEL_ELEMENTS} elements. Float32 takes loops the JIT vectorizes
     * ({@link #signStepFloat}, {@link #linfFloat}) and computes what the double arithmetic rounded to float does.
     */
    private static void elementwise(boolean sign, Tensor x, Tensor y, Tensor out, double alpha, double eps, double lo, double hi) {
        int total = x.numel(), xo = x.offset(), yo = y.offset();
        int parts = CpuParallel.partsFor(total, FloatElementwise.PARALLEL_ELEMENTS);
        boolean f32 = x.dtype() == DType.FLOAT32;
        CpuStorage xs = CpuStorage.of(x), ys = CpuStorage.of(y), os = CpuStorage.of(out);
        CpuParallel.run(parts, part -> {
            int from = (int) ((long) total * part / parts), to = (int) ((long) total * (part + 1) / parts);
            if (f32) {
                float[] xa = xs.floats(), ya = ys.floats(), oa = os.floats();
                if (sign) signStepFloat(xa, xo, ya, yo, oa, from, to, (float) alpha);
                else linfFloat(xa, xo, ya, yo, oa, from, to, eps, lo, hi);
            } else {
                double[] xa = xs.doubles(), ya = ys.doubles(), oa = os.doubles();
                if (sign) for (int i = from; i < to; i++) oa[i] = xa[xo + i] + alpha * sign(ya[yo + i]);
                else for (int i = from; i < to; i++) oa[i] = linf(xa[xo + i], ya[yo + i], eps, lo, hi);
            }
        });
    }

    /**
     * {@code out[i] = x[i] + alpha * sign(g[i])} for i in [from, to), in float: alpha is a float and
     * {@code alpha * sign} is exact, so the one float addition rounds as the double sum rounded to float does
     * (double has more than twice float's precision). The sign is {@code copySign(1, g) * min(|g| * 2^200, 1)}:
     * +-1 for every nonzero g (the smallest subnormal times 2^200 is 2^51), +-0 for +-0, NaN for NaN, without the
     * branches of {@link Math#signum}, which mispredict on gradients of random sign (measured 4 ns an element
     * against about 1).
     */
    private static void signStepFloat(float[] x, int xo, float[] g, int go, float[] out, int from, int to, float alpha) {
        for (int i = from; i < to; i++) {
            float gi = g[go + i];
            out[i] = x[xo + i] + alpha * (Math.copySign(1f, gi) * Math.min(Math.abs(gi) * 0x1p100f * 0x1p100f, 1f));
        }
    }

    /** Elements of {@link #linfFloat}'s bound buffers. */
    private static final int LINF_CHUNK = 1024;

    /**
     * {@code out[i] = (float) clamp(x[i], max(c[i] - eps, lo), min(c[i] + eps, hi))} with the bounds in double, for
     * i in [from, to). Rounding to float is monotone, so clamping the float x between the bounds rounded to float
     * gives the same float as clamping in double and rounding; the bounds are computed in double and rounded a chunk
     * at a time, then the clamp runs in float: loops of one kind each, which the JIT compiles to about half the time
     * of one loop mixing double and float.
     */
    private static void linfFloat(float[] x, int xo, float[] c, int co, float[] out, int from, int to, double eps, double lo, double hi) {
        float lof = (float) lo, hif = (float) hi;
        float[] lower = new float[LINF_CHUNK], upper = new float[LINF_CHUNK];
        for (int i0 = from; i0 < to; i0 += LINF_CHUNK) {
            int len = Math.min(LINF_CHUNK, to - i0), c0 = co + i0;
            for (int j = 0; j < len; j++) lower[j] = (float) (c[c0 + j] - eps);
            for (int j = 0; j < len; j++) upper[j] = (float) (c[c0 + j] + eps);
            for (int j = 0; j < len; j++) lower[j] = Math.max(lower[j], lof);
            for (int j = 0; j < len; j++) upper[j] = Math.min(upper[j], hif);
            int x0 = xo + i0;
            for (int j = 0; j < len; j++) out[i0 + j] = Math.min(Math.max(x[x0 + j], lower[j]), upper[j]);
        }
    }

    private static double linf(double x, double c, double eps, double lo, double hi) {
        return clamp(x, Math.max(c - eps, lo), Math.min(c + eps, hi));
    }

    private static void l2Step(double[] x, double[] g, double[] out, int m, double alpha) {
        double acc = 0;
        for (int i = 0; i < m; i++) acc += g[i] * g[i];
        double norm = Math.sqrt(acc);
        double scale = alpha / (norm > 1e-12 ? norm : 1e-12);
        for (int i = 0; i < m; i++) out[i] = x[i] + scale * g[i];
    }

    private static void projectL2(double[] x, double[] x0, double[] out, int m, double eps, double lo, double hi) {
        double acc = 0;
        for (int i = 0; i < m; i++) {
            double d = x[i] - x0[i];
            acc += d * d;
        }
        double norm = Math.sqrt(acc);
        double f = norm > eps ? eps / (norm > 1e-12 ? norm : 1e-12) : 1.0;
        for (int i = 0; i < m; i++) out[i] = clamp(x0[i] + (x[i] - x0[i]) * f, lo, hi);
    }

    /**
     * Soft-thresholding of d = x - x0 at Duchi et al.'s theta, found by Michelot's iteration
     * {@code theta <- (sum of |d_i| over |d_i| > theta - eps) / count}: it starts below the answer, rises
     * monotonically and stops when the active set no longer changes. {@code out} holds |d| meanwhile.
     */
    private static void projectL1(double[] x, double[] x0, double[] out, int m, double eps, double lo, double hi) {
        double total = 0;
        for (int i = 0; i < m; i++) {
            out[i] = Math.abs(x[i] - x0[i]);
            total += out[i];
        }
        double theta = 0;
        if (total > eps) {
            theta = (total - eps) / m;
            double count = m;
            for (int round = 0; round <= m; round++) {
                double sum = 0, cnt = 0;
                for (int i = 0; i < m; i++) {
                    if (out[i] > theta) {
                        sum += out[i];
                        cnt += 1;
                    }
                }
                if (cnt == count || cnt == 0) break;
                count = cnt;
                theta = (sum - eps) / cnt;
            }
            if (theta < 0) theta = 0;
        }
        for (int i = 0; i < m; i++) {
            double d = x[i] - x0[i], a = out[i] - theta;
            double shrunk = a > 0 ? (d > 0 ? a : -a) : 0.0;
            out[i] = clamp(x0[i] + shrunk, lo, hi);
        }
    }

    private static Tensor contiguous(Tensor t) {
        if (t.isContiguous()) return t;
        Tensor c = Tensor.empty(CpuBackend.INSTANCE, t.dtype(), t.shape());
        CpuBackend.INSTANCE.copy(t, c);
        return c;
    }

    private static void load(Tensor t, int from, double[] dst, int len) {
        CpuStorage s = CpuStorage.of(t);
        int o = t.offset() + from;
        if (t.dtype() == DType.FLOAT32) {
            float[] a = s.floats();
            for (int i = 0; i < len; i++) dst[i] = a[o + i];
        } else {
            System.arraycopy(s.doubles(), o, dst, 0, len);
        }
    }

    private static void store(double[] src, Tensor t, int from, int len) {
        CpuStorage s = CpuStorage.of(t);
        int o = t.offset() + from;
        if (t.dtype() == DType.FLOAT32) {
            float[] a = s.floats();
            for (int i = 0; i < len; i++) a[o + i] = (float) src[i];
        } else {
            System.arraycopy(src, 0, s.doubles(), o, len);
        }
    }

    /**
     * sign with sign(+-0) = +-0 and sign(NaN) = NaN (attack.cu's bk_sign up to the sign of zero). {@link Math#signum}
     * branches; float32 takes {@link #signStepFloat}'s branch-free form instead.
     */
    private static double sign(double v) {
        return Math.signum(v);
    }

    /**
     * v clamped to [lo, hi], NaN-propagating as attack.cu's bk_max / bk_min (up to the sign of a zero result from +0
     * against -0): {@link Math#max} and {@link Math#min}, which the JIT compiles without branches (a branch on random
     * data mispredicts half the time: 18 ns per element of a float32 L-inf projection in double against 8 with these).
     */
    private static double clamp(double v, double lo, double hi) {
        return Math.min(Math.max(v, lo), hi);
    }
}

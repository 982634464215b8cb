package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.OptimizerKernel;

/**
 * The CPU's fused optimizer updates ({@link OptimizerKernel}): one pass over parameter, gradient and state, split
 * across threads by ranges of elements, instead of the ten or so full passes (and fresh tensors) of the composed
 * update. Each element sees the composed update's float (or double) operations in the same order, so results are
 * identical to it; the float32 loops are {@link FloatOptimizerLoops} (on Vector API lanes where available).
 * Parameter and state must be contiguous; the gradient may be any layout in float32.
 */
final class FusedOptimizer {
    /** Elements below which the update runs on the calling thread. */
    private static final long PARALLEL_ELEMENTS = 1 << 16;

    private FusedOptimizer() {}

    /** Runs the update; false (nothing changed) where the tensors do not fit these loops. */
    static boolean step(OptimizerKernel k, double[] h, Tensor param, Tensor grad, Tensor s1, Tensor s2) {
        if (!k.fits(h, param, grad, s1, s2)) return false;
        DType t = param.dtype();
        if (t == DType.FLOAT64 && !grad.isContiguous()) return false;
        int n = param.numel();
        int parts = CpuParallel.partsFor(n, PARALLEL_ELEMENTS);
        if (t == DType.FLOAT32) {
            float[] p = CpuStorage.of(param).floats(), g = FloatKernels.data(grad);
            float[] a = s1 == null ? null : CpuStorage.of(s1).floats(), b = s2 == null ? null : CpuStorage.of(s2).floats();
            int po = param.offset(), go = FloatKernels.offset(grad), ao = s1 == null ? 0 : s1.offset(), bo = s2 == null ? 0 : s2.offset();
            FloatOptimizerLoops loops = FloatOptimizerLoops.get();
            FloatOptimizerLoops.Sgd sgd = k == OptimizerKernel.SGD ? FloatOptimizerLoops.Sgd.of(h) : null;
            FloatOptimizerLoops.Adam adam = k == OptimizerKernel.SGD ? null : FloatOptimizerLoops.Adam.of(h);
            CpuParallel.run(parts, part -> {
                int lo = (int) ((long) n * part / parts), hi = (int) ((long) n * (part + 1) / parts);
                if (sgd != null) loops.sgd(sgd, p, po, g, go, a, ao, lo, hi);
                else loops.adam(adam, p, po, g, go, a, ao, b, bo, lo, hi);
            });
        } else {
            double[] p = CpuStorage.of(param).doubles(), g = CpuStorage.of(grad).doubles();
            double[] a = s1 == null ? null : CpuStorage.of(s1).doubles(), b = s2 == null ? null : CpuStorage.of(s2).doubles();
            int po = param.offset(), go = grad.offset(), ao = s1 == null ? 0 : s1.offset(), bo = s2 == null ? 0 : s2.offset();
            CpuParallel.run(parts, part -> {
                int lo = (int) ((long) n * part / parts), hi = (int) ((long) n * (part + 1) / parts);
                if (k == OptimizerKernel.SGD) sgd(h, p, po, g, go, a, ao, lo, hi);
                else adam(h, p, po, g, go, a, ao, b, bo, lo, hi);
            });
        }
        return true;
    }

    private static void sgd(double[] h, double[] p, int po, double[] g, int go, double[] buf, int bo, int lo, int hi) {
        double negLr = -h[0], mom = h[1], damp = 1 - h[2], wd = h[4];
        boolean momentum = h[1] != 0, nesterov = h[3] != 0, first = h[5] != 0, decay = h[4] != 0;
        for (int i = lo; i < hi; i++) {
            double d = g[go + i];
            if (decay) d = d + p[po + i] * wd;
            if (momentum) {
                double b = first ? d : buf[bo + i] * mom + d * damp;
                buf[bo + i] = b;
                d = nesterov ? d + b * mom : b;
            }
            p[po + i] = p[po + i] + d * negLr;
        }
    }

    private static void adam(double[] h, double[] p, int po, double[] g, int go, double[] m, int mo, double[] v, int vo, int lo, int hi) {
        double lr = h[0], wd = h[4];
        boolean adamw = h[5] != 0, decay = !adamw && wd != 0;
        double b1 = h[1], c1 = 1 - h[1], b2 = h[2], c2 = 1 - h[2], eps = h[3];
        double shrink = 1 - lr * wd, negStep = -lr / h[6], root2 = Math.sqrt(h[7]);
        for (int i = lo; i < hi; i++) {
            double pi = p[po + i], gi = g[go + i];
            double base = adamw ? pi * shrink : pi;
            if (decay) gi = gi + pi * wd;
            double mi = m[mo + i] * b1 + gi * c1;
            double vi = v[vo + i] * b2 + gi * c2 * gi;
            m[mo + i] = mi;
            v[vo + i] = vi;
            double denom = Math.sqrt(vi) / root2 + eps;
            p[po + i] = base + mi * negStep / denom;
        }
    }
}

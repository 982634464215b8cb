package dev.brink.engine.backend.cpu;

import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ReduceKernel;

/**
 * Reductions. {@link #reduce} accumulates in a {@code double} buffer of the output's size (so float32 sums are
 * accumulated in double, in row-major order of x) and stores it converted at the end. MAX/MIN propagate NaN;
 * argmax/argmin pick the first NaN if there is one, else the first extreme value.
 */
final class CpuReduce {
    private CpuReduce() {}

    /** A reduction accumulator's starting value: the kernel's identity (also {@link FloatReduce}'s). */
    static double identity(ReduceKernel k) {
        return switch (k) {
            case SUM -> 0.0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
    }

    static void reduce(ReduceKernel k, Tensor x, boolean[] axes, Tensor out) {
        int[] xShape = x.shape();
        int rank = xShape.length;
        int[] keep = xShape.clone();
        for (int d = 0; d < rank; d++) if (axes[d]) keep[d] = 1;
        int[] accStrides = Shape.contiguousStrides(keep);
        for (int d = 0; d < rank; d++) if (axes[d]) accStrides[d] = 0;
        double[] acc = new double[Shape.numel(keep)];
        java.util.Arrays.fill(acc, identity(k));
        CpuStorage xs = CpuStorage.of(x);
        StridedIndexer it = new StridedIndexer(xShape, new int[]{x.offset(), 0}, x.strides(), accStrides);
        int n = Math.min(CpuElementwise.CHUNK, Math.max(it.inner, 1));
        double[] buf = new double[n];
        for (long r = it.rows(); r > 0; r--, it.next()) {
            int xsStride = it.innerStride[0], as = it.innerStride[1];
            for (int j = 0; j < it.inner; j += n) {
                int len = Math.min(n, it.inner - j);
                xs.load(it.pos[0] + j * xsStride, xsStride, buf, 0, len);
                int a0 = it.pos[1] + j * as;
                if (as == 0) acc[a0] = fold(k, acc[a0], buf, len);
                else accumulate(k, acc, a0, as, buf, len);
            }
        }
        StridedIndexer.scatter(acc, 0, CpuStorage.of(out), out.offset(), out.shape(), out.strides());
    }

    /** Folds buf[0..len) into a single accumulator. */
    private static double fold(ReduceKernel k, double a, double[] buf, int len) {
        switch (k) {
            case SUM -> { for (int i = 0; i < len; i++) a += buf[i]; }
            case MAX -> { for (int i = 0; i < len; i++) { double v = buf[i]; if (v > a || v != v) a = v; } }
            case MIN -> { for (int i = 0; i < len; i++) { double v = buf[i]; if (v < a || v != v) a = v; } }
        }
        return a;
    }

    /** acc[a0 + i*as] = k(acc[...], buf[i]). */
    private static void accumulate(ReduceKernel k, double[] acc, int a0, int as, double[] buf, int len) {
        switch (k) {
            case SUM -> { for (int i = 0; i < len; i++) acc[a0 + i * as] += buf[i]; }
            case MAX -> {
                for (int i = 0; i < len; i++) {
                    double v = buf[i], a = acc[a0 + i * as];
                    if (v > a || v != v) acc[a0 + i * as] = v;
                }
            }
            case MIN -> {
                for (int i = 0; i < len; i++) {
                    double v = buf[i], a = acc[a0 + i * as];
                    if (v < a || v != v) acc[a0 + i * as] = v;
                }
            }
        }
    }

    static void argReduce(ReduceKernel k, Tensor x, int axis, Tensor out) {
        if (k == ReduceKernel.SUM) throw new IllegalArgumentException("argReduce: SUM has no index");
        int[] xShape = x.shape();
        int[] xStrides = x.strides();
        int len = xShape[axis];
        int step = xStrides[axis];
        int[] oShape = Shape.with(xShape, axis, 1);
        CpuStorage xs = CpuStorage.of(x), os = CpuStorage.of(out);
        StridedIndexer it = new StridedIndexer(oShape, new int[]{x.offset(), out.offset()}, xStrides, out.strides());
        double[] buf = new double[Math.max(len, 1)];
        boolean max = k == ReduceKernel.MAX;
        for (long r = it.rows(); r > 0; r--, it.next()) {
            for (int j = 0; j < it.inner; j++) {
                xs.load(it.pos[0] + j * it.innerStride[0], step, buf, 0, len);
                os.set(it.pos[1] + j * it.innerStride[1], argOf(buf, len, max));
            }
        }
    }

    /** Index of the first NaN, else of the first maximum (or minimum). 0 when len is 0. */
    private static int argOf(double[] v, int len, boolean max) {
        int best = 0;
        for (int i = 0; i < len; i++) {
            if (v[i] != v[i]) return i;
            if (max ? v[i] > v[best] : v[i] < v[best]) best = i;
        }
        return best;
    }
}

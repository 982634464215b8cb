package dev.brink.engine.backend.cpu;

import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ReduceKernel;

/**
 * Float32 reductions read straight from the float array into a {@code double} accumulator per output element
 * (so sums are accumulated in double, as in {@link CpuReduce}). A run that folds into one accumulator (a
 * trailing reduced axis) is summed with four independent partial sums; a run that maps onto a run of
 * accumulators (a leading reduced axis) is added elementwise. MAX/MIN compare in float and propagate NaN.
 */
final class FloatReduce {
    private FloatReduce() {}

    static void reduce(ReduceKernel k, Tensor x, boolean[] axes, Tensor out) {
        if (perChannel(x, axes, out)) {
            channels(k, x, out);
            return;
        }
        int[] xShape = x.shape();
        int rank = xShape.length;
        int[] keep = xShape.clone();
        for (int d = 0; d < rank; d++) if (axes[d]) keep[d] = 1;
        int[] accStrides = Shape.contiguousStrides(keep);
        for (int d = 0; d < rank; d++) if (axes[d]) accStrides[d] = 0;
        double[] acc = new double[Shape.numel(keep)];
        double init = CpuReduce.identity(k);
        if (init != 0.0) java.util.Arrays.fill(acc, init);
        float[] xd = CpuStorage.of(x).floats();
        StridedIndexer it = new StridedIndexer(xShape, new int[]{x.offset(), 0}, x.strides(), accStrides);
        int len = it.inner;
        for (long r = it.rows(); r > 0; r--, it.next()) {
            int x0 = it.pos[0], xs = it.innerStride[0], a0 = it.pos[1], as = it.innerStride[1];
            if (as == 0) acc[a0] = fold(k, acc[a0], xd, x0, xs, len);
            else accumulate(k, acc, a0, as, xd, x0, xs, len);
        }
        float[] od = CpuStorage.of(out).floats();
        int[] cs = Shape.contiguousStrides(out.shape());
        StridedIndexer ot = new StridedIndexer(out.shape(), new int[]{out.offset(), 0}, out.strides(), cs);
        for (long r = ot.rows(); r > 0; r--, ot.next())
            for (int j = 0; j < ot.inner; j++) od[ot.pos[0] + j * ot.innerStride[0]] = (float) acc[ot.pos[1] + j * ot.innerStride[1]];
    }

    /**
     * True for a reduction of a contiguous x {@code [N, C, ...]} (rank >= 3) over every axis but the channel axis 1
     * into a contiguous out: the bias gradient of a convolution, which {@link #channels} splits over threads.
     */
    private static boolean perChannel(Tensor x, boolean[] axes, Tensor out) {
        if (x.dim() < 3 || !x.isContiguous() || !out.isContiguous() || axes[1]) return false;
        for (int d = 0; d < axes.length; d++) if (d != 1 && !axes[d]) return false;
        return x.numel() > 0;
    }

    /**
     * {@link #reduce} for {@link #perChannel} problems, channels split over threads: each channel's accumulator
     * folds its planes (all positions of one image, four partial sums) in image order, so the result does not
     * depend on the thread count.
     */
    private static void channels(ReduceKernel k, Tensor x, Tensor out) {
        int n = x.size(0), c = x.size(1), m = x.numel() / (n * c), x0 = x.offset();
        float[] xd = CpuStorage.of(x).floats(), od = CpuStorage.of(out).floats();
        int oo = out.offset();
        double init = CpuReduce.identity(k);
        CpuParallel.forRange(c, CpuParallel.partsFor(x.numel()), ch -> {
            double a = init;
            for (int b = 0; b < n; b++) a = fold(k, a, xd, x0 + (b * c + ch) * m, 1, m);
            od[oo + ch] = (float) a;
        });
    }

    /** Folds x[x0 + i*xs], i < n, into a. */
    private static double fold(ReduceKernel k, double a, float[] x, int x0, int xs, int n) {
        switch (k) {
            case SUM -> {
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int i = 0;
                if (xs == 1) {
                    for (; i + 3 < n; i += 4) {
                        s0 += x[x0 + i];
                        s1 += x[x0 + i + 1];
                        s2 += x[x0 + i + 2];
                        s3 += x[x0 + i + 3];
                    }
                }
                for (; i < n; i++) s0 += x[x0 + i * xs];
                return a + ((s0 + s1) + (s2 + s3));
            }
            case MAX -> {
                for (int i = 0; i < n; i++) {
                    float v = x[x0 + i * xs];
                    if (v > a || v != v) a = v;
                }
                return a;
            }
            case MIN -> {
                for (int i = 0; i < n; i++) {
                    float v = x[x0 + i * xs];
                    if (v < a || v != v) a = v;
                }
                return a;
            }
        }
        throw new AssertionError(k);
    }

    /** acc[a0 + i*as] = k(acc[...], x[x0 + i*xs]) for i < n. */
    private static void accumulate(ReduceKernel k, double[] acc, int a0, int as, float[] x, int x0, int xs, int n) {
        switch (k) {
            case SUM -> {
                if (as == 1 && xs == 1) for (int i = 0; i < n; i++) acc[a0 + i] += x[x0 + i];
                else for (int i = 0; i < n; i++) acc[a0 + i * as] += x[x0 + i * xs];
            }
            case MAX -> {
                for (int i = 0; i < n; i++) {
                    float v = x[x0 + i * xs];
                    if (v > acc[a0 + i * as] || v != v) acc[a0 + i * as] = v;
                }
            }
            case MIN -> {
                for (int i = 0; i < n; i++) {
                    float v = x[x0 + i * xs];
                    if (v < acc[a0 + i * as] || v != v) acc[a0 + i * as] = v;
                }
            }
        }
    }
}

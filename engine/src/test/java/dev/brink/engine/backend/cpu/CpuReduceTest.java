package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ReduceKernel;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.brink.engine.backend.cpu.CpuTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class CpuReduceTest {

    /** Naive keepdim reduction: for each out position, scan every x position that maps to it. */
    static double[] reduceRef(ReduceKernel k, double[] x, int[] shape, boolean[] axes) {
        int[] keep = shape.clone();
        for (int d = 0; d < shape.length; d++) if (axes[d]) keep[d] = 1;
        double[] out = new double[Shape.numel(keep)];
        for (int o = 0; o < out.length; o++) {
            int[] oi = unravel(o, keep);
            double acc = k == ReduceKernel.SUM ? 0 : Double.NaN;
            boolean first = true;
            for (int i = 0; i < x.length; i++) {
                int[] xi = unravel(i, shape);
                boolean match = true;
                for (int d = 0; d < shape.length; d++) if (!axes[d] && xi[d] != oi[d]) match = false;
                if (!match) continue;
                double v = x[i];
                if (k == ReduceKernel.SUM) acc += v;
                else if (first) acc = v;
                else if (Double.isNaN(acc) || Double.isNaN(v)) acc = Double.NaN;
                else acc = k == ReduceKernel.MAX ? Math.max(acc, v) : Math.min(acc, v);
                first = false;
            }
            out[o] = acc;
        }
        return out;
    }

    @Test
    void everyAxisSubsetOfRank3() {
        SplittableRandom rng = new SplittableRandom(11);
        int[] shape = {3, 4, 5};
        for (DType dt : DType.values()) {
            for (Layout l : Layout.values()) {
                for (int mask = 0; mask < 8; mask++) {
                    boolean[] axes = {(mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0};
                    int[] keep = shape.clone();
                    for (int d = 0; d < 3; d++) if (axes[d]) keep[d] = 1;
                    for (ReduceKernel k : ReduceKernel.values()) {
                        View x = view(rng, dt, l, shape);
                        Tensor out = Tensor.empty(B, dt, keep);
                        B.reduce(k, x.t(), axes, out);
                        double[] exp = reduceRef(k, x.values(), shape, axes);
                        if (dt == DType.FLOAT32) exp = toFloat(exp);
                        assertClose(exp, raw(out.storage()), dt == DType.FLOAT32 ? 1e-6 : 1e-12, k + " " + dt + " " + l + " mask " + mask);
                    }
                }
            }
        }
    }

    /**
     * Float32 per-channel reductions of [N, C, ...] (a convolution's bias gradient: every axis but 1), which split
     * channels over threads: the same bits on 1 and 3 threads, sums within float rounding of a double reference,
     * MAX/MIN exact and NaN-propagating.
     */
    @Test
    void perChannelFloat32ReductionsAreThreadInvariantAndCorrect() {
        SplittableRandom rng = new SplittableRandom(21);
        try {
            for (int[] shape : new int[][] {{64, 48, 12, 12}, {3, 5, 7}, {2, 3, 4, 5, 2}}) {
                int n = shape[0], c = shape[1], m = 1;
                for (int d = 2; d < shape.length; d++) m *= shape[d];
                double[] v = new double[n * c * m];
                for (int i = 0; i < v.length; i++) v[i] = rng.nextDouble(-2, 2);
                v[(n - 1) * c * m + m + 1] = Double.NaN; // channel 1 of the last image
                Tensor x = Tensor.fromHost(B, DType.FLOAT32, v, shape);
                boolean[] axes = new boolean[shape.length];
                java.util.Arrays.fill(axes, true);
                axes[1] = false;
                for (ReduceKernel k : ReduceKernel.values()) {
                    float[][] got = new float[2][];
                    int[] threads = {1, 3};
                    for (int t = 0; t < 2; t++) {
                        CpuParallel.setThreads(threads[t]);
                        Tensor out = Tensor.empty(B, DType.FLOAT32, c);
                        B.reduce(k, x, axes, out);
                        got[t] = out.toFloatArray();
                    }
                    assertArrayEquals(got[0], got[1], 0f, k + " " + java.util.Arrays.toString(shape) + ": thread count changed bits");
                    float[] xf = x.toFloatArray();
                    for (int ch = 0; ch < c; ch++) {
                        double ref = k == ReduceKernel.SUM ? 0 : k == ReduceKernel.MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                        boolean nan = false;
                        for (int b = 0; b < n; b++)
                            for (int i = 0; i < m; i++) {
                                float f = xf[(b * c + ch) * m + i];
                                if (f != f) nan = true;
                                ref = k == ReduceKernel.SUM ? ref + f : k == ReduceKernel.MAX ? Math.max(ref, f) : Math.min(ref, f);
                            }
                        String what = k + " " + java.util.Arrays.toString(shape) + " channel " + ch;
                        if (nan) assertTrue(Float.isNaN(got[0][ch]), what + ": NaN propagates");
                        else assertEquals((float) ref, got[0][ch], k == ReduceKernel.SUM ? 1e-5 * Math.max(1, Math.abs(ref)) : 0, what);
                    }
                }
            }
        } finally {
            CpuParallel.setThreads(0);
        }
    }

    @Test
    void scalarAndEmptyReductions() {
        Tensor s = tensor(new double[]{4}, new int[0]);
        Tensor out = Tensor.empty(B, DType.FLOAT64);
        B.reduce(ReduceKernel.SUM, s, new boolean[0], out);
        assertEquals(4.0, B.readDoubles(out)[0]);
        Tensor e = Tensor.empty(B, DType.FLOAT64, 3, 0);
        Tensor o2 = Tensor.empty(B, DType.FLOAT64, 3, 1);
        B.fill(o2, 7);
        B.reduce(ReduceKernel.SUM, e, new boolean[]{false, true}, o2);
        assertArrayEquals(new double[]{0, 0, 0}, B.readDoubles(o2));
    }

    @Test
    void maxMinPropagateNaN() {
        Tensor x = tensor(new double[]{1, Double.NaN, 3, 4, 5, 6}, 2, 3);
        for (ReduceKernel k : new ReduceKernel[]{ReduceKernel.MAX, ReduceKernel.MIN}) {
            Tensor out = Tensor.empty(B, DType.FLOAT64, 2, 1);
            B.reduce(k, x, new boolean[]{false, true}, out);
            double[] r = B.readDoubles(out);
            assertTrue(Double.isNaN(r[0]));
            assertEquals(k == ReduceKernel.MAX ? 6.0 : 4.0, r[1]);
        }
    }

    @Test
    void argReduceFirstIndexOnTiesAlongEveryAxis() {
        SplittableRandom rng = new SplittableRandom(12);
        int[] shape = {3, 4, 5};
        for (DType dt : DType.values()) {
            for (Layout l : Layout.values()) {
                for (int axis = 0; axis < 3; axis++) {
                    for (ReduceKernel k : new ReduceKernel[]{ReduceKernel.MAX, ReduceKernel.MIN}) {
                        View x = view(rng, dt, l, shape);
                        int[] os = Shape.with(shape, axis, 1);
                        Tensor out = Tensor.empty(B, DType.INT32, os);
                        B.argReduce(k, x.t(), axis, out);
                        int[] got = B.readInts(out);
                        for (int o = 0; o < got.length; o++) {
                            int[] idx = unravel(o, os);
                            int best = 0;
                            for (int i = 0; i < shape[axis]; i++) {
                                idx[axis] = i;
                                double v = x.values()[ravel(idx, shape)];
                                idx[axis] = best;
                                double bv = x.values()[ravel(idx, shape)];
                                if (k == ReduceKernel.MAX ? v > bv : v < bv) best = i;
                            }
                            assertEquals(best, got[o], k + " " + dt + " " + l + " axis " + axis + " at " + o);
                        }
                    }
                }
            }
        }
        Tensor ties = tensor(new double[]{1, 3, 3, 0, 0, -1, 3, -1}, 8);
        Tensor out = Tensor.empty(B, DType.INT32, 1);
        B.argReduce(ReduceKernel.MAX, ties, 0, out);
        assertEquals(1, B.readInts(out)[0]);
        B.argReduce(ReduceKernel.MIN, ties, 0, out);
        assertEquals(5, B.readInts(out)[0]);
        B.argReduce(ReduceKernel.MAX, tensor(new double[]{1, Double.NaN, 5, Double.NaN}, 4), 0, out);
        assertEquals(1, B.readInts(out)[0]);
    }

    @Test
    void largeSumOfFloat32AccumulatesInDouble() {
        int n = 1 << 20;
        float[] f = new float[n];
        java.util.Arrays.fill(f, 0.1f);
        Tensor x = Tensor.fromStorage(B.upload(f), new int[]{n}, new int[]{1}, 0);
        Tensor out = Tensor.empty(B, DType.FLOAT32, 1);
        B.reduce(ReduceKernel.SUM, x, new boolean[]{true}, out);
        assertEquals((float) (n * (double) 0.1f), B.readFloats(out)[0]);
    }
}

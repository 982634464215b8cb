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

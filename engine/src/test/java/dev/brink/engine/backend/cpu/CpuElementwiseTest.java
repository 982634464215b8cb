package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.BinaryKernel;
import dev.brink.engine.backend.Storage;
import dev.brink.engine.backend.UnaryKernel;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.brink.engine.backend.cpu.CpuTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class CpuElementwiseTest {

    static double unaryRef(UnaryKernel k, double a, double x) {
        return switch (k) {
            case NEG -> -x;
            case ABS -> x < 0 ? -x : x;
            case SIGN -> x > 0 ? 1 : x < 0 ? -1 : 0;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RECIPROCAL -> 1 / x;
            case SQUARE -> x * x;
            case RELU -> x > 0 ? x : 0;
            case LEAKY_RELU -> x > 0 ? x : a * x;
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case SOFTPLUS -> x > 20 ? x : Math.log(1 + Math.exp(x));
            case POW_SCALAR -> Math.pow(x, a);
        };
    }

    static double binaryRef(BinaryKernel k, double x, double y) {
        return switch (k) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> Math.pow(x, y);
            case MAX -> x >= y ? x : y;
            case MIN -> x <= y ? x : y;
            case EQ -> x == y ? 1 : 0;
            case NE -> x != y ? 1 : 0;
            case LT -> x < y ? 1 : 0;
            case LE -> x <= y ? 1 : 0;
            case GT -> x > y ? 1 : 0;
            case GE -> x >= y ? 1 : 0;
            case MASK_POSITIVE -> y > 0 ? x : 0;
        };
    }

    static double[] store(DType dt, double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = dt == DType.FLOAT32 ? (float) v[i] : dt == DType.INT32 ? (int) v[i] : v[i];
        return r;
    }

    @Test
    void unaryMatchesReferenceOnAllLayouts() {
        SplittableRandom rng = new SplittableRandom(1);
        for (DType dt : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            for (Layout layout : Layout.values()) {
                for (UnaryKernel k : UnaryKernel.values()) {
                    double alpha = k == UnaryKernel.LEAKY_RELU ? 0.1 : k == UnaryKernel.POW_SCALAR ? (rng.nextBoolean() ? 3 : 0.5) : 0;
                    View x = view(rng, dt, layout, 3, 4, 5);
                    Tensor out = Tensor.empty(B, dt, 3, 4, 5);
                    B.unary(k, alpha, x.t(), out);
                    double[] exp = new double[x.values().length];
                    for (int i = 0; i < exp.length; i++) exp[i] = unaryRef(k, alpha, x.values()[i]);
                    assertClose(store(dt, exp), raw(out.storage()), dt == DType.FLOAT32 ? 1e-6 : 1e-12, k + " " + dt + " " + layout);
                }
            }
        }
    }

    @Test
    void unarySpecialValues() {
        double[] xs = {-1000, -30, -20.5, 0, -0.0, 20.5, 30, 1000};
        Tensor x = tensor(xs, xs.length);
        Tensor out = Tensor.empty(B, DType.FLOAT64, xs.length);
        B.unary(UnaryKernel.SIGMOID, 0, x, out);
        double[] s = B.readDoubles(out);
        assertEquals(0.0, s[0], 1e-300);
        assertEquals(1.0, s[7]);
        assertEquals(0.5, s[3]);
        for (double v : s) assertFalse(Double.isNaN(v));
        B.unary(UnaryKernel.SOFTPLUS, 0, x, out);
        double[] sp = B.readDoubles(out);
        assertEquals(0.0, sp[0]);
        assertEquals(20.5, sp[5]);
        assertEquals(1000.0, sp[7]);
        assertEquals(Math.log(2), sp[3], 1e-15);
        assertEquals(Math.log1p(Math.exp(-20.5)), sp[2], 1e-22);
        B.unary(UnaryKernel.SIGN, 0, x, out);
        assertArrayEquals(new double[]{-1, -1, -1, 0, 0, 1, 1, 1}, B.readDoubles(out));
        Tensor r3 = Tensor.empty(B, DType.FLOAT64, 3);
        B.unary(UnaryKernel.RELU, 0, tensor(new double[]{Double.NaN, -1, 2}, 3), r3);
        double[] relu = B.readDoubles(r3);
        assertTrue(Double.isNaN(relu[0]));
        assertEquals(0.0, relu[1]);
        assertEquals(2.0, relu[2]);
    }

    @Test
    void binaryBroadcastsAcrossLayoutsAndDtypes() {
        SplittableRandom rng = new SplittableRandom(2);
        int[] outShape = {3, 4, 5};
        int[][][] pairs = {{{3, 1, 5}, {4, 1}}, {{3, 4, 5}, {3, 4, 5}}, {{1}, {3, 4, 5}}, {{4, 5}, {3, 1, 1}}, {{}, {5}}};
        for (DType dt : DType.values()) {
            for (int[][] pair : pairs) {
                for (Layout la : Layout.values()) {
                    Layout lb = Layout.values()[rng.nextInt(3)];
                    for (BinaryKernel k : BinaryKernel.values()) {
                        View a = view(rng, dt, la, pair[0]), b = view(rng, dt, lb, pair[1]);
                        Tensor out = Tensor.empty(B, dt, outShape);
                        B.binary(k, a.t(), b.t(), out);
                        double[] exp = new double[Shape.numel(outShape)];
                        for (int i = 0; i < exp.length; i++) {
                            int[] idx = unravel(i, outShape);
                            exp[i] = binaryRef(k, bcast(a.values(), pair[0], idx), bcast(b.values(), pair[1], idx));
                        }
                        assertClose(store(dt, exp), raw(out.storage()), dt == DType.FLOAT32 ? 1e-6 : 1e-12, k + " " + dt + " " + la + "/" + lb);
                    }
                }
            }
        }
    }

    @Test
    void binaryWithStrideZeroExpandedViewAndStridedOutput() {
        SplittableRandom rng = new SplittableRandom(3);
        double[] base = randoms(rng, 5);
        Tensor a = Tensor.fromStorage(B.upload(base), new int[]{4, 5}, new int[]{0, 1}, 0); // expanded row
        View b = view(rng, DType.FLOAT64, Layout.REVERSED_AXES, 4, 5);
        // out is a column slice of a [4, 7] buffer
        Storage outStore = B.upload(new double[28]);
        Tensor out = Tensor.fromStorage(outStore, new int[]{4, 5}, new int[]{7, 1}, 1);
        B.binary(BinaryKernel.MUL, a, b.t(), out);
        double[] raw = raw(outStore);
        for (int i = 0; i < 4; i++) {
            assertEquals(0.0, raw[i * 7]);
            assertEquals(0.0, raw[i * 7 + 6]);
            for (int j = 0; j < 5; j++) assertEquals(base[j] * b.values()[i * 5 + j], raw[i * 7 + 1 + j]);
        }
    }

    @Test
    void branchFreeComparisonsMatchJavaOnSpecialValues() {
        float[] v = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1e-38f, 3e38f, -3e38f, 0.1f, 1.0000001f};
        int n = v.length;
        float[] a = new float[n * n], b = new float[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                float x = v[i], y = v[j];
                String what = x + " vs " + y;
                assertEquals(x > y ? 1f : 0f, FloatElementwise.greater(x, y), what + " >");
                assertEquals(x >= y ? 1f : 0f, FloatElementwise.atLeast(x, y), what + " >=");
                a[i * n + j] = x;
                b[i * n + j] = y;
            }
        // through the kernels: tensor vs tensor, tensor vs scalar, scalar vs tensor
        Tensor ta = Tensor.of(a, n * n), tb = Tensor.of(b, n * n);
        float[] gt = ta.gt(tb).toFloatArray(), lt = ta.lt(tb).toFloatArray(), ge = ta.ge(tb).toFloatArray(), le = ta.le(tb).toFloatArray();
        for (int i = 0; i < n * n; i++) {
            String what = a[i] + " vs " + b[i];
            assertEquals(a[i] > b[i] ? 1f : 0f, gt[i], what + " gt");
            assertEquals(a[i] < b[i] ? 1f : 0f, lt[i], what + " lt");
            assertEquals(a[i] >= b[i] ? 1f : 0f, ge[i], what + " ge");
            assertEquals(a[i] <= b[i] ? 1f : 0f, le[i], what + " le");
        }
        for (float y : v) {
            float[] vs = ta.gt(y).toFloatArray(), vsl = ta.lt(y).toFloatArray();
            float[] sv = Tensor.of(new float[] {y}, 1).gt(ta).toFloatArray();
            for (int i = 0; i < n * n; i++) {
                assertEquals(a[i] > y ? 1f : 0f, vs[i], a[i] + " gt scalar " + y);
                assertEquals(a[i] < y ? 1f : 0f, vsl[i], a[i] + " lt scalar " + y);
                assertEquals(y > a[i] ? 1f : 0f, sv[i], "scalar " + y + " gt " + a[i]);
            }
        }
    }

    @Test
    void nanPropagatesThroughMaxMin() {
        Tensor a = tensor(new double[]{Double.NaN, 1, 2}, 3), b = tensor(new double[]{0, Double.NaN, 1}, 3);
        Tensor out = Tensor.empty(B, DType.FLOAT64, 3);
        B.binary(BinaryKernel.MAX, a, b, out);
        double[] r = B.readDoubles(out);
        assertTrue(Double.isNaN(r[0]) && Double.isNaN(r[1]));
        assertEquals(2.0, r[2]);
    }

    @Test
    void whereBroadcasts() {
        SplittableRandom rng = new SplittableRandom(4);
        for (DType dt : DType.values()) {
            double[] c = new double[4];
            for (int i = 0; i < 4; i++) c[i] = rng.nextInt(2) * (rng.nextBoolean() ? 1 : -0.5);
            Tensor cond = Tensor.fromStorage(storageExact(dt, c), new int[]{4, 1}, new int[]{1, 1}, 0);
            View a = view(rng, dt, Layout.SLICED, 3, 4, 5), b = view(rng, dt, Layout.REVERSED_AXES, 5);
            Tensor out = Tensor.empty(B, dt, 3, 4, 5);
            B.where(cond, a.t(), b.t(), out);
            double[] condVals = logical(cond);
            double[] exp = new double[60];
            for (int i = 0; i < 60; i++) {
                int[] idx = unravel(i, new int[]{3, 4, 5});
                exp[i] = condVals[idx[1]] != 0 ? a.values()[i] : b.values()[idx[2]];
            }
            assertClose(exp, raw(out.storage()), 0, "where " + dt);
        }
    }

    private static Storage storageExact(DType dt, double[] v) {
        return switch (dt) {
            case FLOAT64 -> B.upload(v.clone());
            case FLOAT32 -> { float[] f = new float[v.length]; for (int i = 0; i < v.length; i++) f[i] = (float) v[i]; yield B.upload(f); }
            case INT32 -> { int[] f = new int[v.length]; for (int i = 0; i < v.length; i++) f[i] = (int) Math.signum(v[i]); yield B.upload(f); }
        };
    }

    @Test
    void copyBroadcastsConvertsAndWritesOnlyTheView() {
        SplittableRandom rng = new SplittableRandom(5);
        for (DType from : DType.values()) {
            for (DType to : DType.values()) {
                View src = view(rng, from, Layout.REVERSED_AXES, 4, 1);
                // dst: a [3, 4, 5] view sliced out of a [7, 9, 11] buffer full of 99
                double[] init = new double[7 * 9 * 11];
                java.util.Arrays.fill(init, 99);
                Storage ds = storageExact(to == DType.INT32 ? DType.FLOAT64 : to, init);
                if (to == DType.INT32) { int[] v = new int[init.length]; java.util.Arrays.fill(v, 99); ds = B.upload(v); }
                int[] strides = {2 * 99, 2 * 11, 2};
                int off = 99 + 11 + 1;
                Tensor dst = Tensor.fromStorage(ds, new int[]{3, 4, 5}, strides, off);
                B.copy(src.t(), dst);
                double[] raw = raw(ds);
                double[] exp = init.clone();
                for (int i = 0; i < 60; i++) {
                    int[] idx = unravel(i, new int[]{3, 4, 5});
                    double v = src.values()[idx[1]];
                    exp[off + idx[0] * strides[0] + idx[1] * strides[1] + idx[2] * strides[2]] = store(to, new double[]{v})[0];
                }
                assertClose(exp, raw, 0, "copy " + from + "->" + to);
            }
        }
    }

    @Test
    void copyFloatToIntTruncatesTowardZero() {
        Tensor src = tensor(new double[]{-1.75, -0.5, 0.5, 2.99}, 4);
        Tensor dst = Tensor.empty(B, DType.INT32, 4);
        B.copy(src, dst);
        assertArrayEquals(new int[]{-1, 0, 0, 2}, B.readInts(dst));
    }

    @Test
    void copyBetweenOverlappingViewsOfOneStorage() {
        double[] d = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        Storage s = B.upload(d);
        B.copy(Tensor.fromStorage(s, new int[]{9}, new int[]{1}, 0), Tensor.fromStorage(s, new int[]{9}, new int[]{1}, 1));
        assertArrayEquals(new double[]{0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, raw(s));
    }

    @Test
    void fillTouchesOnlyTheStridedView() {
        for (DType dt : DType.values()) {
            Tensor big = Tensor.empty(B, dt, 5, 6);
            Tensor v = Tensor.fromStorage(big.storage(), new int[]{2, 3}, new int[]{12, 2}, 7);
            B.fill(v, 2.5);
            double[] raw = raw(big.storage());
            double val = dt == DType.INT32 ? 2 : 2.5;
            for (int i = 0; i < 30; i++) {
                boolean in = false;
                for (int r = 0; r < 2; r++) for (int c = 0; c < 3; c++) in |= i == 7 + 12 * r + 2 * c;
                assertEquals(in ? val : 0.0, raw[i], dt + " at " + i);
            }
        }
    }

    @Test
    void readsHonorStridesAndOffsetAndConvert() {
        SplittableRandom rng = new SplittableRandom(6);
        for (DType dt : DType.values()) {
            for (Layout l : Layout.values()) {
                View v = view(rng, dt, l, 2, 3, 4);
                assertArrayEquals(v.values(), B.readDoubles(v.t()), dt + " " + l);
                float[] f = B.readFloats(v.t());
                int[] ints = B.readInts(v.t());
                for (int i = 0; i < f.length; i++) {
                    assertEquals((float) v.values()[i], f[i]);
                    assertEquals((int) v.values()[i], ints[i]);
                }
            }
        }
        Tensor scalar = Tensor.fromStorage(B.upload(new double[]{1, 2, 3}), new int[0], new int[0], 2);
        assertArrayEquals(new double[]{3}, B.readDoubles(scalar));
        Tensor empty = Tensor.empty(B, DType.FLOAT32, 0, 3);
        assertEquals(0, B.readDoubles(empty).length);
    }

    @Test
    void uploadCopiesAndAllocateZeroFills() {
        double[] d = {1, 2, 3};
        Storage s = B.upload(d);
        d[0] = 42;
        assertEquals(1.0, ((CpuStorage) s).doubles()[0]);
        float[] f = {1, 2};
        Storage sf = B.upload(f);
        f[0] = 42;
        assertEquals(1.0f, ((CpuStorage) sf).floats()[0]);
        int[] in = {1};
        Storage si = B.upload(in);
        in[0] = 42;
        assertEquals(1, ((CpuStorage) si).ints()[0]);
        for (DType dt : DType.values()) {
            Storage a = B.allocate(dt, 7);
            assertEquals(dt, a.dtype());
            assertEquals(7, a.size());
            assertSame(B, a.backend());
            for (double v : raw(a)) assertEquals(0.0, v);
        }
    }

    @Test
    void largeContiguousUnaryAndBinarySpanManyChunks() {
        SplittableRandom rng = new SplittableRandom(7);
        int n = 3 * CpuElementwise.CHUNK + 17;
        double[] x = uniforms(rng, n), y = uniforms(rng, n);
        Tensor out = Tensor.empty(B, DType.FLOAT64, n);
        B.binary(BinaryKernel.SUB, tensor(x, n), tensor(y, n), out);
        double[] r = B.readDoubles(out);
        for (int i = 0; i < n; i++) assertEquals(x[i] - y[i], r[i]);
    }
}

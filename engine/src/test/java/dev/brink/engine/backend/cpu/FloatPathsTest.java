package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.BinaryKernel;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.PoolGeometry;
import dev.brink.engine.backend.ReduceKernel;
import dev.brink.engine.backend.UnaryKernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static dev.brink.engine.backend.cpu.CpuTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The float32 fast paths against the reference (double) kernels on the same inputs: matmul and the three
 * convolutions within the float error bound of their dot products (SIMD and scalar GEMM kernels, serial and
 * threaded), elementwise kernels, max-pool switches, gather and scatterAdd bit for bit, reductions within an ulp.
 */
class FloatPathsTest {
    private SgemmKernel saved;

    @AfterEach
    void restore() {
        if (saved != null) SgemmKernel.use(saved);
        saved = null;
        CpuParallel.setThreads(0);
    }

    private boolean useKernel(String which) {
        SgemmKernel k = which.equals("simd") ? VectorSupport.loadSimdKernel() : new ScalarSgemmKernel();
        if (k == null) return false;
        saved = SgemmKernel.use(k);
        return true;
    }

    // ------------------------------------------------------------------ helpers

    /** A float view in the given layout with continuous random values in [-1, 1) (so products round). */
    static Tensor floats(SplittableRandom rng, Layout layout, int... shape) {
        Tensor t = view(rng, DType.FLOAT32, layout, shape).t();
        float[] raw = ((CpuStorage) t.storage()).floats();
        for (int i = 0; i < raw.length; i++) raw[i] = (float) rng.nextDouble(-1, 1);
        return t;
    }

    static Tensor empty(DType dt, int... shape) {
        return Tensor.empty(B, dt, shape);
    }

    /** |t| as a new contiguous float tensor. */
    static Tensor abs(Tensor t) {
        Tensor r = empty(DType.FLOAT32, t.shape());
        CpuElementwise.unary(UnaryKernel.ABS, 0, t, r);
        return r;
    }

    /** Compares a float result with a double reference: |got - exp| <= 2 (k + 2) 2^-24 * absRef. */
    static void assertWithinBound(double[] exp, double[] absRef, double[] got, int k, String what) {
        assertWithinBound(exp, absRef, got, k, 1, what);
    }

    /** The same with the bound times {@code factor} (for algorithms that are not plain dot products). */
    static void assertWithinBound(double[] exp, double[] absRef, double[] got, int k, double factor, String what) {
        assertEquals(exp.length, got.length, what);
        for (int i = 0; i < exp.length; i++) {
            double tol = factor * 2.0 * (k + 2) * 0x1p-24 * absRef[i] + 1e-30;
            if (!(Math.abs(got[i] - exp[i]) <= tol)) fail(what + ": element " + i + " = " + got[i] + ", expected " + exp[i] + " (tol " + tol + ")");
        }
    }

    static void assertSameBits(double[] exp, double[] got, String what) {
        assertEquals(exp.length, got.length, what);
        for (int i = 0; i < exp.length; i++) {
            if (Double.isNaN(exp[i]) && Double.isNaN(got[i])) continue;
            if (Double.doubleToLongBits(exp[i]) != Double.doubleToLongBits(got[i]))
                fail(what + ": element " + i + " = " + got[i] + ", reference " + exp[i]);
        }
    }

    // ------------------------------------------------------------------ matmul

    @ParameterizedTest
    @ValueSource(strings = {"simd", "scalar"})
    void matmulMatchesTheReference(String kernel) {
        assumeTrue(useKernel(kernel), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(51);
        CpuParallel.setThreads(2);
        int[][][] cases = {
                {{2, 1, 9, 13}, {3, 13, 33}, {2, 3, 9, 33}},
                {{1, 1}, {1, 1}, {1, 1}},
                {{5, 0}, {0, 3}, {5, 3}},
                {{17, 64}, {64, 1}, {17, 1}},
                {{1, 29}, {29, 70}, {1, 70}},
                {{4, 37, 41}, {41, 23}, {4, 37, 23}},
                {{150, 300}, {300, 97}, {150, 97}},   // parallel inside the GEMM, two k blocks
                {{40, 8, 8}, {40, 8, 8}, {40, 8, 8}},   // many small products: parallel over batches
        };
        for (int[][] c : cases) {
            for (Layout la : Layout.values()) {
                for (Layout lb : Layout.values()) {
                    Tensor a = floats(rng, la, c[0]), b = floats(rng, lb, c[1]);
                    Tensor out = empty(DType.FLOAT32, c[2]);
                    B.fill(out, 123);
                    FloatMatmul.matmul(a, b, out);
                    Tensor ref = empty(DType.FLOAT64, c[2]), absRef = empty(DType.FLOAT64, c[2]);
                    CpuMatmul.matmul(a, b, ref);
                    CpuMatmul.matmul(abs(a), abs(b), absRef);
                    int k = c[0][c[0].length - 1];
                    assertWithinBound(B.readDoubles(ref), B.readDoubles(absRef), B.readDoubles(out), k,
                            kernel + " matmul " + la + "/" + lb + " " + Shape.str(c[0]) + "@" + Shape.str(c[1]));
                }
            }
        }
    }

    @Test
    void matmulIntoAStridedOutputAndThroughTheBackend() {
        SplittableRandom rng = new SplittableRandom(52);
        Tensor a = floats(rng, Layout.SLICED, 6, 7), b = floats(rng, Layout.REVERSED_AXES, 7, 5);
        Tensor out = view(rng, DType.FLOAT32, Layout.REVERSED_AXES, 6, 5).t(); // column stride != 1
        B.matmul(a, b, out);
        Tensor ref = empty(DType.FLOAT64, 6, 5), absRef = empty(DType.FLOAT64, 6, 5);
        CpuMatmul.matmul(a, b, ref);
        CpuMatmul.matmul(abs(a), abs(b), absRef);
        assertWithinBound(B.readDoubles(ref), B.readDoubles(absRef), B.readDoubles(out), 7, "strided out");
    }

    // ------------------------------------------------------------------ convolution

    record Conv(int n, int c, int h, int w, int o, int kh, int kw, ConvGeometry g) {
        int ho() { return g.outH(h, kh); }
        int wo() { return g.outW(w, kw); }
        int[] x() { return new int[] {n, c, h, w}; }
        int[] wt() { return new int[] {o, c / g.groups(), kh, kw}; }
        int[] y() { return new int[] {n, o, ho(), wo()}; }
        /** The same problem as the implicit, Winograd and direct paths' dimensions. */
        ImplicitConv.Dims dims() { return new ImplicitConv.Dims(n, c, h, w, o, kh, kw, ho(), wo(), g); }
    }

    static Conv randomConv(SplittableRandom rng) {
        while (true) {
            int groups = 1 + rng.nextInt(3);
            int cg = 1 + rng.nextInt(4), og = 1 + rng.nextInt(5);
            int h = 1 + rng.nextInt(11), w = 1 + rng.nextInt(11);
            int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4);
            ConvGeometry g = new ConvGeometry(1 + rng.nextInt(3), 1 + rng.nextInt(3), rng.nextInt(3), rng.nextInt(3),
                    1 + rng.nextInt(2), 1 + rng.nextInt(2), groups);
            Conv c = new Conv(1 + rng.nextInt(5), cg * groups, h, w, og * groups, kh, kw, g);
            if (c.ho() >= 1 && c.wo() >= 1) return c;
        }
    }

    /** All three convolution kernels of one problem, fast against reference, with the given layouts. */
    static void checkConv(SplittableRandom rng, Conv p, Layout lx, Layout lw, Layout lo, String what) {
        checkConv(rng, p, lx, lw, lo, 1, what);
    }

    /** {@link #checkConv} with the error bound times {@code factor}. */
    static void checkConv(SplittableRandom rng, Conv p, Layout lx, Layout lw, Layout lo, double factor, String what) {
        Tensor x = floats(rng, lx, p.x()), w = floats(rng, lw, p.wt()), gy = floats(rng, lx, p.y());
        Tensor ax = abs(x), aw = abs(w), agy = abs(gy);
        ConvGeometry g = p.g();
        int cg = p.c() / g.groups(), og = p.o() / g.groups();
        // forward
        Tensor y = view(rng, DType.FLOAT32, lo, p.y()).t();
        B.fill(y, 7);
        FloatConv.conv2d(x, w, g, y);
        Tensor ref = empty(DType.FLOAT64, p.y()), absRef = empty(DType.FLOAT64, p.y());
        CpuConv.conv2d(x, w, g, ref);
        CpuConv.conv2d(ax, aw, g, absRef);
        assertWithinBound(B.readDoubles(ref), B.readDoubles(absRef), B.readDoubles(y), cg * p.kh() * p.kw(), factor, what + " forward");
        // input gradient
        Tensor dx = view(rng, DType.FLOAT32, lo, p.x()).t();
        B.fill(dx, 7);
        FloatConv.conv2dInputGrad(gy, w, g, dx);
        ref = empty(DType.FLOAT64, p.x());
        absRef = empty(DType.FLOAT64, p.x());
        CpuConv.conv2dInputGrad(gy, w, g, ref);
        CpuConv.conv2dInputGrad(agy, aw, g, absRef);
        assertWithinBound(B.readDoubles(ref), B.readDoubles(absRef), B.readDoubles(dx), og * p.kh() * p.kw(), factor, what + " input grad");
        // weight gradient
        Tensor dw = view(rng, DType.FLOAT32, lo, p.wt()).t();
        B.fill(dw, 7);
        FloatConv.conv2dWeightGrad(x, gy, g, dw);
        ref = empty(DType.FLOAT64, p.wt());
        absRef = empty(DType.FLOAT64, p.wt());
        CpuConv.conv2dWeightGrad(x, gy, g, ref);
        CpuConv.conv2dWeightGrad(ax, agy, g, absRef);
        assertWithinBound(B.readDoubles(ref), B.readDoubles(absRef), B.readDoubles(dw), p.n() * p.ho() * p.wo(), factor, what + " weight grad");
    }

    @ParameterizedTest
    @ValueSource(strings = {"simd", "scalar"})
    void convolutionsOnRandomGeometries(String kernel) {
        assumeTrue(useKernel(kernel), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(53);
        for (int trial = 0; trial < 60; trial++) {
            Conv p = randomConv(rng);
            Layout lx = Layout.values()[trial % 3], lw = Layout.values()[(trial / 3) % 3];
            Layout lo = trial % 5 == 0 ? Layout.REVERSED_AXES : Layout.CONTIGUOUS;
            checkConv(rng, p, lx, lw, lo, kernel + " " + p);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"simd", "scalar"})
    void convolutionsOnThreadedAndChunkedPaths(String kernel) {
        assumeTrue(useKernel(kernel), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(54);
        CpuParallel.setThreads(3);
        Conv[] cases = {
                // "same" 5x5 convolutions (the single-run im2col), one and several images per chunk
                new Conv(3, 4, 14, 14, 8, 5, 5, ConvGeometry.of(1, 2)),
                new Conv(2, 1, 28, 28, 8, 5, 5, ConvGeometry.of(1, 2)),
                // tiny outputs: many images per chunk, chunks in parallel
                new Conv(41, 6, 5, 5, 7, 3, 3, ConvGeometry.of(1, 0)),
                // one image large enough to split the GEMM's columns (im2col windows)
                new Conv(1, 16, 20, 20, 32, 3, 3, ConvGeometry.of(1, 1)),
                // strided, dilated, grouped
                new Conv(5, 6, 17, 15, 9, 4, 3, new ConvGeometry(2, 3, 1, 2, 2, 1, 3)),
                // pointwise (x used as the column matrix) and a deep k that spans k blocks
                new Conv(3, 40, 6, 7, 24, 1, 1, ConvGeometry.of(1, 0)),
                new Conv(2, 64, 5, 5, 16, 3, 3, ConvGeometry.of(1, 1)),
                // weight gradient split by rows (few columns) and by columns (many); few taps: split over images
                new Conv(9, 1, 12, 12, 40, 3, 3, ConvGeometry.of(1, 1)),
                new Conv(20, 3, 9, 9, 16, 3, 3, ConvGeometry.of(2, 1)),
        };
        for (Conv p : cases) checkConv(rng, p, Layout.CONTIGUOUS, Layout.CONTIGUOUS, Layout.CONTIGUOUS, kernel + " " + p);
        checkConv(rng, cases[0], Layout.SLICED, Layout.REVERSED_AXES, Layout.REVERSED_AXES, kernel + " strided " + cases[0]);
    }

    @Test
    void stride1InputGradientsAsTransposedConvolutions() {
        // input channels per group >= 8 take the flipped-kernel forward path; pads beyond dil*(k-1) fall back
        SplittableRandom rng = new SplittableRandom(62);
        for (int trial = 0; trial < 24; trial++) {
            int groups = 1 + rng.nextInt(2), kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4);
            int dh = 1 + rng.nextInt(2), dw = 1 + rng.nextInt(2);
            int ph = rng.nextInt(dh * (kh - 1) + 2), pw = rng.nextInt(dw * (kw - 1) + 2);
            ConvGeometry g = new ConvGeometry(1, 1, ph, pw, dh, dw, groups);
            int h = dh * (kh - 1) + 1 + rng.nextInt(8), w = dw * (kw - 1) + 1 + rng.nextInt(8);
            Conv p = new Conv(1 + rng.nextInt(4), groups * (8 + rng.nextInt(5)), h, w, groups * (1 + rng.nextInt(6)), kh, kw, g);
            checkConv(rng, p, Layout.values()[trial % 3], Layout.CONTIGUOUS, Layout.CONTIGUOUS, "transposed " + p);
        }
    }

    @Test
    void convolutionResultsDoNotDependOnTheThreadCount() {
        SplittableRandom rng = new SplittableRandom(55);
        // the second: a first layer (one channel, 25 taps) whose weight gradient is split over groups of images
        for (Conv p : new Conv[] {new Conv(6, 8, 10, 10, 16, 3, 3, ConvGeometry.of(1, 1)), new Conv(12, 1, 28, 28, 32, 5, 5, ConvGeometry.of(1, 2))}) {
            Tensor x = floats(rng, Layout.CONTIGUOUS, p.x()), w = floats(rng, Layout.CONTIGUOUS, p.wt()), gy = floats(rng, Layout.CONTIGUOUS, p.y());
            double[][] first = null;
            for (int threads : new int[] {1, 2, 4}) {
                CpuParallel.setThreads(threads);
                Tensor y = empty(DType.FLOAT32, p.y()), dx = empty(DType.FLOAT32, p.x()), dw = empty(DType.FLOAT32, p.wt());
                FloatConv.conv2d(x, w, p.g(), y);
                FloatConv.conv2dInputGrad(gy, w, p.g(), dx);
                FloatConv.conv2dWeightGrad(x, gy, p.g(), dw);
                double[][] r = {B.readDoubles(y), B.readDoubles(dx), B.readDoubles(dw)};
                if (first == null) first = r;
                else for (int i = 0; i < 3; i++) assertArrayEquals(first[i], r[i], p + ": kernel " + i + " with " + threads + " threads");
            }
        }
    }

    // ------------------------------------------------------------------ elementwise

    /** Values that exercise the special cases: signed zeros, infinities, NaN, ties, tiny and large values. */
    static Tensor specials(SplittableRandom rng, Layout layout, int... shape) {
        Tensor t = floats(rng, layout, shape);
        float[] raw = ((CpuStorage) t.storage()).floats();
        float[] special = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 25f, -25f, 1e-30f, 0.5f};
        for (int i = 0; i < raw.length; i++) if (rng.nextInt(4) == 0) raw[i] = special[rng.nextInt(special.length)];
        return t;
    }

    @Test
    void unaryKernelsEqualTheReferenceBitForBit() {
        SplittableRandom rng = new SplittableRandom(56);
        for (UnaryKernel k : UnaryKernel.values()) {
            for (Layout layout : Layout.values()) {
                for (int[] shape : new int[][] {{3, 5, 7}, {1}, {70000}}) {
                    if (shape[0] == 70000 && layout != Layout.CONTIGUOUS) continue;
                    Tensor x = specials(rng, layout, shape);
                    Tensor fast = empty(DType.FLOAT32, shape), ref = empty(DType.FLOAT32, shape);
                    FloatElementwise.unary(k, 0.37, x, fast);
                    CpuElementwise.unary(k, 0.37, x, ref);
                    assertSameBits(B.readDoubles(ref), B.readDoubles(fast), k + " " + layout + " " + Shape.str(shape));
                }
            }
        }
    }

    @Test
    void binaryKernelsEqualTheReferenceBitForBit() {
        SplittableRandom rng = new SplittableRandom(57);
        CpuParallel.setThreads(2);
        int[][][] cases = {
                {{4, 6, 5}, {4, 6, 5}},        // same shape
                {{4, 6, 5}, {1}},              // scalar
                {{1}, {4, 6, 5}},              // scalar first
                {{3, 8, 5, 5}, {1, 8, 1, 1}},  // channel bias
                {{7, 9}, {9}},                 // row broadcast
                {{7, 1}, {1, 9}},              // outer
                {{300, 257}, {300, 257}},      // large: split over threads by rows
                {{90000}, {1}},                // one long run split over threads
        };
        for (BinaryKernel k : BinaryKernel.values()) {
            for (int[][] c : cases) {
                for (Layout layout : new Layout[] {Layout.CONTIGUOUS, Layout.SLICED}) {
                    if (c[0][0] >= 300 && layout != Layout.CONTIGUOUS) continue;
                    Tensor a = specials(rng, layout, c[0]), b = specials(rng, Layout.CONTIGUOUS, c[1]);
                    int[] shape = Shape.broadcast("test", c[0], c[1]);
                    Tensor fast = empty(DType.FLOAT32, shape), ref = empty(DType.FLOAT32, shape);
                    FloatElementwise.binary(k, a, b, fast);
                    CpuElementwise.binary(k, a, b, ref);
                    assertSameBits(B.readDoubles(ref), B.readDoubles(fast), k + " " + layout + " " + Shape.str(c[0]) + " with " + Shape.str(c[1]));
                }
            }
        }
    }

    @Test
    void whereAndFillEqualTheReference() {
        SplittableRandom rng = new SplittableRandom(58);
        Tensor cond = view(rng, DType.FLOAT32, Layout.SLICED, 4, 1, 6).t();
        Tensor a = specials(rng, Layout.REVERSED_AXES, 4, 5, 6), b = specials(rng, Layout.CONTIGUOUS, 1);
        Tensor fast = empty(DType.FLOAT32, 4, 5, 6), ref = empty(DType.FLOAT32, 4, 5, 6);
        FloatElementwise.where(cond, a, b, fast);
        CpuElementwise.where(cond, a, b, ref);
        assertSameBits(B.readDoubles(ref), B.readDoubles(fast), "where");
        Tensor f = view(rng, DType.FLOAT32, Layout.SLICED, 5, 70).t(), r = view(rng, DType.FLOAT32, Layout.SLICED, 5, 70).t();
        FloatElementwise.fill(f, 0.1);
        CpuElementwise.fill(r, 0.1);
        assertSameBits(logical(r), logical(f), "fill");
    }

    // ------------------------------------------------------------------ reductions, pooling, indexing

    @Test
    void reductionsMatchTheReference() {
        SplittableRandom rng = new SplittableRandom(59);
        int[] shape = {5, 6, 7, 9};
        for (ReduceKernel k : ReduceKernel.values()) {
            for (Layout layout : Layout.values()) {
                for (int mask = 1; mask < 16; mask++) {
                    Tensor x = specials(rng, layout, shape);
                    if (k == ReduceKernel.SUM) x = floats(rng, layout, shape); // NaN and infinities tested below
                    boolean[] axes = new boolean[4];
                    int[] keep = shape.clone();
                    for (int d = 0; d < 4; d++) if ((mask >> d & 1) == 1) { axes[d] = true; keep[d] = 1; }
                    Tensor fast = empty(DType.FLOAT32, keep), ref = empty(DType.FLOAT32, keep);
                    FloatReduce.reduce(k, x, axes, fast);
                    CpuReduce.reduce(k, x, axes, ref);
                    double[] e = B.readDoubles(ref), g = B.readDoubles(fast);
                    String what = k + " " + layout + " axes " + java.util.Arrays.toString(axes);
                    if (k != ReduceKernel.SUM) {
                        assertSameBits(e, g, what);
                    } else {
                        Tensor absRef = empty(DType.FLOAT64, keep);
                        CpuReduce.reduce(k, abs(x), axes, absRef);
                        double[] ar = B.readDoubles(absRef);
                        for (int i = 0; i < e.length; i++) assertEquals(e[i], g[i], Math.ulp((float) ar[i]), what + " at " + i);
                    }
                }
            }
        }
        // NaN and infinities in sums
        Tensor x = tensorOf(new float[] {1f, Float.NaN, 2f, Float.POSITIVE_INFINITY, 1f, 2f}, 2, 3);
        Tensor out = empty(DType.FLOAT32, 2, 1);
        FloatReduce.reduce(ReduceKernel.SUM, x, new boolean[] {false, true}, out);
        assertTrue(Float.isNaN(B.readFloats(out)[0]));
        assertEquals(Float.POSITIVE_INFINITY, B.readFloats(out)[1]);
    }

    static Tensor tensorOf(float[] v, int... shape) {
        return Tensor.fromStorage(B.upload(v), shape, Shape.contiguousStrides(shape), 0);
    }

    @Test
    void maxPoolSwitchesEqualTheReference() {
        SplittableRandom rng = new SplittableRandom(60);
        CpuParallel.setThreads(2);
        PoolGeometry[] geos = {PoolGeometry.of(2, 2, 0), PoolGeometry.of(2, 1, 0), new PoolGeometry(3, 2, 2, 3, 0, 0, 1, 1), PoolGeometry.of(3, 2, 1), PoolGeometry.of(3, 1, 0),
                new PoolGeometry(2, 3, 1, 2, 1, 1, 2, 1), PoolGeometry.of(1, 1, 0)};
        for (PoolGeometry g : geos) {
            for (Layout layout : Layout.values()) {
                int[] shape = {3, 4, 9, 11};
                Tensor x = specials(rng, layout, shape);
                // ties: quantize some planes
                float[] raw = ((CpuStorage) x.storage()).floats();
                for (int i = 0; i < raw.length / 2; i++) raw[i] = Math.round(raw[i] * 2) / 2f;
                int[] os = {3, 4, g.outH(9), g.outW(11)};
                Tensor fast = empty(DType.INT32, os), ref = empty(DType.INT32, os);
                FloatPool.maxPool2dIndices(x, g, fast);
                CpuPool.maxPool2dIndices(x, g, ref);
                assertArrayEquals(B.readInts(ref), B.readInts(fast), g + " " + layout);
            }
        }
        // large enough for the parallel path
        Tensor x = floats(rng, Layout.CONTIGUOUS, 8, 16, 28, 28);
        Tensor fast = empty(DType.INT32, 8, 16, 14, 14), ref = empty(DType.INT32, 8, 16, 14, 14);
        FloatPool.maxPool2dIndices(x, PoolGeometry.of(2, 2, 0), fast);
        CpuPool.maxPool2dIndices(x, PoolGeometry.of(2, 2, 0), ref);
        assertArrayEquals(B.readInts(ref), B.readInts(fast));
    }

    @Test
    void gatherAndScatterAddEqualTheReference() {
        SplittableRandom rng = new SplittableRandom(61);
        for (Layout layout : Layout.values()) {
            for (int axis = 0; axis < 3; axis++) {
                int[] xs = {4, 5, 6};
                int[] is = {3, 4, 5};
                Tensor x = floats(rng, layout, xs);
                int[] idx = new int[Shape.numel(is)];
                for (int i = 0; i < idx.length; i++) idx[i] = rng.nextInt(xs[axis]);
                Tensor index = ints(idx, is);
                Tensor fast = empty(DType.FLOAT32, is), ref = empty(DType.FLOAT32, is);
                FloatIndexing.gather(x, axis, index, fast);
                CpuIndexing.gather(x, axis, index, ref);
                assertSameBits(B.readDoubles(ref), B.readDoubles(fast), "gather axis " + axis + " " + layout);
                Tensor src = floats(rng, layout, is);
                Tensor fastOut = floats(rng, Layout.CONTIGUOUS, xs);
                Tensor refOut = empty(DType.FLOAT32, xs);
                CpuElementwise.copy(fastOut, refOut);
                FloatIndexing.scatterAdd(src, axis, index, fastOut);
                CpuIndexing.scatterAdd(src, axis, index, refOut);
                assertSameBits(B.readDoubles(refOut), B.readDoubles(fastOut), "scatterAdd axis " + axis + " " + layout);
            }
        }
        Tensor x = floats(rng, Layout.CONTIGUOUS, 2, 3);
        Tensor bad = ints(new int[] {0, 1, 3, 0, 0, 0}, 2, 3);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> FloatIndexing.gather(x, 1, bad, empty(DType.FLOAT32, 2, 3)));
        assertEquals("element 2 (row-major) = 3 is out of range [0, 3)", e.getMessage());
        e = assertThrows(IndexOutOfBoundsException.class, () -> FloatIndexing.scatterAdd(x, 1, bad, empty(DType.FLOAT32, 2, 3)));
        assertEquals("element 2 (row-major) = 3 is out of range [0, 3)", e.getMessage());
    }

    @Test
    void gatherAndScatterAddAlongTheLastAxisInParallelRows() {
        // max pooling's shape: one row of switches per image and channel, repeated indices within a row
        SplittableRandom rng = new SplittableRandom(63);
        CpuParallel.setThreads(2);
        int[] xs = {16, 64, 100}, is = {16, 64, 80}; // 81,920 indices: above the parallel threshold
        Tensor x = floats(rng, Layout.CONTIGUOUS, xs);
        int[] idx = new int[Shape.numel(is)];
        for (int i = 0; i < idx.length; i++) idx[i] = rng.nextInt(10) * 10 + rng.nextInt(2);
        Tensor index = ints(idx, is);
        Tensor fast = empty(DType.FLOAT32, is), ref = empty(DType.FLOAT32, is);
        FloatIndexing.gather(x, 2, index, fast);
        CpuIndexing.gather(x, 2, index, ref);
        assertSameBits(B.readDoubles(ref), B.readDoubles(fast), "gather");
        Tensor src = floats(rng, Layout.CONTIGUOUS, is);
        Tensor fastOut = floats(rng, Layout.CONTIGUOUS, xs), refOut = empty(DType.FLOAT32, xs);
        CpuElementwise.copy(fastOut, refOut);
        FloatIndexing.scatterAdd(src, 2, index, fastOut);
        CpuIndexing.scatterAdd(src, 2, index, refOut);
        assertSameBits(B.readDoubles(refOut), B.readDoubles(fastOut), "scatterAdd");
        // a bad index deep in the tensor is reported as the serial walk reports it
        idx[5000] = 100;
        Tensor bad = ints(idx, is);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> FloatIndexing.gather(x, 2, bad, empty(DType.FLOAT32, is)));
        assertEquals("element 5000 (row-major) = 100 is out of range [0, 100)", e.getMessage());
        e = assertThrows(IndexOutOfBoundsException.class, () -> FloatIndexing.scatterAdd(src, 2, bad, empty(DType.FLOAT32, xs)));
        assertEquals("element 5000 (row-major) = 100 is out of range [0, 100)", e.getMessage());
    }
}

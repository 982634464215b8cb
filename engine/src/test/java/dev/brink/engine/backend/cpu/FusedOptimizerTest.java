package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.OptimizerKernel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused SGD and Adam updates equal, bit for bit, the same updates composed from tensor ops in the optimizers'
 * order (which the PyTorch optimizer vectors pin), over several steps, in float32 and float64, on sizes that run
 * on one thread and on several.
 */
class FusedOptimizerTest {
    private static final int[][] SHAPES = {{7, 5}, {300, 240}};

    /** The composed SGD of {@code dev.brink.nn.optim.Sgd}; returns the new momentum buffer. */
    private static Tensor composedSgd(double[] h, Tensor param, Tensor grad, Tensor buf) {
        double lr = h[0], momentum = h[1], dampening = h[2], wd = h[4];
        Tensor d = grad;
        if (wd != 0) d = d.add(param.mul(wd));
        if (momentum != 0) {
            buf = buf == null ? d.zerosLike().add(d) : buf.mul(momentum).add(d.mul(1 - dampening));
            d = h[3] != 0 ? d.add(buf.mul(momentum)) : buf;
        }
        param.assign(param.add(d.mul(-lr)));
        return buf;
    }

    /** The composed Adam of {@code dev.brink.nn.optim.Adam}; returns {m, v}. */
    private static Tensor[] composedAdam(double[] h, Tensor param, Tensor grad, Tensor m, Tensor v) {
        double lr = h[0], beta1 = h[1], beta2 = h[2], eps = h[3], wd = h[4];
        Tensor p = param, g = grad;
        if (h[5] != 0) p = p.mul(1 - lr * wd);
        else if (wd != 0) g = g.add(p.mul(wd));
        m = m.mul(beta1).add(g.mul(1 - beta1));
        v = v.mul(beta2).add(g.mul(1 - beta2).mul(g));
        Tensor denom = v.sqrt().div(Math.sqrt(h[7])).add(eps);
        param.assign(p.add(m.mul(-lr / h[6]).div(denom)));
        return new Tensor[] {m, v};
    }

    private static void assertSame(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), 0.0, what);
    }

    @Test
    void sgdEqualsTheComposedUpdate() {
        double[][] settings = {{0.1, 0, 0, 0, 0}, {0.05, 0.9, 0, 0, 0}, {0.05, 0.9, 0.1, 1, 5e-4}, {0.2, 0.8, 0.25, 0, 1e-2}};
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64})
            for (int[] shape : SHAPES)
                for (double[] s : settings) {
                    Generator gen = new Generator(11);
                    Tensor pf = Tensor.randn(gen, t, shape), pc = pf.zerosLike().add(pf);
                    Tensor bf = null, bc = null;
                    for (int step = 0; step < 3; step++) {
                        Tensor g = Tensor.randn(gen, t, shape);
                        boolean first = s[1] != 0 && bf == null;
                        if (first) bf = pf.zerosLike();
                        double[] h = {s[0], s[1], s[2], s[3], s[4], first ? 1 : 0};
                        assertTrue(FusedOptimizer.step(OptimizerKernel.SGD, h, pf, g, bf, null));
                        bc = composedSgd(h, pc, g, bc);
                        String what = t + " " + java.util.Arrays.toString(shape) + " " + java.util.Arrays.toString(s) + " step " + step;
                        assertSame(pc, pf, "param, " + what);
                        if (bc != null) assertSame(bc, bf, "momentum buffer, " + what);
                    }
                }
    }

    @Test
    void adamEqualsTheComposedUpdate() {
        double[][] settings = {{1e-3, 0.9, 0.999, 1e-8, 0, 0}, {0.02, 0.8, 0.95, 1e-6, 0.1, 0}, {3e-4, 0.9, 0.999, 1e-8, 1e-2, 1}};
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64})
            for (int[] shape : SHAPES)
                for (double[] s : settings) {
                    Generator gen = new Generator(5);
                    Tensor pf = Tensor.randn(gen, t, shape), pc = pf.zerosLike().add(pf);
                    Tensor mf = pf.zerosLike(), vf = pf.zerosLike(), mc = pf.zerosLike(), vc = pf.zerosLike();
                    for (int step = 1; step <= 3; step++) {
                        // a transposed view: the gradient may come in any layout
                        Tensor g = Tensor.randn(gen, t, shape[1], shape[0]).transpose(0, 1);
                        double[] h = {s[0], s[1], s[2], s[3], s[4], s[5], 1 - Math.pow(s[1], step), 1 - Math.pow(s[2], step)};
                        if (t == DType.FLOAT64) g = g.contiguous();
                        assertTrue(FusedOptimizer.step(OptimizerKernel.ADAM, h, pf, g, mf, vf));
                        Tensor[] mv = composedAdam(h, pc, g, mc, vc);
                        mc = mv[0];
                        vc = mv[1];
                        String what = t + " " + java.util.Arrays.toString(shape) + " " + java.util.Arrays.toString(s) + " step " + step;
                        assertSame(pc, pf, "param, " + what);
                        assertSame(mc, mf, "m, " + what);
                        assertSame(vc, vf, "v, " + what);
                    }
                }
    }

    @Test
    void declinesWhatItCannotUpdateInPlaceAndChangesNothing() {
        Tensor p = Tensor.randn(new Generator(1), DType.FLOAT32, 4, 3);
        Tensor view = p.transpose(0, 1);
        Tensor g = Tensor.randn(new Generator(2), DType.FLOAT32, 3, 4);
        double[] before = p.toDoubleArray();
        double[] h = {0.1, 0, 0, 0, 0, 0};
        assertFalse(FusedOptimizer.step(OptimizerKernel.SGD, h, view, g, null, null), "a non-contiguous parameter");
        assertFalse(FusedOptimizer.step(OptimizerKernel.SGD, h, p, g.to(DType.FLOAT64).reshape(4, 3), null, null), "mixed dtypes");
        assertFalse(FusedOptimizer.step(OptimizerKernel.ADAM, new double[8], p, g.reshape(4, 3), null, null), "Adam without state");
        assertArrayEquals(before, p.toDoubleArray(), 0.0);
    }

    @Test
    void simdLoopsAreLoadedWithTheVectorModule() {
        if (VectorSupport.moduleAvailable())
            assertTrue(FloatOptimizerLoops.select(true).describe().startsWith("Vector API"), FloatOptimizerLoops.select(true).describe());
        assertEquals("scalar", FloatOptimizerLoops.select(false).describe());
    }

    @Test
    void simdLoopsEqualTheScalarLoopsBitForBit() {
        FloatOptimizerLoops scalar = FloatOptimizerLoops.select(false), simd = FloatOptimizerLoops.select(true);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        double[][] sgd = {{0.1, 0, 0, 0, 0, 0}, {0.05, 0.9, 0, 0, 0, 1}, {0.05, 0.9, 0.1, 1, 5e-4, 0}, {0.2, 0.8, 0.25, 0, 1e-2, 0}};
        double[][] adam = {{1e-3, 0.9, 0.999, 1e-8, 0, 0, 0.1, 0.001}, {0.02, 0.8, 0.95, 1e-6, 0.1, 0, 0.36, 0.0975},
                {3e-4, 0.9, 0.999, 1e-8, 1e-2, 1, 0.271, 0.002997}};
        for (int n = 0; n < 70; n++) {
            int lo = rng.nextInt(3), hi = lo + n, off = rng.nextInt(4);
            for (double[] h : sgd) {
                float[][] a = arrays(rng, off + hi, 3), b = copies(a);
                scalar.sgd(FloatOptimizerLoops.Sgd.of(h), a[0], off, a[1], 0, a[2], off, lo, hi);
                simd.sgd(FloatOptimizerLoops.Sgd.of(h), b[0], off, b[1], 0, b[2], off, lo, hi);
                for (int j = 0; j < 3; j++) assertArrayEquals(a[j], b[j], "sgd " + java.util.Arrays.toString(h) + " n " + n + " array " + j);
            }
            for (double[] h : adam) {
                float[][] a = arrays(rng, off + hi, 4), b = copies(a);
                for (float[] v : new float[][] {a[3], b[3]}) for (int i = 0; i < v.length; i++) v[i] = Math.abs(v[i]) * 1e-3f;
                scalar.adam(FloatOptimizerLoops.Adam.of(h), a[0], off, a[1], 0, a[2], off, a[3], off, lo, hi);
                simd.adam(FloatOptimizerLoops.Adam.of(h), b[0], off, b[1], 0, b[2], off, b[3], off, lo, hi);
                for (int j = 0; j < 4; j++) assertArrayEquals(a[j], b[j], "adam " + java.util.Arrays.toString(h) + " n " + n + " array " + j);
            }
        }
    }

    /** k arrays of {@code len} floats spread over many magnitudes, with some zeros (the square root's and division's edge). */
    private static float[][] arrays(java.util.SplittableRandom rng, int len, int k) {
        float[][] a = new float[k][len];
        for (float[] x : a)
            for (int i = 0; i < len; i++) x[i] = rng.nextInt(8) == 0 ? 0f : (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(-6, 2)));
        return a;
    }

    private static float[][] copies(float[][] a) {
        float[][] b = new float[a.length][];
        for (int i = 0; i < a.length; i++) b[i] = a[i].clone();
        return b;
    }
}

package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.OptimizerKernel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
}

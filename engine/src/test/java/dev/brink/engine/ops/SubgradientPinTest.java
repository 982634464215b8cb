package dev.brink.engine.ops;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.PoolGeometry;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exact gradients at kinks and ties, where finite differences do not apply: the subgradients the engine promises
 * (relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = slope, maximum/minimum ties split 1/2 : 1/2, clamp passes the
 * gradient at its bounds, amax/amin ties share equally, max pooling ties go to the first position) and the L2
 * norm's gradient at a zero row (0, not NaN).
 */
class SubgradientPinTest {
    private static Tensor vec(double... v) {
        return Tensor.of(v, v.length);
    }

    private static Tensor var(double[] v, int... shape) {
        return Tensor.of(v, shape).requiresGrad(true);
    }

    /** Gradient of sum(f(x)) at x. */
    private static double[] grad(Function<Tensor, Tensor> f, Tensor x) {
        return Derivatives.grad(t -> f.apply(t).sum(), x, false).toDoubleArray();
    }

    private static double[][] grads(Tensor out, Tensor... inputs) {
        Tensor[] g = Autograd.grad(out.sum(), inputs);
        double[][] r = new double[g.length][];
        for (int i = 0; i < g.length; i++) r[i] = g[i].toDoubleArray();
        return r;
    }

    @Test
    void reluAtZero() {
        assertArrayEquals(new double[] {0, 0, 1}, grad(Tensor::relu, vec(-1, 0, 2)), 0.0);
    }

    @Test
    void absAtZero() {
        assertArrayEquals(new double[] {-1, 0, 1}, grad(Tensor::abs, vec(-1, 0, 2)), 0.0);
    }

    @Test
    void signHasZeroGradientEverywhere() {
        assertArrayEquals(new double[] {0, 0, 0}, grad(Tensor::sign, vec(-1, 0, 2)), 0.0);
        Tensor hv = Derivatives.hvp(t -> t.sign().sum(), vec(-1, 0, 2), vec(1, 1, 1));
        assertArrayEquals(new double[] {0, 0, 0}, hv.toDoubleArray(), 0.0);
    }

    @Test
    void leakyReluAtZeroTakesTheSlope() {
        assertArrayEquals(new double[] {0.1, 0.1, 1}, grad(t -> t.leakyRelu(0.1), vec(-1, 0, 2)), 0.0);
    }

    @Test
    void maximumAndMinimumSplitTies() {
        Tensor a = var(new double[] {1, 2, 3}, 3), b = var(new double[] {1, 5, 3}, 3);
        double[][] g = grads(a.maximum(b), a, b);
        assertArrayEquals(new double[] {0.5, 0, 0.5}, g[0], 0.0);
        assertArrayEquals(new double[] {0.5, 1, 0.5}, g[1], 0.0);
        a = var(new double[] {1, 2, 3}, 3);
        b = var(new double[] {1, 5, 3}, 3);
        g = grads(a.minimum(b), a, b);
        assertArrayEquals(new double[] {0.5, 1, 0.5}, g[0], 0.0);
        assertArrayEquals(new double[] {0.5, 0, 0.5}, g[1], 0.0);
    }

    @Test
    void maximumTieWithABroadcastScalar() {
        Tensor a = var(new double[] {2, 1, 2, 3}, 2, 2), s = var(new double[] {2}, new int[0]);
        double[][] g = grads(a.maximum(s), a, s);
        assertArrayEquals(new double[] {0.5, 0, 0.5, 1}, g[0], 0.0);
        assertArrayEquals(new double[] {2.0}, g[1], 0.0); // 0.5 + 1 + 0.5 + 0, summed over the broadcast
    }

    @Test
    void maximumOfATensorWithItselfHasGradientOne() {
        assertArrayEquals(new double[] {1, 1}, grad(t -> t.maximum(t), vec(-1, 2)), 0.0);
        assertArrayEquals(new double[] {1, 1}, grad(t -> t.minimum(t), vec(-1, 2)), 0.0);
    }

    @Test
    void clampPassesTheGradientAtItsBounds() {
        assertArrayEquals(new double[] {0, 1, 1, 1, 0}, grad(t -> t.clamp(-0.5, 0.5), vec(-1, -0.5, 0, 0.5, 1)), 0.0);
        // tensor bounds: x equal to min or max stays on the x branch, min and max get nothing there
        Tensor x = var(new double[] {0, 1, 2, -1, 3}, 5);
        Tensor lo = var(new double[] {0, 0, 0, 0, 0}, 5), hi = var(new double[] {2, 2, 2, 2, 2}, 5);
        double[][] g = grads(x.clamp(lo, hi), x, lo, hi);
        assertArrayEquals(new double[] {1, 1, 1, 0, 0}, g[0], 0.0);
        assertArrayEquals(new double[] {0, 0, 0, 1, 0}, g[1], 0.0);
        assertArrayEquals(new double[] {0, 0, 0, 0, 1}, g[2], 0.0);
    }

    @Test
    void amaxAndAminTiesShareEqually() {
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0}, grad(Tensor::amax, vec(1, 3, 3, 2)), 0.0);
        assertArrayEquals(new double[] {0.5, 0, 0, 0.5}, grad(Tensor::amin, vec(1, 3, 3, 1)), 0.0);
        double third = 1.0 / 3;
        Tensor m = Tensor.of(new double[] {1, 3, 3, 2, 2, 2}, 2, 3);
        assertArrayEquals(new double[] {0, 0.5, 0.5, third, third, third}, grad(t -> t.amax(new int[] {1}, false), m), 1e-15);
        assertArrayEquals(new double[] {1, 0, 0, third, third, third}, grad(t -> t.amin(new int[] {1}, true), m), 1e-15);
        // over several axes: three tied maxima among six elements
        Tensor c = Tensor.of(new double[] {5, 1, 5, 0, 5, 2}, 1, 2, 3);
        assertArrayEquals(new double[] {third, 0, third, 0, third, 0}, grad(t -> t.amax(new int[] {1, 2}, false), c), 1e-15);
    }

    @Test
    void linfNormTiesOfMagnitudeShare() {
        // |-2| = |2|: the gradient sign(x) * 1/2 goes to both
        assertArrayEquals(new double[] {-0.5, 0.5, 0}, grad(F::linfNorm, Tensor.of(new double[] {-2, 2, 1}, 1, 3)), 0.0);
    }

    @Test
    void maxPoolTiesGoToTheFirstPosition() {
        Tensor x = Tensor.of(new double[] {1, 1, 1, 1}, 1, 1, 2, 2);
        assertArrayEquals(new double[] {1, 0, 0, 0}, grad(t -> F.maxPool2d(t, PoolGeometry.of(2, 2, 0)), x), 0.0);
    }

    @Test
    void l2NormGradientIsZeroAtAZeroRow() {
        Tensor x = Tensor.of(new double[] {0, 0, 0, 3, 4, 0}, 2, 3);
        double[] g = grad(F::l2Norm, x);
        for (double d : g) assertTrue(Double.isFinite(d), "l2_norm gradient must be finite at a zero row: " + java.util.Arrays.toString(g));
        assertArrayEquals(new double[] {0, 0, 0, 0.6, 0.8, 0}, g, 1e-15);
        // second order: Hessian-vector product, 0 on the zero row, (v - x (x.v) / |x|^2) / |x| on the other
        double[] hv = Derivatives.hvp(t -> F.l2Norm(t).sum(), x, Tensor.of(new double[] {1, 1, 1, 1, 1, 1}, 2, 3)).toDoubleArray();
        for (double d : hv) assertTrue(Double.isFinite(d), "l2_norm Hessian-vector product must be finite at a zero row: " + java.util.Arrays.toString(hv));
        assertArrayEquals(new double[] {0, 0, 0, (1 - 3 * 7.0 / 25) / 5, (1 - 4 * 7.0 / 25) / 5, 0.2}, hv, 1e-15);
        // an all-zero batch
        assertArrayEquals(new double[] {0, 0, 0, 0}, grad(F::l2Norm, Tensor.zeros(DType.FLOAT64, 2, 2)), 0.0);
    }

    @Test
    void reluSecondDerivativeIsZero() {
        Tensor hv = Derivatives.hvp(t -> t.relu().sum(), vec(-1, 0, 2), vec(1, 1, 1));
        assertArrayEquals(new double[] {0, 0, 0}, hv.toDoubleArray(), 0.0);
        assertEquals(3, hv.numel());
    }
}

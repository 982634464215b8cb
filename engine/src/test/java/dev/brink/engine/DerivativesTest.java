package dev.brink.engine;

import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** vjp, hvp, jacobianRows and hessian against closed forms, finite differences and each other. */
class DerivativesTest {
    private final Generator gen = new Generator(42);

    @Test
    void hessianOfAQuadraticIsItsSymmetrizedMatrix() {
        double[] a = {2, 1, 0, -1, 3, 0.5, 0.25, 0, 4};
        Tensor A = Tensor.of(a, 3, 3);
        Function<Tensor, Tensor> f = x -> x.reshape(1, 3).matmul(A).matmul(x.reshape(3, 1)).sum().mul(0.5);
        Tensor h = Derivatives.hessian(f, Tensor.of(new double[] {0.3, -1, 2}, 3));
        double[] hv = h.toDoubleArray();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) assertEquals(0.5 * (a[i * 3 + j] + a[j * 3 + i]), hv[i * 3 + j], 1e-12);
    }

    @Test
    void sampleHessiansOfAPerSampleQuadraticAreItsSymmetrizedMatrix() {
        // f(x) = sum_n (1/2 x_n^T A x_n + b^T x_n) over a batch [2, 2, 2] (4 elements per sample): every block is (A + A^T) / 2
        double[] a = {2, 1, 0, -1, 3, 0.5, 0.25, 0, 4, -2, 1, 0.5, 0, 0.75, -1, 5};
        Tensor A = Tensor.of(a, 4, 4);
        Tensor b = Tensor.of(new double[] {1, -2, 0.5, 3}, 4, 1);
        Function<Tensor, Tensor> f = x -> {
            Tensor flat = x.reshape(x.size(0), 4);
            return flat.matmul(A).mul(flat).sum().mul(0.5).add(flat.matmul(b).sum());
        };
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 2, 2, 2);
        Tensor h = Derivatives.sampleHessians(f, x);
        assertArrayEquals(new int[] {2, 4, 4}, h.shape());
        double[] hv = h.toDoubleArray();
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    assertEquals(0.5 * (a[i * 4 + j] + a[j * 4 + i]), hv[n * 16 + i * 4 + j], 1e-12, "block " + n + " [" + i + ", " + j + "]");
    }

    @Test
    void sampleHessiansAreTheDiagonalBlocksOfTheFullHessian() {
        Tensor w = Tensor.randn(gen, DType.FLOAT64, 3, 2);
        Function<Tensor, Tensor> f = x -> x.reshape(x.size(0), 3).matmul(w).tanh().square().sum().mul(0.5);
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 2, 3);
        double[] blocks = Derivatives.sampleHessians(f, x).toDoubleArray();
        double[] full = Derivatives.hessian(f, x).reshape(6, 6).toDoubleArray();
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) assertEquals(full[(n * 3 + i) * 6 + n * 3 + j], blocks[n * 9 + i * 3 + j], 1e-12);
        assertTrue(Math.abs(full[0]) > 1e-3, "the test needs a non-trivial Hessian");
        assertThrows(IllegalArgumentException.class, () -> Derivatives.sampleHessians(t -> t.sum(), Tensor.zeros(DType.FLOAT64, 1, 4097)));
    }

    @Test
    void hvpMatchesHessianTimesVectorAndFiniteDifferences() {
        Tensor w = Tensor.randn(gen, DType.FLOAT64, 4, 3);
        Function<Tensor, Tensor> f = x -> x.matmul(w).tanh().softplus().sum();
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 2, 4);
        Tensor v = Tensor.randn(gen, DType.FLOAT64, 2, 4);
        Tensor hv = Derivatives.hvp(f, x, v);
        Tensor h = Derivatives.hessian(f, x).reshape(8, 8);
        Tensor expected = h.matmul(v.reshape(8, 1)).reshape(2, 4);
        assertArrayEquals(expected.toDoubleArray(), hv.toDoubleArray(), 1e-10);
        double eps = 1e-5;
        Tensor gp = Derivatives.grad(f, x.add(v.mul(eps)), false);
        Tensor gm = Derivatives.grad(f, x.sub(v.mul(eps)), false);
        assertArrayEquals(gp.sub(gm).div(2 * eps).toDoubleArray(), hv.toDoubleArray(), 1e-7);
    }

    @Test
    void hvpOfALinearFunctionIsZero() {
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 3);
        Tensor hv = Derivatives.hvp(t -> t.mul(2.0).sum(), x, x.onesLike());
        assertArrayEquals(new double[3], hv.toDoubleArray(), 0);
    }

    @Test
    void vjpEqualsTransposedJacobianProduct() {
        Tensor m = Tensor.randn(gen, DType.FLOAT64, 3, 5);
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 2, 3);
        Tensor v = Tensor.randn(gen, DType.FLOAT64, 2, 5);
        Tensor got = Derivatives.vjp(t -> t.matmul(m), x, v, false);
        assertArrayEquals(v.matmul(m.transpose(0, 1)).toDoubleArray(), got.toDoubleArray(), 1e-12);
    }

    @Test
    void jacobianRowsEqualSeparateBackwardPasses() {
        Tensor w1 = Tensor.randn(gen, DType.FLOAT64, 6, 5);
        Tensor w2 = Tensor.randn(gen, DType.FLOAT64, 5, 4);
        Function<Tensor, Tensor> f = x -> x.reshape(x.size(0), 6).matmul(w1).tanh().matmul(w2);
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 3, 2, 3);
        Tensor rows = Derivatives.jacobianRows(f, x, false);
        assertArrayEquals(new int[] {4, 3, 2, 3}, rows.shape());
        for (int k = 0; k < 4; k++) {
            int c = k;
            Tensor xk = x.detach().requiresGrad(true);
            Tensor zk = f.apply(xk).slice(1, c, c + 1).sum();
            Tensor expected = Autograd.grad(zk, xk)[0];
            assertArrayEquals(expected.toDoubleArray(), rows.slice(0, k, k + 1).reshape(3, 2, 3).toDoubleArray(), 1e-12);
        }
    }

    @Test
    void jacobianRowsOfALinearModelAreItsWeightRows() {
        Tensor w = Tensor.randn(gen, DType.FLOAT64, 3, 4); // logits = x w^T
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 5, 4);
        Tensor rows = Derivatives.jacobianRows(t -> t.matmul(w.transpose(0, 1)), x, false);
        double[] r = rows.toDoubleArray();
        double[] wv = w.toDoubleArray();
        for (int k = 0; k < 3; k++)
            for (int n = 0; n < 5; n++)
                for (int d = 0; d < 4; d++) assertEquals(wv[k * 4 + d], r[(k * 5 + n) * 4 + d], 1e-12);
    }

    @Test
    void jacobianRowsWithCreateGraphAreDifferentiable() {
        Tensor w = Tensor.randn(gen, DType.FLOAT64, 3, 2).requiresGrad(true);
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 4, 3);
        // penalty = sum of squared Jacobian rows of tanh(x w); its gradient w.r.t. w needs the rows' graph
        Function<Tensor, Tensor> penalty = wt -> Derivatives.jacobianRows(t -> t.matmul(wt).tanh(), x, true).square().sum();
        Tensor p = penalty.apply(w);
        assertTrue(p.requiresGrad());
        dev.brink.engine.check.GradCheck.first("jacobian-row penalty", xs -> penalty.apply(xs[0]), w);
    }
}

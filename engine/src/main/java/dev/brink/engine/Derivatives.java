package dev.brink.engine;

import java.util.function.Function;

/**
 * Derivative helpers built on {@link Autograd#grad}, JAX-style: each takes the function to differentiate and the
 * point, and never disturbs {@link Tensor#grad()} or the caller's graph. Pass {@code createGraph = true} to get
 * results that are themselves differentiable (for penalties built on them). They record what they need even
 * when called inside a {@link GradMode#noGrad()} scope (e.g. from an attack's evaluation loop).
 */
public final class Derivatives {
    private Derivatives() {}

    private static Tensor variable(Tensor x) {
        return x.detach().requiresGrad(true);
    }

    /**
     * Vector-Jacobian product: {@code v^T J_f(x)}, the gradient of {@code <f(x), v>} with respect to x (same shape
     * as x); {@code v} has f(x)'s shape.
     */
    public static Tensor vjp(Function<Tensor, Tensor> f, Tensor x, Tensor v, boolean createGraph) {
        try (GradMode.Scope scope = GradMode.enableGrad()) {
            Tensor xv = createGraph && x.requiresGrad() ? x : variable(x);
            Tensor y = f.apply(xv);
            return Autograd.grad(y, xv, GradOptions.defaults().gradOutputs(v).createGraph(createGraph).allowUnused())[0];
        }
    }

    /** Gradient of a scalar function at x. */
    public static Tensor grad(Function<Tensor, Tensor> f, Tensor x, boolean createGraph) {
        try (GradMode.Scope scope = GradMode.enableGrad()) {
            Tensor xv = createGraph && x.requiresGrad() ? x : variable(x);
            return Autograd.grad(f.apply(xv), xv, GradOptions.defaults().createGraph(createGraph).allowUnused())[0];
        }
    }

    /**
     * Hessian-vector product {@code H v} of a scalar function at x, by reverse-over-reverse differentiation:
     * the gradient of {@code <grad f(x), v>}. Shape of x.
     */
    public static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        return hvp(f, x, v, false);
    }

    /** {@link #hvp} whose result stays differentiable with {@code createGraph}. */
    public static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v, boolean createGraph) {
        try (GradMode.Scope scope = GradMode.enableGrad()) {
            Tensor xv = createGraph && x.requiresGrad() ? x : variable(x);
            Tensor g = Autograd.grad(f.apply(xv), xv, GradOptions.defaults().createGraph().allowUnused())[0];
            Tensor gv = g.mul(v).sum();
            if (!gv.requiresGrad()) return xv.detach().zerosLike(); // f is linear in x: the Hessian is 0
            return Autograd.grad(gv, xv, GradOptions.defaults().createGraph(createGraph).allowUnused())[0];
        }
    }

    /**
     * Per-class Jacobian rows of a batched function {@code f: [N, ...] -> [N, K]} (logits) at x: the result has
     * shape {@code [K, N, ...]} with {@code result[k][n] = d f(x)[n, k] / d x[n]}. Samples must be independent
     * (as in eval mode; train-mode batch norm couples them), so one backward pass per class serves the whole batch:
     * K passes over one recorded forward, with no loop over samples.
     */
    public static Tensor jacobianRows(Function<Tensor, Tensor> f, Tensor x, boolean createGraph) {
        try (GradMode.Scope scope = GradMode.enableGrad()) {
            Tensor xv = createGraph && x.requiresGrad() ? x : variable(x);
            Tensor z = f.apply(xv);
            if (z.dim() != 2 || z.size(0) != x.size(0))
                throw new IllegalArgumentException("jacobianRows: f must map [N, ...] to [N, K]; got " + Shape.str(z.shape())
                        + " for input " + Shape.str(x.shape()));
            int k = z.size(1);
            Tensor[] rows = new Tensor[k];
            for (int c = 0; c < k; c++) {
                Tensor seed = z.detach().zerosLike();
                seed.slice(1, c, c + 1).assign(seed.scalarLike(1.0));
                rows[c] = Autograd.grad(z, xv, GradOptions.defaults().gradOutputs(seed).retainGraph(c < k - 1).createGraph(createGraph).allowUnused())[0];
            }
            return Tensor.stack(0, rows);
        }
    }

    /**
     * Full Hessian of a scalar function of a small x: shape {@code x.shape ++ x.shape}, built from one
     * Hessian-vector product per basis vector over one recorded gradient.
     */
    public static Tensor hessian(Function<Tensor, Tensor> f, Tensor x) {
        try (GradMode.Scope scope = GradMode.enableGrad()) {
            Tensor xv = variable(x);
            int n = x.numel();
            if (n > 4096) throw new IllegalArgumentException("hessian: x has " + n + " elements; use hvp for inputs larger than 4096");
            Tensor g = Autograd.grad(f.apply(xv), xv, GradOptions.defaults().createGraph().allowUnused())[0];
            Tensor[] rows = new Tensor[n];
            for (int i = 0; i < n; i++) {
                if (!g.requiresGrad()) {
                    rows[i] = xv.detach().zerosLike().reshape(n);
                    continue;
                }
                Tensor e = xv.detach().zerosLike().reshape(n);
                e.slice(0, i, i + 1).assign(e.scalarLike(1.0));
                Tensor gi = g.mul(e.reshape(x.shape())).sum();
                rows[i] = Autograd.grad(gi, xv, GradOptions.defaults().retainGraph().allowUnused())[0].reshape(n);
            }
            int[] shape = new int[2 * x.dim()];
            System.arraycopy(x.shape(), 0, shape, 0, x.dim());
            System.arraycopy(x.shape(), 0, shape, x.dim(), x.dim());
            return Tensor.stack(0, rows).reshape(shape);
        }
    }

    /**
     * The per-sample input Hessians of a batched scalar function whose samples do not interact,
     * {@code f(x) = sum_n f_n(x[n])} (a loss summed or averaged over a batch, in eval mode): the result has shape
     * {@code [N, D, D]} with {@code result[n][i][j] = d^2 f / d x[n]_i d x[n]_j}, where {@code D} is the number of
     * elements of one sample and {@code i, j} index a sample's elements in row-major order. These are the diagonal
     * blocks of the full Hessian; the blocks between different samples are zero for such an f and are not
     * computed. One Hessian-vector product per sample element (D in all, each covering the whole batch at once) over
     * one recorded gradient. For an f that couples the samples (train-mode batch norm) the result mixes the blocks
     * and is not a Hessian; use {@link #hessian} on a small x there.
     *
     * @throws IllegalArgumentException when x has no batch dimension or a sample has more than 4096 elements
     */
    public static Tensor sampleHessians(Function<Tensor, Tensor> f, Tensor x) {
        if (x.dim() < 1 || x.size(0) < 1)
            throw new IllegalArgumentException("sampleHessians: x must be a batch [N, ...] with N >= 1, got " + Shape.str(x.shape()));
        int n = x.size(0);
        int d = x.numel() / n;
        if (d > 4096) throw new IllegalArgumentException("sampleHessians: a sample has " + d + " elements; use hvp for samples larger than 4096");
        try (GradMode.Scope scope = GradMode.enableGrad()) {
            Tensor xv = variable(x);
            Tensor y = f.apply(xv);
            if (y.numel() != 1) throw new IllegalArgumentException("sampleHessians: f must return a scalar, got " + Shape.str(y.shape()));
            Tensor g = Autograd.grad(y, xv, GradOptions.defaults().createGraph().allowUnused())[0];
            Tensor[] rows = new Tensor[d];
            for (int i = 0; i < d; i++) {
                if (!g.requiresGrad()) { // f is linear in x
                    rows[i] = xv.detach().zerosLike().reshape(n, d);
                    continue;
                }
                Tensor e = xv.detach().zerosLike().reshape(n, d);
                e.slice(1, i, i + 1).assign(e.scalarLike(1.0));
                Tensor gi = g.mul(e.reshape(x.shape())).sum();
                rows[i] = Autograd.grad(gi, xv, GradOptions.defaults().retainGraph(i < d - 1).allowUnused())[0].reshape(n, d);
            }
            return Tensor.stack(1, rows); // [N, D(row i), D]
        }
    }
}

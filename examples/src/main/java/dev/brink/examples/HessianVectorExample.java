package dev.brink.examples;

import dev.brink.engine.Autograd;
import dev.brink.engine.Derivatives;
import dev.brink.engine.GradOptions;
import dev.brink.engine.Tensor;

import java.util.function.Function;

/**
 * A Hessian-vector product {@code H(x) v} of {@code f(x) = sum(tanh(x A))}, two ways: with
 * {@link Derivatives#hvp} and by hand with double backprop ({@link GradOptions#createGraph()}), both checked against
 * central finite differences of the gradient, {@code (grad f(x + h v) - grad f(x - h v)) / 2h}.
 */
public final class HessianVectorExample {
    /** Largest absolute differences from the finite differences, and the size of {@code H v} for scale. */
    public record Result(double hvpError, double manualError, double hvNorm) {}

    /** Step of the central differences (float64). */
    public static final double H = 1e-5;
    /** Agreement demanded: the finite differences' own error is about {@code H^2} times third derivatives. */
    public static final double TOLERANCE = 1e-7;

    /**
     * Computes {@code H v} both ways and by finite differences; throws {@link IllegalStateException} when they
     * differ by more than {@link #TOLERANCE}.
     */
    public static Result run() {
        // f maps x [1, 4] to a scalar through A [4, 3].
        Tensor a = Tensor.of(new double[][] {{0.8, -0.5, 0.3}, {0.2, 0.9, -0.7}, {-0.6, 0.1, 0.5}, {0.4, 0.3, 0.2}});
        Function<Tensor, Tensor> f = x -> x.matmul(a).tanh().sum();
        Tensor x = Tensor.of(new double[] {0.3, -0.2, 0.5, 0.1}, 1, 4);
        Tensor v = Tensor.of(new double[] {1.0, 0.5, -1.0, 2.0}, 1, 4);

        // 1. The helper: reverse-over-reverse differentiation, shape of x.
        Tensor hv = Derivatives.hvp(f, x, v);

        // 2. By hand: a differentiable gradient, its inner product with v, and the gradient of that.
        Tensor xv = x.detach().requiresGrad(true);
        Tensor g = Autograd.grad(f.apply(xv), xv, GradOptions.defaults().createGraph())[0]; // grad f(x), [1, 4]
        Tensor manual = Autograd.grad(g.mul(v).sum(), xv)[0];                                // H v, [1, 4]

        // 3. Finite differences of the gradient along v.
        double[] plus = gradient(f, x.add(v.mul(H))), minus = gradient(f, x.sub(v.mul(H)));
        double[] fd = new double[plus.length];
        for (int i = 0; i < fd.length; i++) fd[i] = (plus[i] - minus[i]) / (2 * H);

        Result r = new Result(Checks.maxAbsDiff(hv.toDoubleArray(), fd), Checks.maxAbsDiff(manual.toDoubleArray(), fd),
                Checks.maxAbs(fd));
        Checks.check(r.hvNorm() > 0.1, "H v should not vanish here, got max |H v| = " + r.hvNorm());
        Checks.check(r.hvpError() < TOLERANCE, "Derivatives.hvp off the finite differences by " + r.hvpError());
        Checks.check(r.manualError() < TOLERANCE, "double-backprop H v off the finite differences by " + r.manualError());
        return r;
    }

    private static double[] gradient(Function<Tensor, Tensor> f, Tensor x) {
        Tensor xv = x.detach().requiresGrad(true);
        return Autograd.grad(f.apply(xv), xv)[0].toDoubleArray();
    }

    /** Runs the example and prints its numbers. */
    public static void main(String[] args) {
        Result r = run();
        System.out.printf("max |H v| = %.4f; off the finite differences by %.2e (hvp) and %.2e (double backprop)%n",
                r.hvNorm(), r.hvpError(), r.manualError());
    }
}

package dev.brink.engine.check;

import dev.brink.engine.Autograd;
import dev.brink.engine.GradOptions;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Finite-difference gradient checker in float64, first and second order; usable on any op, layer, model or loss.
 *
 * <p>The function {@code f} maps the inputs to a floating tensor. Inputs that {@linkplain Tensor#requiresGrad()
 * require grad} are checked (they must be float64); the others (labels, masks, running statistics) are passed
 * through as constants. Both checks reduce the output to a scalar with a fixed random cotangent {@code r}:
 * <ul>
 *   <li>first order: the autodiff gradient of {@code L = sum(r * f(x))} against central differences of L;</li>
 *   <li>second order: {@code S = sum_i <dL/dx_i, u_i>} for random tangents u, computed with {@code createGraph},
 *       differentiated by autodiff with respect to every checked input and to r itself (so the backward rules'
 *       dependence on both the inputs and the output gradient is checked), against central differences of S.</li>
 * </ul>
 * A mismatch throws {@link AssertionError} naming the check, the input, the element and both values.
 */
public final class GradCheck {
    /** Step and tolerances: an element passes when {@code |analytic - numeric| <= atol + rtol * |numeric|}. */
    public record Options(double eps, double atol, double rtol, long seed) {
        public static final Options DEFAULT = new Options(1e-6, 1e-6, 1e-5, 1234);

        public Options withTolerance(double atol, double rtol) {
            return new Options(eps, atol, rtol, seed);
        }

        public Options withEps(double eps) {
            return new Options(eps, atol, rtol, seed);
        }
    }

    /** Worst deviation found by a check (for reporting). */
    public record Report(String name, int order, int elementsChecked, double maxAbsError) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s order %d: %d elements, max |error| %.3g", name, order, elementsChecked, maxAbsError);
        }
    }

    private GradCheck() {}

    /** First-order check with default options. */
    public static Report first(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        return first(name, f, Options.DEFAULT, inputs);
    }

    /** Second-order check with default options. */
    public static Report second(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        return second(name, f, Options.DEFAULT, inputs);
    }

    /** Checks the gradient of {@code sum(r * f(inputs))} against central differences. */
    public static Report first(String name, Function<Tensor[], Tensor> f, Options opt, Tensor... inputs) {
        int[] checked = checkedInputs(name, inputs);
        Tensor r = cotangent(f, inputs, opt);
        Function<Tensor[], Tensor> loss = xs -> f.apply(xs).mul(r).sum();
        return compare(name, 1, loss, inputs, checked, opt);
    }

    /** Checks the gradient of {@code sum_i <grad_i sum(r * f(inputs)), u_i>} with respect to the inputs and r. */
    public static Report second(String name, Function<Tensor[], Tensor> f, Options opt, Tensor... inputs) {
        int[] checked = checkedInputs(name, inputs);
        Tensor r0 = cotangent(f, inputs, opt);
        Generator gen = new Generator(opt.seed() + 1);
        Tensor[] u = new Tensor[checked.length];
        for (int k = 0; k < checked.length; k++) u[k] = Tensor.randn(gen, DType.FLOAT64, inputs[checked[k]].shape());
        // Extended inputs: the originals plus the cotangent r as the last, checked, input.
        Tensor[] ext = new Tensor[inputs.length + 1];
        System.arraycopy(inputs, 0, ext, 0, inputs.length);
        ext[inputs.length] = r0.detach().requiresGrad(true);
        int[] extChecked = new int[checked.length + 1];
        System.arraycopy(checked, 0, extChecked, 0, checked.length);
        extChecked[checked.length] = inputs.length;
        Function<Tensor[], Tensor> s = xs -> {
            Tensor[] orig = new Tensor[inputs.length];
            System.arraycopy(xs, 0, orig, 0, inputs.length);
            Tensor[] vars = new Tensor[checked.length];
            for (int k = 0; k < checked.length; k++) vars[k] = orig[checked[k]];
            Tensor l = f.apply(orig).mul(xs[inputs.length]).sum();
            Tensor[] g;
            try (GradMode.Scope scope = GradMode.enableGrad()) {
                g = Autograd.grad(l, vars, GradOptions.defaults().createGraph().allowUnused());
            }
            Tensor total = null;
            for (int k = 0; k < g.length; k++) {
                Tensor term = g[k].mul(u[k]).sum();
                total = total == null ? term : total.add(term);
            }
            return total;
        };
        return compare(name, 2, s, ext, extChecked, opt);
    }

    private static int[] checkedInputs(String name, Tensor[] inputs) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null && inputs[i].requiresGrad()) {
                if (inputs[i].dtype() != DType.FLOAT64)
                    throw new IllegalArgumentException("gradcheck " + name + ": input " + i + " must be float64 for finite differences, got " + inputs[i].dtype().label());
                if (!inputs[i].isLeaf())
                    throw new IllegalArgumentException("gradcheck " + name + ": input " + i + " must be a leaf tensor");
                idx.add(i);
            }
        }
        if (idx.isEmpty()) throw new IllegalArgumentException("gradcheck " + name + ": no input requires grad; mark the inputs to check with requiresGrad(true)");
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Tensor cotangent(Function<Tensor[], Tensor> f, Tensor[] inputs, Options opt) {
        Tensor y;
        try (GradMode.Scope s = GradMode.noGrad()) {
            y = f.apply(detached(inputs));
        }
        if (y.dtype() != DType.FLOAT64)
            throw new IllegalArgumentException("gradcheck: the function must return float64, got " + y.dtype().label());
        return Tensor.randn(new Generator(opt.seed()), DType.FLOAT64, y.shape());
    }

    private static Tensor[] detached(Tensor[] xs) {
        Tensor[] d = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) d[i] = xs[i] == null ? null : xs[i].detach();
        return d;
    }

    /** Autodiff gradient of the scalar {@code s} against central differences, for each checked input. */
    private static Report compare(String name, int order, Function<Tensor[], Tensor> s, Tensor[] inputs, int[] checked, Options opt) {
        Tensor[] vars = detached(inputs);
        Tensor[] targets = new Tensor[checked.length];
        for (int k = 0; k < checked.length; k++) targets[k] = vars[checked[k]] = vars[checked[k]].requiresGrad(true);
        Tensor[] analytic = new Tensor[targets.length];
        try (GradMode.Scope scope = GradMode.enableGrad()) {
            Tensor out = s.apply(vars);
            if (out.requiresGrad()) {
                analytic = Autograd.grad(out, targets, GradOptions.defaults().allowUnused());
            } else { // e.g. the second order of sign(x): the first derivative is a constant, so this one is 0
                for (int k = 0; k < targets.length; k++) analytic[k] = targets[k].detach().zerosLike();
            }
        }
        double worst = 0;
        int count = 0;
        for (int k = 0; k < checked.length; k++) {
            int i = checked[k];
            double[] base = inputs[i].toDoubleArray();
            double[] a = analytic[k].toDoubleArray();
            int[] shape = inputs[i].shape();
            for (int j = 0; j < base.length; j++) {
                double numeric = (value(s, inputs, i, base, shape, j, opt.eps()) - value(s, inputs, i, base, shape, j, -opt.eps())) / (2 * opt.eps());
                double err = Math.abs(a[j] - numeric);
                if (!(err <= opt.atol() + opt.rtol() * Math.abs(numeric))) {
                    throw new AssertionError(String.format(Locale.ROOT,
                            "gradcheck %s, order %d: input %d %s element %d: autodiff %.10g vs finite differences %.10g (|error| %.3g > atol %.1g + rtol %.1g * |numeric|)",
                            name, order, i, Shape.str(shape), j, a[j], numeric, err, opt.atol(), opt.rtol()));
                }
                worst = Math.max(worst, err);
                count++;
            }
        }
        return new Report(name, order, count, worst);
    }

    private static double value(Function<Tensor[], Tensor> s, Tensor[] inputs, int i, double[] base, int[] shape, int j, double delta) {
        double[] p = base.clone();
        p[j] += delta;
        Tensor[] xs = detached(inputs);
        for (int k = 0; k < xs.length; k++) if (inputs[k] != null && inputs[k].requiresGrad()) xs[k].requiresGrad(true);
        xs[i] = inputs[i].newTensor(p, shape).requiresGrad(true);
        Tensor out = s.apply(xs);
        return out.item();
    }
}

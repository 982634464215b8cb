package dev.brink.engine.check;

import dev.brink.engine.DType;
import dev.brink.engine.Derivatives;
import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Checks derivatives computed by code that is not Brink's: another engine's autodiff or a hand-derived gradient,
 * given as plain arrays. The user's function and its claimed gradient (or Hessian-vector product, or Jacobian) are
 * compared element by element with
 * <ul>
 *   <li>central finite differences of the user's function, always; and</li>
 *   <li>Brink's own autodiff of the same function, when it is also given as a Brink expression
 *       ({@link #brink(Function)}).</li>
 * </ul>
 * An element passes when {@code |claimed - reference| <= atol + rtol * |reference|} for every reference, where the
 * finite-difference reference also gets its own rounding error ({@code 4 u (|f(x+h)| + |f(x-h)|) / 2h} for the
 * unit roundoff {@code u} of the function's precision) added to the tolerance. The {@link ArrayCheckReport} names
 * the failing elements by their index in the claimed array's shape, with the claimed value and each reference.
 *
 * <p>Arrays are flat and row-major: {@code x} has the shape given to {@link #at(double[], int...)}, a gradient and
 * a Hessian-vector product have x's shape, a Jacobian has the shape {@code outShape ++ xShape}
 * ({@code J[o..., i...] = d f(x)[o...] / d x[i...]}). A function written in float32 ({@link FloatScalarFunction},
 * {@link FloatVectorFunction}) is evaluated at float32 points with float32-sized steps and the looser
 * {@link Options#FLOAT32} tolerances unless {@link #options} says otherwise; one written in float64 gets
 * {@link Options#FLOAT64}. The Brink expression always runs in float64.
 *
 * <p>Finite differences are exact only for smooth functions: evaluate at points farther than the step from any
 * kink (ReLU at 0, max ties, |x| at 0). A failing gradient element whose one-sided differences disagree is
 * flagged as a likely kink in the message.
 *
 * <pre>{@code
 * ArrayCheckReport r = ArrayGradCheck.at(w, 4, 3)     // the point: 12 values, shape [4, 3]
 *         .named("dL/dW")
 *         .brink(t -> myLossAsBrinkExpression(t))       // optional second reference
 *         .gradient(myLoss::value, myGradient);
 * r.assertPassed();                                     // AssertionError with r.message() when an element is off
 * }</pre>
 */
public final class ArrayGradCheck {

    /** A scalar function of a flat float64 array (the user's code). */
    @FunctionalInterface
    public interface ScalarFunction {
        /** f(x). */
        double value(double[] x);
    }

    /** A vector-valued function of a flat float64 array; returns a flat array of the output's elements. */
    @FunctionalInterface
    public interface VectorFunction {
        /** f(x), flat. */
        double[] value(double[] x);
    }

    /** A scalar function of a flat float32 array (the user's float32 code; a {@code float} result widens). */
    @FunctionalInterface
    public interface FloatScalarFunction {
        /** f(x). */
        double value(float[] x);
    }

    /** A vector-valued function of a flat float32 array. */
    @FunctionalInterface
    public interface FloatVectorFunction {
        /** f(x), flat. */
        float[] value(float[] x);
    }

    /**
     * Steps and tolerances.
     *
     * @param step       relative step of the first-order central differences: element i moves by
     *                   {@code step * max(1, |x_i|)}
     * @param secondStep relative step of the Hessian-vector product's mixed differences (along the element and along v)
     * @param atol       absolute tolerance
     * @param rtol       relative tolerance (times |reference|)
     * @param worst      how many elements the message lists
     */
    public record Options(double step, double secondStep, double atol, double rtol, int worst) {
        /** For float64 functions: steps 1e-6 and 1e-4, tolerance 1e-8 + 1e-6 |reference|. */
        public static final Options FLOAT64 = new Options(1e-6, 1e-4, 1e-8, 1e-6, 5);
        /** For float32 functions: steps 1e-3 and 3e-2, tolerance 1e-5 + 1e-3 |reference|. */
        public static final Options FLOAT32 = new Options(1e-3, 3e-2, 1e-5, 1e-3, 5);

        /** Validates: positive steps, non-negative tolerances, {@code worst >= 1}. */
        public Options {
            if (!(step > 0) || !(secondStep > 0) || !(atol >= 0) || !(rtol >= 0) || worst < 1)
                throw new IllegalArgumentException("ArrayGradCheck.Options: steps must be positive, tolerances >= 0 and worst >= 1; got step "
                        + step + ", secondStep " + secondStep + ", atol " + atol + ", rtol " + rtol + ", worst " + worst);
        }

        /** These options with another absolute and relative tolerance. */
        public Options withTolerance(double atol, double rtol) {
            return new Options(step, secondStep, atol, rtol, worst);
        }

        /** These options with other relative steps (first order, and the Hessian-vector product's mixed differences). */
        public Options withSteps(double step, double secondStep) {
            return new Options(step, secondStep, atol, rtol, worst);
        }

        /** These options listing at most {@code worst} elements in the message. */
        public Options withWorst(int worst) {
            return new Options(step, secondStep, atol, rtol, worst);
        }
    }

    private static final double U64 = 0x1p-53, U32 = 0x1p-24;

    private final double[] x;
    private final int[] shape;
    private final String name;
    private final Options options;
    private final Function<Tensor, Tensor> brink;

    private ArrayGradCheck(double[] x, int[] shape, String name, Options options, Function<Tensor, Tensor> brink) {
        this.x = x;
        this.shape = shape;
        this.name = name;
        this.options = options;
        this.brink = brink;
    }

    /**
     * The point to check at: {@code x} (copied) with the given shape (row-major; no shape means a vector).
     *
     * @throws IllegalArgumentException when x's length is not the shape's element count, or x is not finite
     */
    public static ArrayGradCheck at(double[] x, int... shape) {
        Objects.requireNonNull(x, "x");
        int[] s = shape == null || shape.length == 0 ? new int[] {x.length} : shape.clone();
        long n = count(s, "x");
        if (n != x.length)
            throw new IllegalArgumentException("ArrayGradCheck: x has " + x.length + " elements, but shape " + Arrays.toString(s) + " holds " + n);
        for (int i = 0; i < x.length; i++)
            if (!Double.isFinite(x[i])) throw new IllegalArgumentException("ArrayGradCheck: x" + Arrays.toString(unflatten(i, s)) + " is " + x[i]);
        return new ArrayGradCheck(x.clone(), s, "", null, null);
    }

    /** {@link #at(double[], int...)} for a float32 point. */
    public static ArrayGradCheck at(float[] x, int... shape) {
        Objects.requireNonNull(x, "x");
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return at(d, shape);
    }

    /** A name for the messages, e.g. {@code "dL/dW1"}. */
    public ArrayGradCheck named(String name) {
        return new ArrayGradCheck(x, shape, Objects.requireNonNull(name, "name"), options, brink);
    }

    /** Steps and tolerances instead of the defaults of the function's precision. */
    public ArrayGradCheck options(Options options) {
        return new ArrayGradCheck(x, shape, name, Objects.requireNonNull(options, "options"), brink);
    }

    /**
     * The same function as a Brink expression, used as a second, exact reference: it takes x as a float64 tensor of
     * x's shape and returns a scalar (for {@link #gradient} and {@link #hvp}) or a tensor of the output's elements
     * (for {@link #jacobian}). Its value at x is checked against the user's function first, so an expression that
     * computes something else is reported as such.
     */
    public ArrayGradCheck brink(Function<Tensor, Tensor> expression) {
        return new ArrayGradCheck(x, shape, name, options, Objects.requireNonNull(expression, "expression"));
    }

    // ------------------------------------------------------------------ gradient

    /** Checks a claimed gradient (x's shape) of a float64 scalar function. */
    public ArrayCheckReport gradient(ScalarFunction f, double[] claimed) {
        Objects.requireNonNull(f, "f");
        return gradient(p -> new double[] {f.value(p)}, false, claimed);
    }

    /** Checks a claimed gradient (x's shape) of a float32 scalar function. */
    public ArrayCheckReport gradient(FloatScalarFunction f, float[] claimed) {
        Objects.requireNonNull(f, "f");
        return gradient(p -> new double[] {f.value(toFloat(p))}, true, toDouble(claimed, "claimed"));
    }

    private ArrayCheckReport gradient(Evaluator f, boolean single, double[] claimed) {
        Options o = options(single);
        double u = single ? U32 : U64;
        int n = x.length;
        checkLength(claimed, n, "the claimed gradient");
        double[] p = point(single);
        double f0 = scalar(f, p, "x");
        double[] ref = brink == null ? null : brinkGradient(p, f0, o, u);
        List<ArrayCheckReport.Element> elements = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double h = o.step() * Math.max(1, Math.abs(p[i]));
            double[] q = p.clone();
            q[i] = round(p[i] + h, single);
            double xp = q[i];
            double fp = scalar(f, q, "x + h e" + Arrays.toString(unflatten(i, shape)));
            q[i] = round(p[i] - h, single);
            double xm = q[i];
            double fm = scalar(f, q, "x - h e" + Arrays.toString(unflatten(i, shape)));
            double fd = (fp - fm) / (xp - xm);
            double noise = 4 * u * (Math.abs(fp) + Math.abs(fm)) / (xp - xm);
            double fwd = (fp - f0) / (xp - p[i]), bwd = (f0 - fm) / (p[i] - xm);
            elements.add(element(i, claimed[i], fd, noise, ref == null ? Double.NaN : ref[i], fwd, bwd, o));
        }
        return new ArrayCheckReport("gradient", name, shape, 0, elements, o, brink != null, single);
    }

    private double[] brinkGradient(double[] p, double f0, Options o, double u) {
        Tensor xt = Tensor.of(p, shape);
        Tensor value = brinkValue(xt, true);
        checkValue(f0, value.item(), o, u, "");
        return Derivatives.grad(brink, xt, false).toDoubleArray();
    }

    // ------------------------------------------------------------------ Hessian-vector product

    /**
     * Checks a claimed Hessian-vector product {@code H(x) v} (x's shape) of a float64 scalar function, against mixed
     * central differences of f along v and along each element,
     * {@code [f(x+tv+he_i) - f(x+tv-he_i) - f(x-tv+he_i) + f(x-tv-he_i)] / 4th} (four evaluations per element).
     */
    public ArrayCheckReport hvp(ScalarFunction f, double[] v, double[] claimed) {
        Objects.requireNonNull(f, "f");
        return hvp(p -> new double[] {f.value(p)}, false, v, claimed);
    }

    /** {@link #hvp(ScalarFunction, double[], double[])} for a float32 function. */
    public ArrayCheckReport hvp(FloatScalarFunction f, float[] v, float[] claimed) {
        Objects.requireNonNull(f, "f");
        return hvp(p -> new double[] {f.value(toFloat(p))}, true, toDouble(v, "v"), toDouble(claimed, "claimed"));
    }

    private ArrayCheckReport hvp(Evaluator f, boolean single, double[] v, double[] claimed) {
        Options o = options(single);
        double u = single ? U32 : U64;
        int n = x.length;
        checkLength(v, n, "v");
        checkLength(claimed, n, "the claimed Hessian-vector product");
        double vmax = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(v[i])) throw new IllegalArgumentException("ArrayGradCheck: v" + Arrays.toString(unflatten(i, shape)) + " is " + v[i]);
            vmax = Math.max(vmax, Math.abs(v[i]));
        }
        double[] p = point(single);
        double f0 = scalar(f, p, "x");
        double[] ref = null;
        if (brink != null) {
            Tensor xt = Tensor.of(p, shape);
            checkValue(f0, brinkValue(xt, true).item(), o, u, "");
            ref = Derivatives.hvp(brink, xt, Tensor.of(v, shape)).toDoubleArray();
        }
        double t = vmax == 0 ? 0 : o.secondStep() / vmax;
        double[] plus = new double[n], minus = new double[n];
        for (int j = 0; j < n; j++) {
            plus[j] = p[j] + t * v[j];
            minus[j] = p[j] - t * v[j];
        }
        List<ArrayCheckReport.Element> elements = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double fd = 0, noise = 0;
            if (t > 0) {
                double h = o.secondStep() * Math.max(1, Math.abs(p[i]));
                String at = Arrays.toString(unflatten(i, shape));
                double a = scalar(f, shifted(plus, i, h, single), "x + tv + h e" + at);
                double b = scalar(f, shifted(plus, i, -h, single), "x + tv - h e" + at);
                double c = scalar(f, shifted(minus, i, h, single), "x - tv + h e" + at);
                double d = scalar(f, shifted(minus, i, -h, single), "x - tv - h e" + at);
                fd = (a - b - c + d) / (4 * t * h);
                noise = 4 * u * (Math.abs(a) + Math.abs(b) + Math.abs(c) + Math.abs(d)) / (4 * t * h);
            }
            elements.add(element(i, claimed[i], fd, noise, ref == null ? Double.NaN : ref[i], Double.NaN, Double.NaN, o));
        }
        return new ArrayCheckReport("Hessian-vector product", name, shape, 0, elements, o, brink != null, single);
    }

    private static double[] shifted(double[] base, int i, double h, boolean single) {
        double[] q = base.clone();
        q[i] += h;
        if (single) for (int j = 0; j < q.length; j++) q[j] = (float) q[j];
        return q;
    }

    // ------------------------------------------------------------------ Jacobian

    /**
     * Checks a claimed Jacobian of a float64 vector function with outputs of shape {@code outShape}: the claimed
     * array has shape {@code outShape ++ xShape}, row-major.
     */
    public ArrayCheckReport jacobian(VectorFunction f, int[] outShape, double[] claimed) {
        Objects.requireNonNull(f, "f");
        return jacobian(f::value, false, outShape, claimed);
    }

    /** {@link #jacobian(VectorFunction, int[], double[])} for a float32 function. */
    public ArrayCheckReport jacobian(FloatVectorFunction f, int[] outShape, float[] claimed) {
        Objects.requireNonNull(f, "f");
        return jacobian(p -> toDouble(f.value(toFloat(p)), "the function's output"), true, outShape, toDouble(claimed, "claimed"));
    }

    private ArrayCheckReport jacobian(Evaluator f, boolean single, int[] outShape, double[] claimed) {
        Objects.requireNonNull(outShape, "outShape");
        Options o = options(single);
        double u = single ? U32 : U64;
        int n = x.length;
        int m = (int) count(outShape, "outShape");
        int[] full = new int[outShape.length + shape.length];
        System.arraycopy(outShape, 0, full, 0, outShape.length);
        System.arraycopy(shape, 0, full, outShape.length, shape.length);
        checkLength(claimed, (long) m * n, "the claimed Jacobian " + Arrays.toString(full));
        double[] p = point(single);
        double[] f0 = vector(f, p, m, "x");
        double[] ref = null;
        if (brink != null) {
            Tensor xt = Tensor.of(p, shape);
            Tensor value = brinkValue(xt, false);
            if (value.numel() != m)
                throw new IllegalArgumentException("ArrayGradCheck: the Brink expression returns " + Shape.str(value.shape()) + " (" + value.numel()
                        + " elements); the function has " + m + " outputs " + Arrays.toString(outShape));
            double[] bv = value.toDoubleArray();
            for (int k = 0; k < m; k++) checkValue(f0[k], bv[k], o, u, "output " + Arrays.toString(unflatten(k, outShape)) + " ");
            ref = new double[m * n];
            for (int k = 0; k < m; k++) {
                double[] seed = new double[m];
                seed[k] = 1;
                double[] row = Derivatives.vjp(brink, xt, Tensor.of(seed, value.shape()), false).toDoubleArray();
                System.arraycopy(row, 0, ref, k * n, n);
            }
        }
        double[] fd = new double[m * n], noise = new double[m * n];
        for (int j = 0; j < n; j++) {
            double h = o.step() * Math.max(1, Math.abs(p[j]));
            double[] q = p.clone();
            q[j] = round(p[j] + h, single);
            double xp = q[j];
            double[] fp = vector(f, q, m, "x + h e" + Arrays.toString(unflatten(j, shape)));
            q[j] = round(p[j] - h, single);
            double xm = q[j];
            double[] fm = vector(f, q, m, "x - h e" + Arrays.toString(unflatten(j, shape)));
            for (int k = 0; k < m; k++) {
                fd[k * n + j] = (fp[k] - fm[k]) / (xp - xm);
                noise[k * n + j] = 4 * u * (Math.abs(fp[k]) + Math.abs(fm[k])) / (xp - xm);
            }
        }
        List<ArrayCheckReport.Element> elements = new ArrayList<>(m * n);
        for (int e = 0; e < m * n; e++)
            elements.add(new ArrayCheckReport.Element(e, unflatten(e, full), claimed[e], fd[e], noise[e], ref == null ? Double.NaN : ref[e],
                    Double.NaN, Double.NaN, o.atol(), o.rtol()));
        return new ArrayCheckReport("Jacobian", name, full, outShape.length, elements, o, brink != null, single);
    }

    // ------------------------------------------------------------------ shared

    /** The user's function on a flat point, as a flat array of its outputs. */
    private interface Evaluator {
        double[] value(double[] p);
    }

    private Options options(boolean single) {
        return options != null ? options : single ? Options.FLOAT32 : Options.FLOAT64;
    }

    private double[] point(boolean single) {
        double[] p = x.clone();
        if (single) for (int i = 0; i < p.length; i++) p[i] = (float) p[i];
        return p;
    }

    private static double round(double v, boolean single) {
        return single ? (float) v : v;
    }

    private ArrayCheckReport.Element element(int i, double claimed, double fd, double noise, double brinkValue, double fwd, double bwd, Options o) {
        return new ArrayCheckReport.Element(i, unflatten(i, shape), claimed, fd, noise, brinkValue, fwd, bwd, o.atol(), o.rtol());
    }

    private static double scalar(Evaluator f, double[] p, String where) {
        double[] r = f.value(p);
        if (r == null || r.length != 1) throw new IllegalArgumentException("ArrayGradCheck: the function must return one value at " + where);
        return r[0];
    }

    private static double[] vector(Evaluator f, double[] p, int m, String where) {
        double[] r = f.value(p);
        if (r == null) throw new IllegalArgumentException("ArrayGradCheck: the function returned null at " + where);
        if (r.length != m)
            throw new IllegalArgumentException("ArrayGradCheck: the function returned " + r.length + " values at " + where + "; outShape says " + m);
        return r;
    }

    private Tensor brinkValue(Tensor xt, boolean scalar) {
        Tensor value;
        try (GradMode.Scope s = GradMode.noGrad()) {
            value = brink.apply(xt);
        }
        if (value == null) throw new IllegalArgumentException("ArrayGradCheck: the Brink expression returned null");
        if (value.dtype() != DType.FLOAT64)
            throw new IllegalArgumentException("ArrayGradCheck: the Brink expression must compute in float64 (x is float64), it returned " + value.dtype().label());
        if (scalar && value.numel() != 1)
            throw new IllegalArgumentException("ArrayGradCheck: the Brink expression must return a scalar here, it returned " + Shape.str(value.shape()));
        return value;
    }

    /** The Brink expression must compute the user's function; otherwise its derivatives are no reference. */
    private void checkValue(double f, double b, Options o, double u, String what) {
        if (!(Math.abs(f - b) <= o.atol() + o.rtol() * Math.abs(b) + 64 * u * Math.abs(f)))
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "ArrayGradCheck%s: the Brink expression does not compute the same function: at x the function gives %sf(x) = %.9g, the Brink expression %.9g",
                    name.isEmpty() ? "" : " (" + name + ")", what, f, b));
    }

    private static void checkLength(double[] a, long n, String what) {
        Objects.requireNonNull(a, what);
        if (a.length != n) throw new IllegalArgumentException("ArrayGradCheck: " + what + " has " + a.length + " elements; " + n + " expected");
    }

    private static long count(int[] s, String what) {
        long n = 1;
        for (int d : s) {
            if (d < 0) throw new IllegalArgumentException("ArrayGradCheck: " + what + " shape " + Arrays.toString(s) + " has a negative dimension");
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("ArrayGradCheck: " + what + " shape " + Arrays.toString(s) + " is too large");
        return n;
    }

    static int[] unflatten(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return idx;
    }

    private static float[] toFloat(double[] p) {
        float[] r = new float[p.length];
        for (int i = 0; i < p.length; i++) r[i] = (float) p[i];
        return r;
    }

    private static double[] toDouble(float[] a, String what) {
        Objects.requireNonNull(a, what);
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i];
        return r;
    }
}

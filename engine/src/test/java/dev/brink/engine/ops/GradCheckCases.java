package dev.brink.engine.ops;

import dev.brink.engine.op.BinaryOp;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.PoolGeometry;
import dev.brink.engine.check.GradCheck;
import dev.brink.engine.op.ChannelOps;
import dev.brink.engine.op.Convolution;
import dev.brink.engine.op.Loss;
import dev.brink.engine.op.Scan;
import dev.brink.engine.op.View;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The gradient-check table: every differentiable op registered in {@link dev.brink.engine.op.OpRegistry} has at
 * least one {@link Case} here, and {@link OpGradientCheckTest} runs every case through both
 * {@link GradCheck#first} and {@link GradCheck#second}. Non-differentiable ops get forward-value cases in
 * {@link #forward()} instead. {@link OpCoverageTest} keeps the table and the registry in step.
 *
 * <p>Conventions: inputs are float64 and drawn from a {@code Generator} seeded from the case's name (so adding or
 * reordering cases does not change other cases' inputs); inputs marked {@code requiresGrad(true)} are checked,
 * the rest (labels, masks, running statistics, bounds) are constants. Inputs are kept away from kinks and ties
 * (relu/abs/leaky_relu away from 0, max pooling and amax on well-separated distinct values, maximum/minimum on
 * interleaved grids, clamp away from its bounds) so that central differences see a smooth function.
 */
public final class GradCheckCases {
    /** One gradient-check case: {@code f} applied to fresh inputs from {@code inputs}, checked at orders 1 and 2. */
    public record Case(String op, String variant, Function<Tensor[], Tensor> f, Supplier<Tensor[]> inputs, GradCheck.Options options) {
        public String name() {
            return op + "[" + variant + "]";
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /**
     * A forward-value case for a non-differentiable op: {@code actual} runs the op (on inputs that require grad
     * where they are floating, so that the absence of a gradient path is checked too); the result must have
     * {@code dtype}, {@code shape} and exactly the {@code expected} values (hand-computed), and must not require grad.
     */
    public record ForwardCase(String op, String variant, Supplier<Tensor> actual, DType dtype, int[] shape, double[] expected) {
        public String name() {
            return op + "[" + variant + "]";
        }

        @Override
        public String toString() {
            return name();
        }
    }

    private static final DType F64 = DType.FLOAT64;
    private static final GradCheck.Options DEFAULT = GradCheck.Options.DEFAULT;

    /** Built on first use (after all static fields of this class are initialized). */
    private static final class Holder {
        static final List<Case> ALL;
        static final List<ForwardCase> FORWARD;

        static {
            Table t = new Table();
            unary(t);
            binary(t);
            whereAndClamp(t);
            reductions(t);
            views(t);
            joins(t);
            indexing(t);
            matmul(t);
            convolutions(t);
            pooling(t);
            normalization(t);
            softmax(t);
            losses(t);
            norms(t);
            scans(t);
            ALL = Collections.unmodifiableList(t.cases);
            FORWARD = Collections.unmodifiableList(forwardCases());
        }
    }

    private GradCheckCases() {}

    /** Every gradient-check case. */
    public static List<Case> all() {
        return Holder.ALL;
    }

    /** Forward-value cases of the non-differentiable ops. */
    public static List<ForwardCase> forward() {
        return Holder.FORWARD;
    }

    // ================================================================== elementwise

    private static void unary(Table t) {
        t.add("neg", "[2,3]", xs -> xs[0].neg(), g -> in(v(randn(g, 2, 3))));
        t.add("neg", "0-d", xs -> xs[0].neg(), g -> in(v(randn(g))));
        t.add("abs", "[2,3] away from 0", xs -> xs[0].abs(), g -> in(v(away(g, 0.1, 2, 3))));
        t.add("abs", "transposed input", xs -> xs[0].transpose(0, 1).abs(), g -> in(v(away(g, 0.1, 3, 2))));
        // sign and pow_scalar(0) have a constant (zero, detached) derivative: checked alone (the checker compares a
        // graph-less second derivative with zero) and inside products with x, where their rules take part at both
        // orders (SubgradientPinTest pins sign'(x) = 0 exactly).
        t.add("sign", "sign(x) * x away from 0", xs -> xs[0].sign().mul(xs[0]), g -> in(v(away(g, 0.1, 2, 3))));
        t.add("sign", "plain, away from 0", xs -> xs[0].sign(), g -> in(v(away(g, 0.1, 2, 3))));
        t.add("sign", "sign(x) + x^2, transposed", xs -> xs[0].transpose(0, 1).sign().add(xs[0].transpose(0, 1).square()), g -> in(v(away(g, 0.1, 2, 3))));
        t.add("exp", "[2,3]", xs -> xs[0].exp(), g -> in(v(randn(g, 2, 3))));
        t.add("exp", "strided slice input", xs -> xs[0].slice(1, 0, 4, 2).exp(), g -> in(v(randn(g, 2, 4))));
        t.add("log", "positive [2,3]", xs -> xs[0].log(), g -> in(v(uniform(g, 0.5, 2.0, 2, 3))));
        t.add("sqrt", "positive [2,3]", xs -> xs[0].sqrt(), g -> in(v(uniform(g, 0.5, 2.0, 2, 3))));
        t.add("reciprocal", "away from 0 [2,3]", xs -> xs[0].reciprocal(), g -> in(v(away(g, 0.5, 2, 3))));
        t.add("square", "[2,3]", xs -> xs[0].square(), g -> in(v(randn(g, 2, 3))));
        t.add("relu", "[3,4] away from 0", xs -> xs[0].relu(), g -> in(v(away(g, 0.1, 3, 4))));
        t.add("relu", "relu(x) * x (nonzero second derivative)", xs -> xs[0].relu().mul(xs[0]), g -> in(v(away(g, 0.1, 3, 4))));
        t.add("leaky_relu", "slope 0.1 away from 0", xs -> xs[0].leakyRelu(0.1), g -> in(v(away(g, 0.1, 3, 4))));
        t.add("leaky_relu", "slope 0.2 times x", xs -> xs[0].leakyRelu(0.2).mul(xs[0]), g -> in(v(away(g, 0.1, 3, 4))));
        t.add("sigmoid", "[2,3]", xs -> xs[0].sigmoid(), g -> in(v(randn(g, 2, 3).mul(2.0))));
        t.add("tanh", "[2,3]", xs -> xs[0].tanh(), g -> in(v(randn(g, 2, 3))));
        t.add("softplus", "[2,3]", xs -> xs[0].softplus(), g -> in(v(randn(g, 2, 3).mul(2.0))));
        // the forward returns x itself above 20 and the backward matches it (derivative 1 there)
        t.add("softplus", "above the threshold 20 (linear branch), times x", xs -> xs[0].softplus().mul(xs[0]), g -> in(v(uniform(g, 21.0, 25.0, 2, 3))));
        t.add("pow_scalar", "exponent 3", xs -> xs[0].pow(3.0), g -> in(v(randn(g, 2, 3))));
        t.add("pow_scalar", "exponent 2", xs -> xs[0].pow(2.0), g -> in(v(randn(g, 2, 3))));
        t.add("pow_scalar", "exponent 1", xs -> xs[0].pow(1.0), g -> in(v(randn(g, 2, 3))));
        t.add("pow_scalar", "exponent 0.5 positive", xs -> xs[0].pow(0.5), g -> in(v(uniform(g, 0.5, 2.0, 2, 3))));
        t.add("pow_scalar", "exponent -1.5 positive", xs -> xs[0].pow(-1.5), g -> in(v(uniform(g, 0.5, 2.0, 2, 3))));
        t.add("pow_scalar", "exponent 0 (constant 1)", xs -> xs[0].pow(0.0), g -> in(v(randn(g, 2, 3))));
        t.add("pow_scalar", "exponent 0 (constant 1), times x", xs -> xs[0].pow(0.0).mul(xs[0]), g -> in(v(randn(g, 2, 3))));
    }

    /** Broadcast forms for binary ops: {label, shape of a, shape of b}. */
    private static final Object[][] BROADCASTS = {
            {"same [2,3]", new int[] {2, 3}, new int[] {2, 3}},
            {"trailing [2,3]+[3]", new int[] {2, 3}, new int[] {3}},
            {"middle [2,3,4]+[3,1]", new int[] {2, 3, 4}, new int[] {3, 1}},
            {"both [3,1]+[1,4]", new int[] {3, 1}, new int[] {1, 4}},
            {"leading [1,3]+[2,1,3]", new int[] {1, 3}, new int[] {2, 1, 3}},
            {"0-d right [2,3]+[]", new int[] {2, 3}, new int[] {}},
            {"0-d left []+[2,3]", new int[] {}, new int[] {2, 3}},
    };

    @FunctionalInterface
    private interface Gen {
        Tensor make(Generator g, int[] shape);
    }

    private static void binary(Table t) {
        binaryOp(t, "add", (a, b) -> a.add(b), GradCheckCases::randn, GradCheckCases::randn);
        binaryOp(t, "sub", (a, b) -> a.sub(b), GradCheckCases::randn, GradCheckCases::randn);
        binaryOp(t, "mul", (a, b) -> a.mul(b), GradCheckCases::randn, GradCheckCases::randn);
        binaryOp(t, "div", (a, b) -> a.div(b), GradCheckCases::randn, (g, s) -> away(g, 0.5, s));
        binaryOp(t, "pow", (a, b) -> a.pow(b), (g, s) -> uniform(g, 0.5, 2.0, s), GradCheckCases::randn);
        // a on the grid 0.2k + 0.1, b on the grid 0.2k: never closer than 0.1, so no ties
        binaryOp(t, "maximum", (a, b) -> a.maximum(b), (g, s) -> grid(g, 0.1, s), (g, s) -> grid(g, 0.0, s));
        binaryOp(t, "minimum", (a, b) -> a.minimum(b), (g, s) -> grid(g, 0.1, s), (g, s) -> grid(g, 0.0, s));
        // b away from 0, where the mask is constant (its b-derivative is 0)
        binaryOp(t, "mask_positive", BinaryOp::maskPositive, GradCheckCases::randn, (g, s) -> away(g, 0.1, s));
        // a constant second operand, a non-contiguous operand, the same tensor on both sides
        t.add("add", "b constant", xs -> xs[0].add(xs[1]), g -> in(v(randn(g, 2, 3)), randn(g, 3)));
        t.add("mul", "transposed a [3,2]^T*[2,3]", xs -> xs[0].transpose(0, 1).mul(xs[1]), g -> in(v(randn(g, 3, 2)), v(randn(g, 2, 3))));
        t.add("mul", "x*x (same input twice)", xs -> xs[0].mul(xs[0]), g -> in(v(randn(g, 2, 3))));
        t.add("div", "a constant", xs -> xs[0].div(xs[1]), g -> in(randn(g, 2, 3), v(away(g, 0.5, 2, 3))));
        t.add("pow", "b constant", xs -> xs[0].pow(xs[1]), g -> in(v(uniform(g, 0.5, 2.0, 2, 3)), randn(g, 3)));
        t.add("maximum", "with scalar 0 (relu-like)", xs -> xs[0].maximum(0.0), g -> in(v(away(g, 0.1, 2, 3))));
        t.add("minimum", "b constant", xs -> xs[0].minimum(xs[1]), g -> in(v(grid(g, 0.1, new int[] {2, 3})), grid(g, 0.0, new int[] {3})));
    }

    private static void binaryOp(Table t, String op, java.util.function.BinaryOperator<Tensor> fn, Gen ga, Gen gb) {
        for (Object[] bc : BROADCASTS) {
            int[] sa = (int[]) bc[1], sb = (int[]) bc[2];
            t.add(op, "broadcast " + bc[0], xs -> fn.apply(xs[0], xs[1]), g -> in(v(ga.make(g, sa)), v(gb.make(g, sb))));
        }
    }

    private static void whereAndClamp(Table t) {
        t.add("where", "same shape, float mask", xs -> Tensor.where(xs[0], xs[1], xs[2]),
                g -> in(mask(g, 2, 3), v(randn(g, 2, 3)), v(randn(g, 2, 3))));
        t.add("where", "broadcast cond [2,1], a [3], b 0-d", xs -> Tensor.where(xs[0], xs[1], xs[2]),
                g -> in(t(new double[] {1, 0}, 2, 1), v(randn(g, 3)), v(randn(g))));
        t.add("where", "int32 cond [2,3], only a checked", xs -> Tensor.where(xs[0], xs[1], xs[2]),
                g -> in(Tensor.ofInts(new int[] {1, 0, 2, 0, 0, 1}, 2, 3), v(randn(g, 2, 3)), randn(g, 2, 3)));
        t.add("where", "cond from comparison of x (x > 0 ? x^2 : -x)", xs -> Tensor.where(xs[0].gt(0.0), xs[0].square(), xs[0].neg()),
                g -> in(v(away(g, 0.1, 3, 3))));
        // clamp: values on the grid 0.2k + 0.1 (k in [-5, 5]) are >= 0.1 from the bounds +-0.6 and +-0.4
        t.add("clamp", "scalar bounds [-0.6, 0.6]", xs -> xs[0].clamp(-0.6, 0.6), g -> in(v(grid(g, 0.1, new int[] {3, 4}))));
        t.add("clamp", "open above [0.4, +inf)", xs -> xs[0].clamp(0.4, Double.POSITIVE_INFINITY), g -> in(v(grid(g, 0.1, new int[] {3, 4}))));
        t.add("clamp", "open below (-inf, -0.4], times x", xs -> xs[0].clamp(Double.NEGATIVE_INFINITY, -0.4).mul(xs[0]), g -> in(v(grid(g, 0.1, new int[] {3, 4}))));
        t.add("clamp", "tensor bounds min [3], max [2,3], all checked", xs -> xs[0].clamp(xs[1], xs[2]),
                g -> in(v(t(new double[] {-1.0, 0.0, 1.0, 0.3, -0.3, 2.0}, 2, 3)),
                        v(t(new double[] {-0.5, -0.5, 0.5}, 3)),
                        v(t(new double[] {0.5, 0.5, 1.5, 0.8, 0.2, 1.0}, 2, 3))));
    }

    // ================================================================== reductions

    private static void reductions(Table t) {
        for (String op : new String[] {"sum", "mean", "amax", "amin"}) {
            reduction(t, op, "all axes", null, false, 2, 3, 4);
            reduction(t, op, "all axes keepdim", null, true, 2, 3, 4);
            reduction(t, op, "empty axes = all", new int[0], false, 2, 3);
            reduction(t, op, "axis 0", new int[] {0}, false, 2, 3, 4);
            reduction(t, op, "axis 1 keepdim", new int[] {1}, true, 2, 3, 4);
            reduction(t, op, "axis -1", new int[] {-1}, false, 2, 3, 4);
            reduction(t, op, "axes {0,2}", new int[] {0, 2}, false, 2, 3, 4);
            reduction(t, op, "axes {0,2} keepdim", new int[] {0, 2}, true, 2, 3, 4);
            reduction(t, op, "axes {2,0,1} keepdim", new int[] {2, 0, 1}, true, 2, 3, 2);
            reduction(t, op, "0-d input", null, false);
            Function<Tensor, Tensor> r = reducer(op, new int[] {0}, false);
            t.add(op, "axis 0 of transposed", xs -> r.apply(xs[0].transpose(0, 1)), g -> in(v(distinct(g, 0.1, 3, 4))));
            t.add(op, "axis 0 of expanded [3,1]->[3,4]", xs -> r.apply(xs[0].expand(3, 4)).mul(xs[1]),
                    g -> in(v(distinct(g, 0.1, 3, 1)), v(randn(g, 4))));
        }
        t.add("sum_to_shape", "[2,3,4] -> [3,1]", xs -> xs[0].sumToShape(3, 1), g -> in(v(randn(g, 2, 3, 4))));
        t.add("sum_to_shape", "[2,3,4] -> [4]", xs -> xs[0].sumToShape(4), g -> in(v(randn(g, 2, 3, 4))));
        t.add("sum_to_shape", "[2,3,4] -> [1,3,4]", xs -> xs[0].sumToShape(1, 3, 4), g -> in(v(randn(g, 2, 3, 4))));
        t.add("sum_to_shape", "[2,3] -> 0-d", xs -> xs[0].sumToShape(), g -> in(v(randn(g, 2, 3))));
        t.add("sum_to_shape", "same shape (identity)", xs -> xs[0].sumToShape(2, 3), g -> in(v(randn(g, 2, 3))));
        t.add("sum_to_shape", "of transposed [3,2]^T -> [1,2]", xs -> xs[0].transpose(0, 1).sumToShape(1, 2), g -> in(v(randn(g, 2, 2))));
    }

    private static Function<Tensor, Tensor> reducer(String op, int[] axes, boolean keepdim) {
        return switch (op) {
            case "sum" -> x -> x.sum(axes, keepdim);
            case "mean" -> x -> x.mean(axes, keepdim);
            case "amax" -> x -> x.amax(axes, keepdim);
            case "amin" -> x -> x.amin(axes, keepdim);
            default -> throw new IllegalArgumentException(op);
        };
    }

    private static void reduction(Table t, String op, String variant, int[] axes, boolean keepdim, int... shape) {
        Function<Tensor, Tensor> r = reducer(op, axes, keepdim);
        // distinct, well-separated values keep amax/amin away from ties; harmless for sum/mean
        t.add(op, variant, xs -> r.apply(xs[0]), g -> in(v(distinct(g, 0.1, shape))));
    }

    // ================================================================== views

    private static void views(Table t) {
        t.add("reshape", "contiguous [2,6] -> [3,4]", xs -> xs[0].reshape(3, 4), g -> in(v(randn(g, 2, 6))));
        t.add("reshape", "inferred -1 [2,3,2] -> [-1,4]", xs -> xs[0].reshape(-1, 4), g -> in(v(randn(g, 2, 3, 2))));
        t.add("reshape", "transposed then reshape (copies)", xs -> xs[0].transpose(0, 1).reshape(6), g -> in(v(randn(g, 2, 3))));
        t.add("reshape", "[1,1] -> 0-d", xs -> xs[0].reshape(), g -> in(v(randn(g, 1, 1))));
        t.add("reshape", "unsqueeze/squeeze/flatten", xs -> xs[0].unsqueeze(1).flatten(1).unsqueeze(-1).squeeze(2).mul(xs[0].flatten(1)),
                g -> in(v(randn(g, 2, 2, 3))));
        t.add("permute", "3-D (2,0,1)", xs -> xs[0].permute(2, 0, 1), g -> in(v(randn(g, 2, 3, 4))));
        t.add("permute", "transpose 2-D times itself", xs -> xs[0].transpose(0, 1).mul(xs[0].transpose(0, 1).exp()), g -> in(v(randn(g, 2, 3))));
        t.add("permute", "negative axes of a slice", xs -> xs[0].slice(2, 1, 4).permute(-1, 0, -2), g -> in(v(randn(g, 2, 3, 4))));
        t.add("expand", "[3,1] -> [2,3,4]", xs -> xs[0].expand(2, 3, 4), g -> in(v(randn(g, 3, 1))));
        t.add("expand", "0-d -> [2,3]", xs -> xs[0].expand(2, 3), g -> in(v(randn(g))));
        t.add("expand", "transposed [1,3] -> [3,1] -> [3,4], squared", xs -> xs[0].transpose(0, 1).expand(3, 4).square(), g -> in(v(randn(g, 1, 3))));
        t.add("expand", "expanded then reshaped (copies)", xs -> xs[0].expand(2, 3).reshape(3, 2).mul(xs[1]), g -> in(v(randn(g, 3)), v(randn(g, 3, 2))));
        t.add("slice", "axis 1 [1:3]", xs -> xs[0].slice(1, 1, 3), g -> in(v(randn(g, 2, 4))));
        t.add("slice", "step 2", xs -> xs[0].slice(1, 0, 5, 2), g -> in(v(randn(g, 2, 5))));
        t.add("slice", "negative start/end [-3:-1]", xs -> xs[0].slice(0, -3, -1), g -> in(v(randn(g, 4, 2))));
        t.add("slice", "step 3 of transposed", xs -> xs[0].transpose(0, 1).slice(0, 1, 6, 3), g -> in(v(randn(g, 2, 6))));
        t.add("slice", "slice of slice, squared", xs -> xs[0].slice(0, 1, 4).slice(1, 0, 3, 2).square(), g -> in(v(randn(g, 4, 4))));
        t.add("embed", "axis 1 start 1 step 2 into [2,5]", xs -> View.embed(xs[0], new int[] {2, 5}, 1, 1, 2), g -> in(v(randn(g, 2, 2))));
        t.add("embed", "axis 0 start 0 step 1 into [4,3]", xs -> View.embed(xs[0], new int[] {4, 3}, 0, 0, 1), g -> in(v(randn(g, 2, 3))));
        t.add("embed", "transposed source, times x", xs -> View.embed(xs[0].transpose(0, 1), new int[] {3, 5}, 1, 2, 1).mul(xs[1]),
                g -> in(v(randn(g, 3, 3)), v(randn(g, 3, 5))));
        t.add("contiguous", "transposed", xs -> xs[0].transpose(0, 1).contiguous(), g -> in(v(randn(g, 2, 3))));
        t.add("contiguous", "strided slice", xs -> xs[0].slice(1, 0, 6, 2).contiguous().square(), g -> in(v(randn(g, 2, 6))));
        t.add("contiguous", "expanded (stride 0)", xs -> xs[0].expand(3, 4).contiguous().mul(xs[1]), g -> in(v(randn(g, 3, 1)), v(randn(g, 3, 4))));
        t.add("contiguous", "already contiguous (no copy)", xs -> xs[0].contiguous(), g -> in(v(randn(g, 2, 3))));
        // The checked inputs must be float64, so cast is checked as float64 -> float32 -> float64. Rounding to
        // float32 (relative 6e-8) swamps central differences at eps 1e-6, so these cases use eps 1e-2 on functions
        // that are at most quadratic in the inputs (central differences are exact for them up to rounding) and a
        // tolerance of 1e-4 (observed errors ~4e-6): a missing, doubled or mis-typed gradient is still off by O(1).
        GradCheck.Options castOpt = new GradCheck.Options(1e-2, 1e-4, 1e-4, 1234);
        t.add("cast", "f64 -> f32 -> f64 round trip", xs -> xs[0].to(DType.FLOAT32).to(F64), g -> in(v(randn(g, 2, 3))), castOpt);
        t.add("cast", "f64 -> f32, x*w in f32, -> f64", xs -> xs[0].to(DType.FLOAT32).mul(xs[1].to(DType.FLOAT32)).to(F64),
                g -> in(v(randn(g, 2, 3)), v(randn(g, 3))), castOpt);
    }

    private static void joins(Table t) {
        t.add("concat", "axis 0, three inputs", xs -> Tensor.concat(0, xs[0], xs[1], xs[2]),
                g -> in(v(randn(g, 1, 3)), v(randn(g, 2, 3)), v(randn(g, 3, 3))));
        t.add("concat", "axis 1, middle input constant", xs -> Tensor.concat(1, xs[0], xs[1], xs[2]),
                g -> in(v(randn(g, 2, 2)), randn(g, 2, 1), v(randn(g, 2, 3))));
        t.add("concat", "axis -1 of 3-D, transposed input", xs -> Tensor.concat(-1, xs[0].transpose(1, 2), xs[1]),
                g -> in(v(randn(g, 2, 2, 3)), v(randn(g, 2, 3, 1))));
        t.add("concat", "same tensor twice, squared", xs -> Tensor.concat(0, xs[0], xs[0]).square(), g -> in(v(randn(g, 2, 2))));
        t.add("stack", "axis 0", xs -> Tensor.stack(0, xs[0], xs[1]), g -> in(v(randn(g, 2, 3)), v(randn(g, 2, 3))));
        t.add("stack", "axis 1, three inputs", xs -> Tensor.stack(1, xs[0], xs[1], xs[2]),
                g -> in(v(randn(g, 2, 3)), randn(g, 2, 3), v(randn(g, 2, 3))));
        t.add("stack", "axis -1 (new last), times itself", xs -> Tensor.stack(-1, xs[0], xs[1]).mul(Tensor.stack(-1, xs[1], xs[0])),
                g -> in(v(randn(g, 3)), v(randn(g, 3))));
    }

    private static void indexing(Table t) {
        t.add("gather", "axis 1, repeated indices", xs -> xs[0].gather(1, xs[1]),
                g -> in(v(randn(g, 3, 4)), Tensor.ofInts(new int[] {0, 0, 3, 2, 1, 2, 3, 3, 0}, 3, 3)));
        t.add("gather", "axis 0, index smaller than x", xs -> xs[0].gather(0, xs[1]),
                g -> in(v(randn(g, 3, 4)), Tensor.ofInts(new int[] {2, 0, 1, 2, 0, 0}, 2, 3)));
        t.add("gather", "3-D axis -1, squared", xs -> xs[0].gather(-1, xs[1]).square(),
                g -> in(v(randn(g, 2, 2, 3)), Tensor.ofInts(new int[] {2, 1, 0, 0, 1, 1, 2, 2}, 2, 2, 2)));
        t.add("gather", "of transposed", xs -> xs[0].transpose(0, 1).gather(1, xs[1]),
                g -> in(v(randn(g, 3, 2)), Tensor.ofInts(new int[] {1, 1, 2, 0}, 2, 2)));
        t.add("scatter_add", "axis 0, repeated indices", xs -> F.scatterAdd(xs[0], 0, xs[1], new int[] {3, 3}),
                g -> in(v(randn(g, 2, 3)), Tensor.ofInts(new int[] {0, 2, 0, 0, 1, 0}, 2, 3)));
        t.add("scatter_add", "axis 1 into larger shape, squared", xs -> F.scatterAdd(xs[0], 1, xs[1], new int[] {3, 5}).square(),
                g -> in(v(randn(g, 2, 3)), Tensor.ofInts(new int[] {4, 4, 1, 0, 2, 4}, 2, 3)));
        t.add("index_select", "axis 0, repeated", xs -> xs[0].indexSelect(0, xs[1]),
                g -> in(v(randn(g, 4, 3)), Tensor.ofInts(new int[] {2, 0, 2}, 3)));
        t.add("index_select", "axis 1", xs -> xs[0].indexSelect(1, xs[1]),
                g -> in(v(randn(g, 2, 4)), Tensor.ofInts(new int[] {3, 1}, 2)));
        t.add("index_select", "axis -1 of transposed 3-D, times x", xs -> xs[0].transpose(0, 2).indexSelect(-1, xs[1]).mul(xs[0].transpose(0, 2)),
                g -> in(v(randn(g, 2, 3, 2)), Tensor.ofInts(new int[] {1, 1}, 2)));
    }

    private static void matmul(Table t) {
        t.add("matmul", "[2,3]@[3,4]", xs -> xs[0].matmul(xs[1]), g -> in(v(randn(g, 2, 3)), v(randn(g, 3, 4))));
        t.add("matmul", "batched [2,2,3]@[2,3,2]", xs -> xs[0].matmul(xs[1]), g -> in(v(randn(g, 2, 2, 3)), v(randn(g, 2, 3, 2))));
        t.add("matmul", "broadcast batch [2,1,2,3]@[3,3,2]", xs -> xs[0].matmul(xs[1]), g -> in(v(randn(g, 2, 1, 2, 3)), v(randn(g, 3, 3, 2))));
        t.add("matmul", "3-D @ 2-D [2,2,3]@[3,4]", xs -> xs[0].matmul(xs[1]), g -> in(v(randn(g, 2, 2, 3)), v(randn(g, 3, 4))));
        t.add("matmul", "1-D @ 2-D [3]@[3,4]", xs -> xs[0].matmul(xs[1]), g -> in(v(randn(g, 3)), v(randn(g, 3, 4))));
        t.add("matmul", "2-D @ 1-D [2,3]@[3]", xs -> xs[0].matmul(xs[1]), g -> in(v(randn(g, 2, 3)), v(randn(g, 3))));
        t.add("matmul", "1-D @ 1-D dot", xs -> xs[0].matmul(xs[1]), g -> in(v(randn(g, 3)), v(randn(g, 3))));
        t.add("matmul", "transposed operands", xs -> xs[0].transpose(0, 1).matmul(xs[1].transpose(0, 1)),
                g -> in(v(randn(g, 3, 2)), v(randn(g, 4, 3))));
        t.add("matmul", "b constant", xs -> xs[0].matmul(xs[1]), g -> in(v(randn(g, 2, 3)), randn(g, 3, 2)));
        t.add("matmul", "x^T x (same input twice)", xs -> xs[0].transpose(0, 1).matmul(xs[0]), g -> in(v(randn(g, 3, 2))));
    }

    // ================================================================== convolution and pooling

    private static ConvGeometry geo(int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        return new ConvGeometry(sh, sw, ph, pw, dh, dw, groups);
    }

    private static void conv(Table t, String variant, int[] x, int[] w, boolean bias, ConvGeometry geo) {
        t.add("conv2d", variant, xs -> F.conv2d(xs[0], xs[1], bias ? xs[2] : null, geo),
                g -> bias ? in(v(randn(g, x)), v(randn(g, w)), v(randn(g, w[0]))) : in(v(randn(g, x)), v(randn(g, w))));
    }

    private static void convolutions(Table t) {
        conv(t, "basic 3x3, N=2, bias", new int[] {2, 2, 5, 5}, new int[] {3, 2, 3, 3}, true, ConvGeometry.of(1, 0));
        conv(t, "stride2_pad1", new int[] {1, 2, 5, 5}, new int[] {2, 2, 3, 3}, true, ConvGeometry.of(2, 1));
        conv(t, "stride2 with unused last row/col", new int[] {1, 1, 6, 6}, new int[] {2, 1, 3, 3}, false, ConvGeometry.of(2, 0));
        conv(t, "dilation2_pad1", new int[] {1, 2, 6, 6}, new int[] {2, 2, 2, 2}, false, geo(1, 1, 1, 1, 2, 2, 1));
        conv(t, "groups2_pad1, bias", new int[] {1, 4, 4, 4}, new int[] {4, 2, 3, 3}, true, geo(1, 1, 1, 1, 1, 1, 2));
        conv(t, "depthwise groups=C=3", new int[] {1, 3, 5, 5}, new int[] {3, 1, 3, 3}, false, geo(1, 1, 0, 0, 1, 1, 3));
        conv(t, "rect kernel 2x3, stride (1,2), pad (1,0)", new int[] {1, 2, 5, 6}, new int[] {2, 2, 2, 3}, true, geo(1, 2, 1, 0, 1, 1, 1));
        conv(t, "1x1 kernel, no bias", new int[] {2, 3, 3, 3}, new int[] {2, 3, 1, 1}, false, ConvGeometry.of(1, 0));
        conv(t, "kernel larger than input, pad 1", new int[] {1, 1, 2, 2}, new int[] {2, 1, 3, 3}, true, ConvGeometry.of(1, 1));
        conv(t, "everything: stride (2,1), pad (1,2), dilation (1,2), groups 2, bias", new int[] {1, 4, 5, 5}, new int[] {2, 2, 2, 3}, true, geo(2, 1, 1, 2, 1, 2, 2));
        t.add("conv2d", "non-contiguous input (permuted)", xs -> F.conv2d(xs[0].permute(0, 1, 3, 2), xs[1], null, ConvGeometry.of(1, 1)),
                g -> in(v(randn(g, 1, 2, 4, 5)), v(randn(g, 2, 2, 3, 3))));
        t.add("conv2d", "weight only (x constant), then tanh", xs -> F.conv2d(xs[0], xs[1], null, ConvGeometry.of(1, 0)).tanh(),
                g -> in(randn(g, 1, 2, 4, 4), v(randn(g, 2, 2, 3, 3))));
        t.add("conv2d", "bias only", xs -> F.conv2d(xs[0], xs[1], xs[2], ConvGeometry.of(1, 0)),
                g -> in(randn(g, 1, 2, 4, 4), randn(g, 3, 2, 3, 3), v(randn(g, 3))));

        // conv2d_relu: random operands put the pre-activations far from the kink (relative to the difference step)
        t.add("conv2d_relu", "3x3 pad 1, bias", xs -> F.conv2dRelu(xs[0], xs[1], xs[2], ConvGeometry.of(1, 1)),
                g -> in(v(randn(g, 2, 2, 4, 4)), v(randn(g, 3, 2, 3, 3)), v(randn(g, 3))));
        t.add("conv2d_relu", "stride 2, no bias", xs -> F.conv2dRelu(xs[0], xs[1], null, ConvGeometry.of(2, 0)),
                g -> in(v(randn(g, 1, 2, 5, 5)), v(randn(g, 2, 2, 3, 3))));
        t.add("conv2d_relu", "squared (nonzero second derivative), bias", xs -> F.conv2dRelu(xs[0], xs[1], xs[2], ConvGeometry.of(1, 0)).square(),
                g -> in(v(randn(g, 1, 2, 4, 4)), v(randn(g, 2, 2, 2, 2)), v(randn(g, 2))));
        t.add("conv2d_relu", "bias only (x and w constant), squared", xs -> F.conv2dRelu(xs[0], xs[1], xs[2], ConvGeometry.of(1, 0)).square(),
                g -> in(randn(g, 1, 1, 3, 3), randn(g, 2, 1, 2, 2), v(randn(g, 2))));

        // conv2d_input_grad(gy, w) -> dx of shape xShape; gy and w checked
        inputGrad(t, "stride1_pad1", new int[] {1, 3, 4, 4}, new int[] {3, 2, 3, 3}, new int[] {1, 2, 4, 4}, ConvGeometry.of(1, 1));
        inputGrad(t, "stride2_pad1, x 5x5", new int[] {2, 2, 3, 3}, new int[] {2, 2, 3, 3}, new int[] {2, 2, 5, 5}, ConvGeometry.of(2, 1));
        inputGrad(t, "stride2_pad1, x 6x6 (same gy size)", new int[] {1, 2, 3, 3}, new int[] {2, 2, 3, 3}, new int[] {1, 2, 6, 6}, ConvGeometry.of(2, 1));
        inputGrad(t, "groups2, dilation2, pad2", new int[] {1, 4, 5, 5}, new int[] {4, 2, 3, 3}, new int[] {1, 4, 5, 5}, geo(1, 1, 2, 2, 2, 2, 2));
        inputGrad(t, "rect kernel 2x3, stride (2,1)", new int[] {1, 2, 2, 3}, new int[] {2, 1, 2, 3}, new int[] {1, 1, 4, 5}, geo(2, 1, 0, 0, 1, 1, 1));

        // conv2d_weight_grad(x, gy) -> dw of shape wShape; x and gy checked
        weightGrad(t, "stride1_pad1", new int[] {1, 2, 4, 4}, new int[] {1, 3, 4, 4}, new int[] {3, 2, 3, 3}, ConvGeometry.of(1, 1));
        weightGrad(t, "stride2_pad1, N=2", new int[] {2, 2, 5, 5}, new int[] {2, 2, 3, 3}, new int[] {2, 2, 3, 3}, ConvGeometry.of(2, 1));
        weightGrad(t, "stride2, unused last row/col", new int[] {1, 1, 6, 6}, new int[] {1, 2, 2, 2}, new int[] {2, 1, 3, 3}, ConvGeometry.of(2, 0));
        weightGrad(t, "groups2, dilation2, pad2", new int[] {1, 4, 5, 5}, new int[] {1, 4, 5, 5}, new int[] {4, 2, 3, 3}, geo(1, 1, 2, 2, 2, 2, 2));
        weightGrad(t, "rect kernel 2x3, stride (1,2), pad (1,0)", new int[] {1, 2, 4, 5}, new int[] {1, 2, 5, 2}, new int[] {2, 2, 2, 3}, geo(1, 2, 1, 0, 1, 1, 1));

        // conv_transpose2d: w [C_in, C_out/groups, kh, kw]
        convT(t, "stride2_pad1, output padding 1, bias", new int[] {1, 2, 3, 3}, new int[] {2, 3, 3, 3}, true, ConvGeometry.of(2, 1), 1, 1);
        convT(t, "groups2, bias", new int[] {1, 4, 3, 3}, new int[] {4, 1, 3, 3}, true, geo(1, 1, 0, 0, 1, 1, 2), 0, 0);
        convT(t, "groups2, stride2, output padding (1,0)", new int[] {2, 2, 2, 3}, new int[] {2, 2, 2, 2}, false, geo(2, 2, 0, 1, 1, 1, 2), 1, 0);
        convT(t, "dilation2, stride (2,1), output padding (1,1)", new int[] {1, 2, 3, 3}, new int[] {2, 2, 2, 2}, false, geo(2, 1, 1, 0, 2, 2, 1), 1, 1);
        convT(t, "rect kernel 3x2, no padding", new int[] {1, 2, 2, 3}, new int[] {2, 2, 3, 2}, true, ConvGeometry.of(1, 0), 0, 0);
    }

    private static void inputGrad(Table t, String variant, int[] gy, int[] w, int[] xShape, ConvGeometry geo) {
        t.add("conv2d_input_grad", variant, xs -> Convolution.inputGrad(xs[0], xs[1], geo, xShape), g -> in(v(randn(g, gy)), v(randn(g, w))));
    }

    private static void weightGrad(Table t, String variant, int[] x, int[] gy, int[] wShape, ConvGeometry geo) {
        t.add("conv2d_weight_grad", variant, xs -> Convolution.weightGrad(xs[0], xs[1], geo, wShape), g -> in(v(randn(g, x)), v(randn(g, gy))));
    }

    private static void convT(Table t, String variant, int[] x, int[] w, boolean bias, ConvGeometry geo, int oph, int opw) {
        t.add("conv_transpose2d", variant, xs -> F.convTranspose2d(xs[0], xs[1], bias ? xs[2] : null, geo, oph, opw),
                g -> bias ? in(v(randn(g, x)), v(randn(g, w)), v(randn(g, w[1] * geo.groups()))) : in(v(randn(g, x)), v(randn(g, w))));
    }

    private static void pooling(Table t) {
        // distinct values 0.1 apart (negative ones included, so padding must never win): no ties within a window
        maxPool(t, "k2_s2", new int[] {1, 2, 4, 4}, PoolGeometry.of(2, 2, 0));
        maxPool(t, "k3_s1 overlapping", new int[] {1, 1, 5, 5}, PoolGeometry.of(3, 1, 0));
        maxPool(t, "k3_s2_pad1 overlapping, padded, N=2", new int[] {2, 2, 5, 5}, PoolGeometry.of(3, 2, 1));
        maxPool(t, "k2_s1_pad1 padded", new int[] {1, 1, 4, 4}, PoolGeometry.of(2, 1, 1));
        maxPool(t, "rect k(2,3) s(1,2) pad(1,1)", new int[] {1, 2, 4, 5}, new PoolGeometry(2, 3, 1, 2, 1, 1, 1, 1));
        maxPool(t, "dilation 2", new int[] {1, 1, 5, 5}, new PoolGeometry(2, 2, 1, 1, 0, 0, 2, 2));
        t.add("max_pool2d", "non-contiguous input (permuted), times x", xs -> F.maxPool2d(xs[0].permute(0, 1, 3, 2), PoolGeometry.of(2, 1, 0)).square(),
                g -> in(v(distinct(g, 0.1, 1, 2, 3, 4))));
        avgPool(t, "k2_s2", new int[] {1, 2, 4, 4}, PoolGeometry.of(2, 2, 0));
        avgPool(t, "k3_s1_pad1 (zeros counted)", new int[] {2, 1, 4, 4}, PoolGeometry.of(3, 1, 1));
        avgPool(t, "k3_s2_pad1 overlapping", new int[] {1, 2, 5, 5}, PoolGeometry.of(3, 2, 1));
        avgPool(t, "rect k(3,2) s(2,1) pad(1,0)", new int[] {1, 2, 5, 4}, new PoolGeometry(3, 2, 2, 1, 1, 0, 1, 1));
        t.add("avg_pool2d", "non-contiguous input (permuted), squared", xs -> F.avgPool2d(xs[0].permute(0, 1, 3, 2), 2, 1, 0).square(),
                g -> in(v(randn(g, 1, 2, 3, 4))));
        t.add("global_avg_pool2d", "[2,3,3,4]", xs -> F.globalAvgPool2d(xs[0]), g -> in(v(randn(g, 2, 3, 3, 4))));
        t.add("global_avg_pool2d", "non-contiguous input, squared", xs -> F.globalAvgPool2d(xs[0].permute(1, 0, 3, 2)).square(),
                g -> in(v(randn(g, 2, 2, 3, 3))));
    }

    private static void maxPool(Table t, String variant, int[] x, PoolGeometry p) {
        t.add("max_pool2d", variant, xs -> F.maxPool2d(xs[0], p), g -> in(v(distinct(g, 0.1, x))));
    }

    private static void avgPool(Table t, String variant, int[] x, PoolGeometry p) {
        t.add("avg_pool2d", variant, xs -> F.avgPool2d(xs[0], p), g -> in(v(randn(g, x))));
    }

    // ================================================================== normalization, dropout

    private static void normalization(Table t) {
        // Training mode updates running statistics in place: they are created inside the function, fresh for
        // every evaluation. Evaluation mode only reads them, so they are passed as constant inputs.
        t.add("batch_norm", "train 2-D, affine, running stats", xs -> F.batchNorm(xs[0], xs[1], xs[2],
                        Tensor.zeros(F64, 3), Tensor.full(F64, 1.0, 3), true, 0.1, 1e-5),
                g -> in(v(randn(g, 4, 3)), v(randn(g, 3)), v(randn(g, 3))));
        t.add("batch_norm", "train 4-D, affine, running stats", xs -> F.batchNorm(xs[0], xs[1], xs[2],
                        Tensor.zeros(F64, 2), Tensor.full(F64, 1.0, 2), true, 0.1, 1e-5),
                g -> in(v(randn(g, 2, 2, 2, 3)), v(randn(g, 2)), v(randn(g, 2))));
        t.add("batch_norm", "train 2-D, no affine, no running stats", xs -> F.batchNorm(xs[0], null, null, null, null, true, 0.1, 1e-5),
                g -> in(v(randn(g, 3, 2))));
        t.add("batch_norm", "train 4-D, no affine, squared output", xs -> F.batchNorm(xs[0], null, null, null, null, true, 0.1, 1e-5).square(),
                g -> in(v(randn(g, 2, 2, 2, 2))));
        t.add("batch_norm", "train 4-D, non-contiguous x, weight only", xs -> F.batchNorm(xs[0].permute(1, 0, 2, 3), xs[1], null, null, null, true, 0.1, 1e-5),
                g -> in(v(randn(g, 2, 2, 2, 2)), v(randn(g, 2))));
        t.add("batch_norm", "eval 2-D, affine", xs -> F.batchNorm(xs[0], xs[1], xs[2], xs[3], xs[4], false, 0.1, 1e-5),
                g -> in(v(randn(g, 4, 3)), v(randn(g, 3)), v(randn(g, 3)), randn(g, 3), uniform(g, 0.5, 2.0, 3)));
        t.add("batch_norm", "eval 4-D, affine", xs -> F.batchNorm(xs[0], xs[1], xs[2], xs[3], xs[4], false, 0.1, 1e-5),
                g -> in(v(randn(g, 2, 3, 2, 2)), v(randn(g, 3)), v(randn(g, 3)), randn(g, 3), uniform(g, 0.5, 2.0, 3)));
        t.add("batch_norm", "eval 4-D, no affine, squared", xs -> F.batchNorm(xs[0], null, null, xs[1], xs[2], false, 0.1, 1e-5).square(),
                g -> in(v(randn(g, 2, 2, 2, 2)), randn(g, 2), uniform(g, 0.5, 2.0, 2)));

        // batch norm's per-channel primitives, every input differentiable (the variance about a mean that is not
        // the batch mean, so its mean gradient is not zero)
        t.add("channel_normalize", "4-D, all inputs", xs -> ChannelOps.channelNormalize(xs[0], xs[1], xs[2], xs[3]),
                g -> in(v(randn(g, 2, 3, 2, 2)), v(randn(g, 3)), v(randn(g, 3)), v(randn(g, 3))));
        t.add("channel_normalize", "2-D, squared output", xs -> ChannelOps.channelNormalize(xs[0], xs[1], xs[2], xs[3]).square(),
                g -> in(v(randn(g, 4, 2)), v(randn(g, 2)), v(randn(g, 2)), v(randn(g, 2))));
        t.add("channel_normalize", "3-D non-contiguous x, times x", xs -> ChannelOps.channelNormalize(xs[0].permute(1, 0, 2), xs[1], xs[2], xs[3]).mul(xs[0].permute(1, 0, 2)),
                g -> in(v(randn(g, 2, 3, 2)), v(randn(g, 2)), v(randn(g, 2)), v(randn(g, 2))));
        t.add("channel_normalize_relu", "4-D, all inputs", xs -> ChannelOps.channelNormalizeRelu(xs[0], xs[1], xs[2], xs[3]),
                g -> in(v(randn(g, 2, 3, 2, 2)), v(randn(g, 3)), v(randn(g, 3)), v(randn(g, 3))));
        t.add("channel_normalize_relu", "2-D, squared output (nonzero second derivative)", xs -> ChannelOps.channelNormalizeRelu(xs[0], xs[1], xs[2], xs[3]).square(),
                g -> in(v(randn(g, 4, 3)), v(randn(g, 3)), v(randn(g, 3)), v(randn(g, 3))));
        t.add("channel_centered_dot", "4-D, all inputs", xs -> ChannelOps.channelCenteredDot(xs[0], xs[1], xs[2]),
                g -> in(v(randn(g, 2, 3, 2, 2)), v(randn(g, 2, 3, 2, 2)), v(randn(g, 3))));
        t.add("channel_centered_dot", "2-D, squared (nonzero second derivative)", xs -> ChannelOps.channelCenteredDot(xs[0], xs[1], xs[2]).square(),
                g -> in(v(randn(g, 4, 3)), v(randn(g, 4, 3)), v(randn(g, 3))));
        t.add("channel_centered_dot", "3-D non-contiguous g and x, g = x times x", xs -> ChannelOps.channelCenteredDot(
                        xs[0].permute(1, 0, 2).mul(xs[0].permute(1, 0, 2)), xs[0].permute(1, 0, 2), xs[1]).square(),
                g -> in(v(randn(g, 2, 3, 2)), v(randn(g, 2))));
        t.add("channel_combine", "4-D, all inputs", xs -> ChannelOps.channelCombine(xs[0], xs[1], xs[2], xs[3], xs[4]),
                g -> in(v(randn(g, 2, 3, 2, 2)), v(randn(g, 2, 3, 2, 2)), v(randn(g, 3)), v(randn(g, 3)), v(randn(g, 3))));
        t.add("channel_combine", "2-D, squared (nonzero second derivative)", xs -> ChannelOps.channelCombine(xs[0], xs[1], xs[2], xs[3], xs[4]).square(),
                g -> in(v(randn(g, 4, 3)), v(randn(g, 4, 3)), v(randn(g, 3)), v(randn(g, 3)), v(randn(g, 3))));
        t.add("channel_combine", "3-D non-contiguous u and v, u = v times v", xs -> ChannelOps.channelCombine(
                        xs[0].permute(1, 0, 2).mul(xs[0].permute(1, 0, 2)), xs[0].permute(1, 0, 2), xs[1], xs[2], xs[3]).square(),
                g -> in(v(randn(g, 2, 3, 2)), v(randn(g, 2)), v(randn(g, 2)), v(randn(g, 2))));
        t.add("batch_norm", "train 4-D relu, affine, squared output", xs -> F.batchNormRelu(xs[0], xs[1], xs[2], null, null, true, 0.1, 1e-5).square(),
                g -> in(v(randn(g, 3, 2, 2, 2)), v(randn(g, 2)), v(randn(g, 2))));
        t.add("channel_normalize", "4-D, scale gradient into a squared loss", xs -> ChannelOps.channelNormalize(xs[0], xs[1], xs[2], xs[3]).square().mul(xs[0]),
                g -> in(v(randn(g, 2, 3, 2, 2)), v(randn(g, 3)), v(randn(g, 3)), v(randn(g, 3))));
        t.add("channel_variance", "4-D, off-center mean", xs -> ChannelOps.channelVariance(xs[0], xs[1]),
                g -> in(v(randn(g, 2, 3, 2, 2)), v(randn(g, 3))));
        t.add("channel_variance", "2-D, squared", xs -> ChannelOps.channelVariance(xs[0], xs[1]).square(),
                g -> in(v(randn(g, 5, 2)), v(randn(g, 2))));
        t.add("channel_variance", "4-D non-contiguous x, batch mean", xs -> ChannelOps.channelVariance(xs[0].permute(1, 0, 2, 3), xs[0].permute(1, 0, 2, 3).mean(new int[] {0, 2, 3}, false)),
                g -> in(v(randn(g, 3, 2, 2, 2))));

        // dropout: a Generator created inside the function draws the same mask at every evaluation
        t.add("dropout", "train p=0.3 [4,5]", xs -> F.dropout(xs[0], 0.3, true, new Generator(77)), g -> in(v(randn(g, 4, 5))));
        t.add("dropout", "train p=0.5 4-D, squared", xs -> F.dropout(xs[0], 0.5, true, new Generator(78)).square(), g -> in(v(randn(g, 2, 2, 3, 3))));
        t.add("dropout", "eval (identity)", xs -> F.dropout(xs[0], 0.5, false, new Generator(79)), g -> in(v(randn(g, 3, 4))));
        t.add("dropout", "train p=0 (identity)", xs -> F.dropout(xs[0], 0.0, true, new Generator(80)), g -> in(v(randn(g, 3, 4))));
    }

    private static void softmax(Table t) {
        t.add("softmax", "axis 1", xs -> xs[0].softmax(1), g -> in(v(randn(g, 3, 4))));
        t.add("softmax", "axis 0", xs -> xs[0].softmax(0), g -> in(v(randn(g, 3, 4))));
        t.add("softmax", "axis -1 of 3-D, transposed", xs -> xs[0].transpose(1, 2).softmax(-1), g -> in(v(randn(g, 2, 3, 3))));
        t.add("softmax", "large offset (+50)", xs -> xs[0].add(50.0).softmax(1), g -> in(v(randn(g, 2, 4))));
        t.add("log_softmax", "axis 1", xs -> xs[0].logSoftmax(1), g -> in(v(randn(g, 3, 4))));
        t.add("log_softmax", "axis 0", xs -> xs[0].logSoftmax(0), g -> in(v(randn(g, 3, 4))));
        t.add("log_softmax", "axis 1 of 3-D", xs -> xs[0].logSoftmax(1), g -> in(v(randn(g, 2, 3, 2))));
        t.add("log_softmax", "large offset (-60)", xs -> xs[0].sub(60.0).logSoftmax(1), g -> in(v(randn(g, 2, 4))));
        t.add("logsumexp", "axis 1", xs -> xs[0].logsumexp(new int[] {1}, false), g -> in(v(randn(g, 3, 4))));
        t.add("logsumexp", "axes {0,2} keepdim", xs -> xs[0].logsumexp(new int[] {0, 2}, true), g -> in(v(randn(g, 2, 3, 2))));
        t.add("logsumexp", "all axes", xs -> xs[0].logsumexp(null, false), g -> in(v(randn(g, 2, 3))));
        t.add("logsumexp", "large offset (+80), axis 0", xs -> xs[0].add(80.0).logsumexp(new int[] {0}, false), g -> in(v(randn(g, 3, 2))));
    }

    // ================================================================== losses, norms

    private static void losses(Table t) {
        Tensor labels = Tensor.ofInts(new int[] {2, 0, 3}, 3);
        for (Loss.Reduction r : Loss.Reduction.values()) {
            t.add("cross_entropy", "smoothing 0.1, " + r, xs -> F.crossEntropy(xs[0], xs[1], 0.1, r), g -> in(v(randn(g, 3, 4)), labels));
        }
        t.add("cross_entropy", "smoothing 0, MEAN", xs -> F.crossEntropy(xs[0], xs[1]), g -> in(v(randn(g, 3, 4)), labels));
        t.add("cross_entropy", "smoothing 0, NONE", xs -> F.crossEntropy(xs[0], xs[1], 0.0, Loss.Reduction.NONE), g -> in(v(randn(g, 3, 4)), labels));
        t.add("cross_entropy", "smoothing 1.0, SUM", xs -> F.crossEntropy(xs[0], xs[1], 1.0, Loss.Reduction.SUM), g -> in(v(randn(g, 3, 4)), labels));
        t.add("cross_entropy", "transposed logits, repeated label", xs -> F.crossEntropy(xs[0].transpose(0, 1), xs[1], 0.2, Loss.Reduction.MEAN),
                g -> in(v(randn(g, 4, 3)), Tensor.ofInts(new int[] {1, 1, 0}, 3)));
        for (Loss.Reduction r : Loss.Reduction.values()) {
            t.add("kl_div", "target with zeros (constant), " + r, xs -> F.klDiv(xs[0], xs[1], r),
                    g -> in(v(randn(g, 2, 3)), t(new double[] {0.5, 0.0, 0.5, 0.2, 0.8, 0.0}, 2, 3)));
            t.add("kl_div", "positive target (checked), " + r, xs -> F.klDiv(xs[0], xs[1], r),
                    g -> in(v(randn(g, 2, 3)), v(uniform(g, 0.1, 1.0, 2, 3))));
        }
        for (Loss.Reduction r : Loss.Reduction.values()) {
            t.add("soft_margin_loss", r.toString(), xs -> F.softMarginLoss(xs[0], xs[1], r),
                    g -> in(v(randn(g, 2, 3)), t(new double[] {1, -1, -1, 1, 1, -1}, 2, 3)));
            t.add("binary_cross_entropy_with_logits", r + ", targets checked", xs -> F.bceWithLogits(xs[0], xs[1], r),
                    g -> in(v(randn(g, 2, 3)), v(uniform(g, 0.0, 1.0, 2, 3))));
            t.add("mse_loss", r.toString(), xs -> F.mseLoss(xs[0], xs[1], r), g -> in(v(randn(g, 2, 3)), v(randn(g, 2, 3))));
        }
        t.add("binary_cross_entropy_with_logits", "0/1 targets constant, 1-D", xs -> F.bceWithLogits(xs[0], xs[1], Loss.Reduction.MEAN),
                g -> in(v(randn(g, 4).mul(3.0)), t(new double[] {0, 1, 1, 0}, 4)));
        t.add("mse_loss", "b constant, 4-D", xs -> F.mseLoss(xs[0], xs[1], Loss.Reduction.MEAN), g -> in(v(randn(g, 2, 1, 2, 2)), randn(g, 2, 1, 2, 2)));
    }

    private static void norms(Table t) {
        t.add("l1_norm", "[3,4] away from 0", xs -> F.l1Norm(xs[0]), g -> in(v(away(g, 0.1, 3, 4))));
        t.add("l1_norm", "4-D", xs -> F.l1Norm(xs[0]), g -> in(v(away(g, 0.1, 2, 2, 2, 2))));
        t.add("l1_norm", "1-D (per-element |x|)", xs -> F.l1Norm(xs[0]), g -> in(v(away(g, 0.1, 4))));
        t.add("l2_norm", "[3,4]", xs -> F.l2Norm(xs[0]), g -> in(v(randn(g, 3, 4))));
        t.add("l2_norm", "4-D, squared", xs -> F.l2Norm(xs[0]).square(), g -> in(v(randn(g, 2, 2, 3, 1))));
        t.add("l2_norm", "1-D (per-element |x|)", xs -> F.l2Norm(xs[0]), g -> in(v(away(g, 0.1, 4))));
        t.add("l2_norm", "transposed input, times x", xs -> F.l2Norm(xs[0].transpose(0, 1)).reshape(3, 1).mul(xs[0].transpose(0, 1)),
                g -> in(v(randn(g, 2, 3))));
        // distinct magnitudes 0.1 apart (none below 0.1): no ties in max |x|, no kink of |x|
        t.add("linf_norm", "[3,4]", xs -> F.linfNorm(xs[0]), g -> in(v(distinctMagnitudes(g, 0.1, 3, 4))));
        t.add("linf_norm", "4-D", xs -> F.linfNorm(xs[0]), g -> in(v(distinctMagnitudes(g, 0.1, 2, 2, 2, 2))));
        t.add("linf_norm", "1-D (per-element |x|)", xs -> F.linfNorm(xs[0]), g -> in(v(distinctMagnitudes(g, 0.1, 4))));
        t.add("row_squared_norms", "[3,4]", xs -> F.rowSquaredNorms(xs[0]), g -> in(v(randn(g, 3, 4))));
        t.add("row_squared_norms", "4-D, times itself", xs -> F.rowSquaredNorms(xs[0]).square(), g -> in(v(randn(g, 2, 2, 3, 1))));
        t.add("row_squared_norms", "1-D (per-element x^2)", xs -> F.rowSquaredNorms(xs[0]), g -> in(v(randn(g, 4))));
        t.add("row_squared_norms", "transposed input, times x", xs -> F.rowSquaredNorms(xs[0].transpose(0, 1)).reshape(3, 1).mul(xs[0].transpose(0, 1)),
                g -> in(v(randn(g, 2, 3))));
    }

    // ================================================================== scans and sorting

    private static void scans(Table t) {
        t.add("cumsum", "axis 1", xs -> xs[0].cumsum(1), g -> in(v(randn(g, 2, 4))));
        t.add("cumsum", "axis 0", xs -> xs[0].cumsum(0), g -> in(v(randn(g, 3, 2))));
        t.add("cumsum", "axis -1 of 3-D, squared", xs -> xs[0].cumsum(-1).square(), g -> in(v(randn(g, 2, 2, 3))));
        t.add("cumsum", "reverse axis 1, squared", xs -> Scan.cumsum(xs[0], 1, true).square(), g -> in(v(randn(g, 2, 4))));
        t.add("cumsum", "of transposed, times x", xs -> xs[0].transpose(0, 1).cumsum(0).mul(xs[0].transpose(0, 1)), g -> in(v(randn(g, 2, 3))));
        t.add("cumsum", "1-D", xs -> xs[0].cumsum(0), g -> in(v(randn(g, 5))));
        // sort and topk on distinct values 0.1 apart: the order does not change within eps
        t.add("sort", "ascending axis 1", xs -> xs[0].sort(1, false), g -> in(v(distinct(g, 0.1, 3, 4))));
        t.add("sort", "descending axis 0", xs -> xs[0].sort(0, true), g -> in(v(distinct(g, 0.1, 3, 4))));
        t.add("sort", "axis -1 of 3-D, times x", xs -> xs[0].sort(-1, false).mul(xs[0]), g -> in(v(distinct(g, 0.1, 2, 2, 3))));
        t.add("sort", "of transposed, squared", xs -> xs[0].transpose(0, 1).sort(1, true).square(), g -> in(v(distinct(g, 0.1, 3, 2))));
        t.add("topk", "k=2 largest axis 1", xs -> xs[0].topk(2, 1), g -> in(v(distinct(g, 0.1, 3, 4))));
        t.add("topk", "k=2 smallest axis 0", xs -> Scan.topk(xs[0], 2, 0, false), g -> in(v(distinct(g, 0.1, 3, 4))));
        t.add("topk", "k=full axis -1, squared", xs -> xs[0].topk(3, -1).square(), g -> in(v(distinct(g, 0.1, 2, 3))));
        t.add("topk", "k=1 of transposed 3-D", xs -> xs[0].transpose(0, 2).topk(1, 1).exp(), g -> in(v(distinct(g, 0.1, 2, 3, 2))));
    }

    // ================================================================== forward cases (non-differentiable ops)

    private static List<ForwardCase> forwardCases() {
        List<ForwardCase> c = new ArrayList<>();
        // a = [[1, 2, 3], [4, 2, 0]], b = [2, 2, 3] (trailing broadcast), ties at (0,1), (0,2), (1,1)
        Supplier<Tensor> a = () -> v(t(new double[] {1, 2, 3, 4, 2, 0}, 2, 3));
        Supplier<Tensor> b = () -> v(t(new double[] {2, 2, 3}, 3));
        int[] s23 = {2, 3};
        c.add(new ForwardCase("eq", "broadcast [2,3] vs [3] with ties", () -> a.get().eq(b.get()), F64, s23, new double[] {0, 1, 1, 0, 1, 0}));
        c.add(new ForwardCase("ne", "broadcast [2,3] vs [3] with ties", () -> a.get().ne(b.get()), F64, s23, new double[] {1, 0, 0, 1, 0, 1}));
        c.add(new ForwardCase("lt", "broadcast [2,3] vs [3] with ties", () -> a.get().lt(b.get()), F64, s23, new double[] {1, 0, 0, 0, 0, 1}));
        c.add(new ForwardCase("le", "broadcast [2,3] vs [3] with ties", () -> a.get().le(b.get()), F64, s23, new double[] {1, 1, 1, 0, 1, 1}));
        c.add(new ForwardCase("gt", "broadcast [2,3] vs [3] with ties", () -> a.get().gt(b.get()), F64, s23, new double[] {0, 0, 0, 1, 0, 0}));
        c.add(new ForwardCase("ge", "broadcast [2,3] vs [3] with ties", () -> a.get().ge(b.get()), F64, s23, new double[] {0, 1, 1, 1, 1, 0}));
        c.add(new ForwardCase("eq", "0-d scalar", () -> a.get().eq(2.0), F64, s23, new double[] {0, 1, 0, 0, 1, 0}));
        c.add(new ForwardCase("lt", "0-d left vs [2,3]", () -> v(t(new double[] {2}, new int[0])).lt(a.get()), F64, s23, new double[] {0, 0, 1, 1, 0, 0}));
        c.add(new ForwardCase("gt", "float32, transposed", () -> Tensor.of(new float[] {1, 2, 3, 4, 2, 0}, 2, 3).transpose(0, 1).gt(Tensor.scalar(1.5)),
                DType.FLOAT32, new int[] {3, 2}, new double[] {0, 1, 1, 1, 1, 0}));
        c.add(new ForwardCase("ge", "both broadcast [2,1] vs [1,3]", () -> v(t(new double[] {1, 3}, 2, 1)).ge(v(t(new double[] {0, 1, 3}, 1, 3))),
                F64, s23, new double[] {1, 1, 0, 1, 1, 1}));

        // m = [[3, 1, 3, 0], [-1, 5, 5, 2], [7, 7, -2, -2]]
        Supplier<Tensor> m = () -> v(t(new double[] {3, 1, 3, 0, -1, 5, 5, 2, 7, 7, -2, -2}, 3, 4));
        DType i32 = DType.INT32;
        c.add(new ForwardCase("argmax", "axis 1, first on ties", () -> m.get().argmax(1), i32, new int[] {3}, new double[] {0, 1, 0}));
        c.add(new ForwardCase("argmax", "axis 0", () -> m.get().argmax(0), i32, new int[] {4}, new double[] {2, 2, 1, 1}));
        c.add(new ForwardCase("argmax", "axis -1 keepdim", () -> m.get().argmax(-1, true), i32, new int[] {3, 1}, new double[] {0, 1, 0}));
        c.add(new ForwardCase("argmax", "transposed, axis 0", () -> m.get().transpose(0, 1).argmax(0), i32, new int[] {3}, new double[] {0, 1, 0}));
        c.add(new ForwardCase("argmax", "3-D axis 1", () -> v(t(new double[] {1, 4, 2, 3, 0, 9, 8, 8}, 2, 2, 2)).argmax(1), i32, new int[] {2, 2},
                new double[] {1, 0, 1, 0}));
        c.add(new ForwardCase("argmin", "axis 1, first on ties", () -> m.get().argmin(1), i32, new int[] {3}, new double[] {3, 0, 2}));
        c.add(new ForwardCase("argmin", "axis 0 keepdim", () -> m.get().argmin(0, true), i32, new int[] {1, 4}, new double[] {1, 0, 2, 2}));
        c.add(new ForwardCase("argmin", "axis -2", () -> m.get().argmin(-2), i32, new int[] {4}, new double[] {1, 0, 2, 2}));

        // argsort: stable (equal values keep their order) in both directions, -0.0 equal to 0.0, NaN last
        c.add(new ForwardCase("argsort", "ascending, stable on ties", () -> v(t(new double[] {3, 1, 2, 1}, 4)).argsort(0, false), i32, new int[] {4},
                new double[] {1, 3, 2, 0}));
        c.add(new ForwardCase("argsort", "descending, stable on ties", () -> v(t(new double[] {3, 1, 2, 1, 3}, 5)).argsort(0, true), i32, new int[] {5},
                new double[] {0, 4, 2, 1, 3}));
        c.add(new ForwardCase("argsort", "axis 0 of 2-D", () -> m.get().argsort(0, false), i32, new int[] {3, 4},
                new double[] {1, 0, 2, 2, 0, 1, 0, 0, 2, 2, 1, 1}));
        c.add(new ForwardCase("argsort", "-0.0 equals 0.0", () -> v(t(new double[] {0.0, -0.0, -1.0, 0.0}, 4)).argsort(-1, false), i32, new int[] {4},
                new double[] {2, 0, 1, 3}));
        c.add(new ForwardCase("argsort", "NaN last, both directions", () -> Tensor.concat(0,
                        v(t(new double[] {Double.NaN, 1, 0}, 1, 3)).argsort(1, false), v(t(new double[] {Double.NaN, 1, 0}, 1, 3)).argsort(1, true)),
                i32, new int[] {2, 3}, new double[] {2, 1, 0, 1, 2, 0}));
        c.add(new ForwardCase("one_hot", "[3] labels, 3 classes, float64", () -> F.oneHot(Tensor.ofInts(new int[] {2, 0, 1}, 3), 3, F64), F64,
                new int[] {3, 3}, new double[] {0, 0, 1, 1, 0, 0, 0, 1, 0}));
        c.add(new ForwardCase("one_hot", "[2,2] labels, 4 classes, float32, repeated", () -> F.oneHot(Tensor.ofInts(new int[] {3, 3, 0, 1}, 2, 2), 4, DType.FLOAT32),
                DType.FLOAT32, new int[] {2, 2, 4}, new double[] {0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0}));
        c.add(new ForwardCase("one_hot", "0-d label", () -> F.oneHot(Tensor.ofInts(new int[] {1}), 2, F64), F64, new int[] {2}, new double[] {0, 1}));
        attackSteps(c);
        return c;
    }

    /**
     * The attack steps on dyadic values (exact in any order of operations), inputs requiring grad inside
     * {@code noGrad} (with grad mode on they refuse such inputs; AttackStepOpTest checks that).
     */
    private static void attackSteps(List<ForwardCase> c) {
        Supplier<Tensor> x = () -> v(t(new double[] {0.5, 0.25, 0.125, 0.75}, 2, 2));
        c.add(new ForwardCase("sign_step", "[2,2], zero and tiny gradients", () -> noGrad(() -> F.signStep(x.get(), v(t(new double[] {2, -3, 0, 1e-9}, 2, 2)), 0.25)),
                F64, new int[] {2, 2}, new double[] {0.75, 0, 0.125, 1.0}));
        c.add(new ForwardCase("l2_step", "[2,2], second gradient zero", () -> noGrad(() -> F.l2Step(v(t(new double[] {0, 0, 1, 1}, 2, 2)),
                        v(t(new double[] {3, 4, 0, 0}, 2, 2)), 5)), F64, new int[] {2, 2}, new double[] {3, 4, 1, 1}));
        c.add(new ForwardCase("project_linf", "[1,3], ball and box faces", () -> noGrad(() -> F.projectLinf(v(t(new double[] {0.9, 0.1, 0.5}, 1, 3)),
                        v(t(new double[] {0.5, 0.5, 0.875}, 1, 3)), 0.25, 0, 1)), F64, new int[] {1, 3}, new double[] {0.75, 0.25, 0.625}));
        c.add(new ForwardCase("project_l2", "[2,2], scaled to half, then box", () -> noGrad(() -> F.projectL2(v(t(new double[] {0.875, 1.0, 1.0, 0.5}, 2, 2)),
                        v(t(new double[] {0.5, 0.5, 0.875, 0.5}, 2, 2)), 0.3125, 0, 0.9375)), F64, new int[] {2, 2}, new double[] {0.6875, 0.75, 0.9375, 0.5}));
        c.add(new ForwardCase("project_l1", "[1,3], threshold 1/8", () -> noGrad(() -> F.projectL1(v(t(new double[] {1.0, 0.25, 0.5625}, 1, 3)),
                        v(t(new double[] {0.5, 0.5, 0.5}, 1, 3)), 0.5, 0, 1)), F64, new int[] {1, 3}, new double[] {0.875, 0.375, 0.5}));
        // J [K=2, B=2, 2]: sample 0 (label 1): ||J[1,0] - J[0,0]||^2 = 1 + 4; sample 1 (label 0): ||J[0,1] - J[1,1]||^2 = 9 + 16
        c.add(new ForwardCase("emr_pair_squared_norms", "[2,2,2], labels 1 and 0", () -> F.emrPairSquaredNorms(
                        v(t(new double[] {1, 2, 0, 0, 2, 4, 3, 4}, 2, 2, 2)), Tensor.ofInts(new int[] {1, 0}, 2)),
                F64, new int[] {2, 2}, new double[] {5, 0, 0, 25}));
    }

    private static Tensor noGrad(Supplier<Tensor> f) {
        try (dev.brink.engine.GradMode.Scope s = dev.brink.engine.GradMode.noGrad()) {
            return f.get();
        }
    }

    // ================================================================== input helpers

    /** Collects cases, seeding each case's generator from its name. */
    private static final class Table {
        final List<Case> cases = new ArrayList<>();

        void add(String op, String variant, Function<Tensor[], Tensor> f, Function<Generator, Tensor[]> inputs) {
            add(op, variant, f, inputs, DEFAULT);
        }

        void add(String op, String variant, Function<Tensor[], Tensor> f, Function<Generator, Tensor[]> inputs, GradCheck.Options opt) {
            long seed = (op + "[" + variant + "]").hashCode();
            cases.add(new Case(op, variant, f, () -> inputs.apply(new Generator(seed)), opt));
        }
    }

    private static Tensor[] in(Tensor... ts) {
        return ts;
    }

    /** Marks a (leaf) input as checked. */
    private static Tensor v(Tensor x) {
        return x.requiresGrad(true);
    }

    static Tensor t(double[] data, int... shape) {
        return Tensor.of(data, shape);
    }

    static Tensor randn(Generator g, int... shape) {
        return Tensor.randn(g, F64, shape);
    }

    private static Tensor map(Tensor x, java.util.function.DoubleUnaryOperator fn) {
        double[] d = x.toDoubleArray();
        for (int i = 0; i < d.length; i++) d[i] = fn.applyAsDouble(d[i]);
        return t(d, x.shape());
    }

    /** Uniform in [lo, hi). */
    static Tensor uniform(Generator g, double lo, double hi, int... shape) {
        return map(Tensor.rand(g, F64, shape), u -> lo + (hi - lo) * u);
    }

    /** Normal values pushed out of (-margin, margin): x -> x + sign(x) * margin. */
    static Tensor away(Generator g, double margin, int... shape) {
        return map(randn(g, shape), x -> x >= 0 ? x + margin : x - margin);
    }

    /** Values on the grid {@code 0.2 k + offset}, k uniform in [-5, 5]: two grids with offsets 0.1 apart never tie. */
    static Tensor grid(Generator g, double offset, int[] shape) {
        return map(Tensor.rand(g, F64, shape), u -> 0.2 * (Math.floor(u * 11) - 5) + offset);
    }

    /** A random permutation of {@code spacing * (k - (n-1)/2)}, k = 0..n-1: all distinct, at least spacing apart. */
    static Tensor distinct(Generator g, double spacing, int... shape) {
        int[] perm = permutation(g, shape);
        double[] d = new double[perm.length];
        for (int i = 0; i < d.length; i++) d[i] = spacing * (perm[i] - (perm.length - 1) / 2.0);
        return t(d, shape);
    }

    /** Random signs times a random permutation of {@code spacing * (k + 1)}: distinct |x|, none below spacing. */
    static Tensor distinctMagnitudes(Generator g, double spacing, int... shape) {
        int[] perm = permutation(g, shape);
        double[] sign = Tensor.rand(g, F64, perm.length).toDoubleArray();
        double[] d = new double[perm.length];
        for (int i = 0; i < d.length; i++) d[i] = (sign[i] < 0.5 ? -1 : 1) * spacing * (perm[i] + 1);
        return t(d, shape);
    }

    private static int[] permutation(Generator g, int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] keys = Tensor.rand(g, F64, n).toDoubleArray();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (p, q) -> Double.compare(keys[p], keys[q]));
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[order[i]] = i;
        return perm;
    }

    /** A 0/1 float64 mask with both values present. */
    static Tensor mask(Generator g, int... shape) {
        double[] d = Tensor.rand(g, F64, shape).toDoubleArray();
        for (int i = 0; i < d.length; i++) d[i] = d[i] < 0.5 ? 0 : 1;
        d[0] = 1;
        d[d.length - 1] = 0;
        return t(d, shape);
    }
}

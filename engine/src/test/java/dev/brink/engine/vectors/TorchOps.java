package dev.brink.engine.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.PoolGeometry;
import dev.brink.engine.op.Convolution;
import dev.brink.engine.op.Loss;
import dev.brink.engine.op.Scan;
import dev.brink.engine.op.View;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.brink.engine.vectors.TorchVectors.ints;

/**
 * The engine call for each op name of {@code ops.json}: one lambda per op taking the case's inputs by name, its
 * attrs, and the floating dtype the case runs in (FLOAT64 for the reference comparison, FLOAT32 for the float32
 * forward check; only {@code one_hot}, which has no floating input, needs it). Names are the
 * {@link dev.brink.engine.op.OpRegistry} names; the calls go through the public API ({@link Tensor}'s fluent
 * methods and {@link F}) wherever it exposes the op.
 */
public final class TorchOps {
    /** An engine evaluation of one op. */
    @FunctionalInterface
    public interface OpFn {
        Tensor apply(Map<String, Tensor> in, JsonNode attrs, DType floatType);
    }

    /** Op name -> engine call. */
    public static final Map<String, OpFn> BY_NAME;

    static {
        Map<String, OpFn> m = new LinkedHashMap<>();
        // ---- elementwise, one argument
        m.put("neg", (in, a, t) -> in.get("x").neg());
        m.put("abs", (in, a, t) -> in.get("x").abs());
        m.put("sign", (in, a, t) -> in.get("x").sign());
        m.put("exp", (in, a, t) -> in.get("x").exp());
        m.put("log", (in, a, t) -> in.get("x").log());
        m.put("sqrt", (in, a, t) -> in.get("x").sqrt());
        m.put("reciprocal", (in, a, t) -> in.get("x").reciprocal());
        m.put("square", (in, a, t) -> in.get("x").square());
        m.put("relu", (in, a, t) -> in.get("x").relu());
        m.put("leaky_relu", (in, a, t) -> in.get("x").leakyRelu(a.get("slope").asDouble()));
        m.put("sigmoid", (in, a, t) -> in.get("x").sigmoid());
        m.put("tanh", (in, a, t) -> in.get("x").tanh());
        m.put("softplus", (in, a, t) -> in.get("x").softplus());
        m.put("pow_scalar", (in, a, t) -> in.get("x").pow(a.get("exponent").asDouble()));
        // ---- elementwise, two arguments
        m.put("add", (in, a, t) -> in.get("a").add(in.get("b")));
        m.put("sub", (in, a, t) -> in.get("a").sub(in.get("b")));
        m.put("mul", (in, a, t) -> in.get("a").mul(in.get("b")));
        m.put("div", (in, a, t) -> in.get("a").div(in.get("b")));
        m.put("pow", (in, a, t) -> in.get("x").pow(in.get("y")));
        m.put("maximum", (in, a, t) -> in.get("a").maximum(in.get("b")));
        m.put("minimum", (in, a, t) -> in.get("a").minimum(in.get("b")));
        m.put("mask_positive", (in, a, t) -> dev.brink.engine.op.BinaryOp.maskPositive(in.get("a"), in.get("b")));
        m.put("eq", (in, a, t) -> in.get("a").eq(in.get("b")));
        m.put("ne", (in, a, t) -> in.get("a").ne(in.get("b")));
        m.put("lt", (in, a, t) -> in.get("a").lt(in.get("b")));
        m.put("le", (in, a, t) -> in.get("a").le(in.get("b")));
        m.put("gt", (in, a, t) -> in.get("a").gt(in.get("b")));
        m.put("ge", (in, a, t) -> in.get("a").ge(in.get("b")));
        m.put("where", (in, a, t) -> Tensor.where(in.get("cond"), in.get("a"), in.get("b")));
        m.put("clamp", (in, a, t) -> in.get("x").clamp(
                a.get("min").isNull() ? Double.NEGATIVE_INFINITY : a.get("min").asDouble(),
                a.get("max").isNull() ? Double.POSITIVE_INFINITY : a.get("max").asDouble()));
        // ---- reductions
        m.put("sum", (in, a, t) -> in.get("x").sum(axes(a), a.get("keepdim").asBoolean()));
        m.put("mean", (in, a, t) -> in.get("x").mean(axes(a), a.get("keepdim").asBoolean()));
        m.put("amax", (in, a, t) -> in.get("x").amax(axes(a), a.get("keepdim").asBoolean()));
        m.put("amin", (in, a, t) -> in.get("x").amin(axes(a), a.get("keepdim").asBoolean()));
        m.put("argmax", (in, a, t) -> in.get("x").argmax(a.get("axis").asInt()));
        m.put("argmin", (in, a, t) -> in.get("x").argmin(a.get("axis").asInt()));
        m.put("logsumexp", (in, a, t) -> in.get("x").logsumexp(new int[] {a.get("axis").asInt()}, a.get("keepdim").asBoolean()));
        m.put("sum_to_shape", (in, a, t) -> in.get("x").sumToShape(ints(a.get("shape"))));
        // ---- shape and layout
        m.put("reshape", (in, a, t) -> in.get("x").reshape(ints(a.get("shape"))));
        m.put("permute", (in, a, t) -> in.get("x").permute(ints(a.get("dims"))));
        m.put("expand", (in, a, t) -> in.get("x").expand(ints(a.get("shape"))));
        m.put("slice", (in, a, t) -> in.get("x").slice(a.get("axis").asInt(), a.get("start").asInt(), a.get("end").asInt(), a.get("step").asInt()));
        m.put("embed", (in, a, t) -> View.embed(in.get("x"), ints(a.get("shape")), a.get("axis").asInt(), a.get("start").asInt(), a.get("step").asInt()));
        // contiguous of a strided view: attrs.permute is the (view) permutation applied first
        m.put("contiguous", (in, a, t) -> in.get("x").permute(ints(a.get("permute"))).contiguous());
        m.put("cast", (in, a, t) -> in.get("x").to(dtype(a.get("dtype").asText())));
        m.put("concat", (in, a, t) -> Tensor.concat(a.get("axis").asInt(), in.get("x0"), in.get("x1"), in.get("x2")));
        m.put("stack", (in, a, t) -> Tensor.stack(a.get("axis").asInt(), in.get("x0"), in.get("x1")));
        // ---- indexing
        m.put("gather", (in, a, t) -> in.get("x").gather(a.get("axis").asInt(), in.get("index")));
        m.put("scatter_add", (in, a, t) -> F.scatterAdd(in.get("src"), a.get("axis").asInt(), in.get("index"), ints(a.get("shape"))));
        m.put("index_select", (in, a, t) -> in.get("x").indexSelect(a.get("axis").asInt(), in.get("index")));
        m.put("one_hot", (in, a, t) -> F.oneHot(in.get("labels"), a.get("classes").asInt(), t));
        // ---- linear algebra, convolution, pooling
        m.put("matmul", (in, a, t) -> in.get("a").matmul(in.get("b")));
        m.put("conv2d", (in, a, t) -> F.conv2d(in.get("x"), in.get("w"), in.get("b"), conv(a)));
        m.put("conv2d_relu", (in, a, t) -> F.conv2dRelu(in.get("x"), in.get("w"), in.get("b"), conv(a)));
        m.put("conv2d_input_grad", (in, a, t) -> Convolution.inputGrad(in.get("gy"), in.get("w"), conv(a), ints(a.get("input_shape"))));
        m.put("conv2d_weight_grad", (in, a, t) -> Convolution.weightGrad(in.get("x"), in.get("gy"), conv(a), ints(a.get("weight_shape"))));
        m.put("conv_transpose2d", (in, a, t) -> {
            int[] op = ints(a.get("output_padding"));
            return F.convTranspose2d(in.get("x"), in.get("w"), in.get("b"), conv(a), op[0], op[1]);
        });
        m.put("max_pool2d", (in, a, t) -> F.maxPool2d(in.get("x"), pool(a)));
        m.put("avg_pool2d", (in, a, t) -> F.avgPool2d(in.get("x"), pool(a)));
        m.put("global_avg_pool2d", (in, a, t) -> F.globalAvgPool2d(in.get("x")));
        // ---- normalization
        m.put("batch_norm", (in, a, t) -> F.batchNorm(in.get("x"), in.get("weight"), in.get("bias"),
                in.get("running_mean"), in.get("running_var"), a.get("training").asBoolean(),
                a.get("momentum").asDouble(), a.get("eps").asDouble()));
        m.put("softmax", (in, a, t) -> in.get("x").softmax(a.get("axis").asInt()));
        m.put("log_softmax", (in, a, t) -> in.get("x").logSoftmax(a.get("axis").asInt()));
        // ---- losses and norms
        m.put("cross_entropy", (in, a, t) -> F.crossEntropy(in.get("logits"), in.get("target"),
                a.get("label_smoothing").asDouble(), reduction(a)));
        m.put("kl_div", (in, a, t) -> F.klDiv(in.get("input"), in.get("target"), reduction(a)));
        m.put("soft_margin_loss", (in, a, t) -> F.softMarginLoss(in.get("z"), in.get("y"), reduction(a)));
        m.put("binary_cross_entropy_with_logits", (in, a, t) -> F.bceWithLogits(in.get("z"), in.get("y"), reduction(a)));
        m.put("mse_loss", (in, a, t) -> F.mseLoss(in.get("a"), in.get("b"), reduction(a)));
        m.put("l1_norm", (in, a, t) -> F.l1Norm(in.get("x")));
        m.put("l2_norm", (in, a, t) -> F.l2Norm(in.get("x")));
        m.put("linf_norm", (in, a, t) -> F.linfNorm(in.get("x")));
        // ---- scans and sorting
        m.put("cumsum", (in, a, t) -> a.get("reverse").asBoolean()
                ? Scan.cumsum(in.get("x"), a.get("axis").asInt(), true)
                : in.get("x").cumsum(a.get("axis").asInt()));
        m.put("argsort", (in, a, t) -> in.get("x").argsort(a.get("axis").asInt(), a.get("descending").asBoolean()));
        m.put("sort", (in, a, t) -> in.get("x").sort(a.get("axis").asInt(), a.get("descending").asBoolean()));
        m.put("topk", (in, a, t) -> a.get("largest").asBoolean()
                ? in.get("x").topk(a.get("k").asInt(), a.get("axis").asInt())
                : Scan.topk(in.get("x"), a.get("k").asInt(), a.get("axis").asInt(), false));
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private TorchOps() {}

    /** The engine call for {@code op}; fails for a name without one. */
    public static OpFn get(String op) {
        OpFn f = BY_NAME.get(op);
        if (f == null) throw new IllegalArgumentException("no engine mapping for op '" + op + "' in TorchOps");
        return f;
    }

    private static int[] axes(JsonNode a) {
        JsonNode ax = a.get("axes");
        return ax == null || ax.isNull() ? null : ints(ax);
    }

    private static ConvGeometry conv(JsonNode a) {
        int[] s = ints(a.get("stride")), p = ints(a.get("padding")), d = ints(a.get("dilation"));
        return new ConvGeometry(s[0], s[1], p[0], p[1], d[0], d[1], a.get("groups").asInt());
    }

    private static PoolGeometry pool(JsonNode a) {
        int[] k = ints(a.get("kernel")), s = ints(a.get("stride")), p = ints(a.get("padding"));
        int[] d = a.has("dilation") ? ints(a.get("dilation")) : new int[] {1, 1};
        return new PoolGeometry(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1]);
    }

    private static Loss.Reduction reduction(JsonNode a) {
        return Loss.Reduction.parse(a.get("reduction").asText());
    }

    private static DType dtype(String s) {
        return switch (s) {
            case "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            default -> throw new IllegalArgumentException("cast: unsupported dtype '" + s + "'");
        };
    }
}

package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;

/**
 * The per-class Jacobian-row reductions of Liu and Chan's effective margin regularization (EMR), each one call of
 * the backend's kernel ({@link Backend#rowSquaredNorms}, {@link Backend#emrPairSquaredNorms}): the default tensor-op
 * composition on the CPU, emr.cu's kernels on CUDA. Public entry points: {@link dev.brink.engine.F#rowSquaredNorms}
 * and {@link dev.brink.engine.F#emrPairSquaredNorms}.
 *
 * <ul>
 *   <li>{@code row_squared_norms}: {@code [R, ...] -> [R]}, the squared L2 norm of each row (all elements of one
 *       index of the first axis); differentiable to every order (backward {@code 2 * g * x}, written in ops). The
 *       exact EMR loss is the sum of these over the K * B Jacobian rows, divided by B.</li>
 *   <li>{@code emr_pair_squared_norms}: Jacobian rows {@code J [K, B, ...]} (block c holds the input gradients of
 *       logit c) and int32 labels {@code [B]} to {@code [B, K]}: {@code ||J[y_i, i] - J[j, i]||^2}, the squared
 *       denominators of the effective margins (0 at j = y_i). Not differentiable: a measurement.</li>
 * </ul>
 * Both take float32 or float64 (results in the input's dtype, computed in double by the CUDA kernels) and any
 * strides; errors are {@link IllegalArgumentException}s naming the op and the argument.
 */
public final class JacobianRowOps {
    public static final OpDef ROW_SQUARED_NORMS = OpDef.primitive("row_squared_norms", "squared L2 norm of each row [R, ...] -> [R]");
    public static final OpDef EMR_PAIR_SQUARED_NORMS = OpDef.nonDifferentiable("emr_pair_squared_norms",
            "||J[y_i, i] - J[j, i]||^2 of Jacobian rows [K, B, ...] and labels [B] -> [B, K]");

    private JacobianRowOps() {}

    /** Squared L2 norm of each row of {@code rows} {@code [R, ...]} (rank >= 1): {@code [R]}. */
    public static Tensor rowSquaredNorms(Tensor rows) {
        String op = ROW_SQUARED_NORMS.name();
        if (rows == null) throw new IllegalArgumentException(op + ": argument 'rows' is null");
        Checks.floating(op, "rows", rows);
        if (rows.dim() < 1) throw new IllegalArgumentException(op + ": argument 'rows' must be [R, ...], got a 0-d tensor");
        Tensor out;
        try (GradMode.Scope s = GradMode.noGrad()) {
            out = rows.backend().rowSquaredNorms(rows);
        }
        int[] keep = new int[rows.dim()];
        java.util.Arrays.fill(keep, 1);
        keep[0] = rows.size(0);
        return Autograd.record(op, out, new Tensor[] {rows}, g -> new Tensor[] {g.reshape(keep).mul(rows).mul(2.0)});
    }

    /** {@code [B, K]} squared norms of the row differences {@code J[y_i, i] - J[j, i]}; see the class comment. */
    public static Tensor emrPairSquaredNorms(Tensor jac, Tensor labels) {
        String op = EMR_PAIR_SQUARED_NORMS.name();
        if (jac == null || labels == null) throw new IllegalArgumentException(op + ": argument '" + (jac == null ? "jac" : "labels") + "' is null");
        Backend b = Checks.sameBackend(op, jac, labels);
        Checks.floating(op, "jac", jac);
        if (jac.dim() < 2 || labels.dim() != 1 || labels.dtype() != DType.INT32 || labels.size(0) != jac.size(1))
            throw new IllegalArgumentException(op + ": expected Jacobian rows [K, B, ...] and int32 labels [B], got "
                    + Shape.str(jac.shape()) + " and " + labels.dtype().label() + " " + Shape.str(labels.shape()));
        int k = jac.size(0);
        for (int y : labels.toIntArray())
            if (y < 0 || y >= k) throw new IllegalArgumentException(op + ": label " + y + " is outside [0, " + k + ")");
        try (GradMode.Scope s = GradMode.noGrad()) {
            return b.emrPairSquaredNorms(jac.detach(), labels);
        }
    }

    /** {@code [K, B]}: column i is the one-hot vector of labels[i] (for the default composition). */
    public static Tensor oneHotColumns(Tensor labels, int classes, DType dtype) {
        return Indexing.oneHot(labels, classes, dtype).transpose(0, 1);
    }
}

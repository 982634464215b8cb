package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

/**
 * Ops along one axis that later stages need for projections and sparse attacks: cumulative sums (the L1-ball
 * projection), and sorting (stable argsort, differentiable sorted values and top-k by gathering at the sort
 * indices, like max pooling gathers at its switches). cumsum's backward is the reverse cumsum and vice versa.
 */
public final class Scan {
    public static final OpDef CUMSUM = OpDef.primitive("cumsum", "inclusive prefix (or suffix, reverse) sums along an axis");
    public static final OpDef ARGSORT = OpDef.nonDifferentiable("argsort", "stable sorting indices along an axis (int32)");
    public static final OpDef SORT = OpDef.composite("sort", "values sorted along an axis (gathered at argsort)");
    public static final OpDef TOPK = OpDef.composite("topk", "the k largest (or smallest) values along an axis, sorted");

    private Scan() {}

    /** Inclusive prefix sums along {@code axis}; suffix sums when {@code reverse}. */
    public static Tensor cumsum(Tensor x, int axis, boolean reverse) {
        String op = CUMSUM.name();
        Checks.floating(op, "x", x);
        int ax = Shape.axis(op, axis, x.dim());
        Tensor y = Checks.alloc(x.backend(), x.dtype(), x.shape());
        x.backend().cumsum(x, ax, reverse, y);
        return Autograd.record(op, y, new Tensor[] {x}, g -> new Tensor[] {cumsum(g, ax, !reverse)});
    }

    /** int32 indices that sort x along {@code axis} (stable; NaN last). */
    public static Tensor argsort(Tensor x, int axis, boolean descending) {
        int ax = Shape.axis(ARGSORT.name(), axis, x.dim());
        Tensor idx = Checks.alloc(x.backend(), DType.INT32, x.shape());
        x.backend().argsort(x, ax, descending, idx);
        return idx;
    }

    /** x sorted along {@code axis}; the gradient flows back to each value's original position. */
    public static Tensor sort(Tensor x, int axis, boolean descending) {
        int ax = Shape.axis(SORT.name(), axis, x.dim());
        return Indexing.gatherAt(SORT.name(), "argsort", x, ax, argsort(x.detach(), ax, descending));
    }

    /** The {@code k} largest ({@code largest}) or smallest values along {@code axis}, in sorted order. */
    public static Tensor topk(Tensor x, int k, int axis, boolean largest) {
        Tensor idx = topkIndices(x, k, axis, largest);
        return Indexing.gatherAt(TOPK.name(), "indices", x, Shape.axis(TOPK.name(), axis, x.dim()), idx);
    }

    /** int32 indices of the {@code k} largest (or smallest) values along {@code axis}. */
    public static Tensor topkIndices(Tensor x, int k, int axis, boolean largest) {
        int ax = Shape.axis(TOPK.name(), axis, x.dim());
        if (k < 0 || k > x.size(ax))
            throw new IllegalArgumentException(TOPK.name() + ": k = " + k + " is out of range for axis " + axis + " of shape " + Shape.str(x.shape()));
        return argsort(x.detach(), ax, largest).slice(ax, 0, k).contiguous();
    }
}

package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

import java.util.Arrays;

/**
 * Shape and layout ops. reshape, permute, expand and slice return views sharing storage when the layout allows
 * (reshape copies only a non-contiguous input); their backward rules are the inverse layout ops, and the backward
 * of slice is {@link #embed} (the slice written into zeros), whose own backward is slice again.
 */
public final class View {
    public static final OpDef RESHAPE = OpDef.primitive("reshape", "same elements, new shape (view when contiguous)");
    public static final OpDef PERMUTE = OpDef.primitive("permute", "reorder axes (view)");
    public static final OpDef EXPAND = OpDef.primitive("expand", "broadcast to a larger shape (view with stride 0)");
    public static final OpDef SLICE = OpDef.primitive("slice", "start:end:step along one axis (view)");
    public static final OpDef EMBED = OpDef.primitive("embed", "a slice written into zeros of a larger shape (adjoint of slice)");
    public static final OpDef CONTIGUOUS = OpDef.primitive("contiguous", "row-major copy of a strided view");
    public static final OpDef CAST = OpDef.primitive("cast", "convert between float32 and float64 (and to/from int32 without gradient)");

    private View() {}

    /** A tensor with the same elements in row-major order and shape {@code shape}; one dimension may be -1. */
    public static Tensor reshape(Tensor x, int... shape) {
        int[] s = inferShape(x, shape);
        int[] xs = x.shape();
        if (Arrays.equals(s, xs)) return x;
        Tensor src = x.isContiguous() ? x : contiguous(x);
        Tensor y = Tensor.fromStorage(src.storage(), s, Shape.contiguousStrides(s), src.offset());
        return Autograd.record(RESHAPE.name(), y, new Tensor[] {src}, g -> new Tensor[] {g.reshape(xs)});
    }

    private static int[] inferShape(Tensor x, int[] shape) {
        int[] s = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Shape.str(shape));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("reshape: negative dimension in " + Shape.str(shape));
            } else known *= s[i];
        }
        int n = x.numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0)
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Shape.str(shape) + " for " + n + " elements of shape " + Shape.str(x.shape()));
            s[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException("reshape: shape " + Shape.str(shape) + " (" + known + " elements) does not match "
                    + Shape.str(x.shape()) + " (" + n + " elements)");
        }
        return s;
    }

    /** Reorders axes: output axis i is input axis {@code dims[i]}. */
    public static Tensor permute(Tensor x, int... dims) {
        int r = x.dim();
        if (dims.length != r) throw new IllegalArgumentException("permute: " + Arrays.toString(dims) + " has " + dims.length + " axes but the tensor has shape " + Shape.str(x.shape()));
        int[] d = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            d[i] = Shape.axis("permute", dims[i], r);
            if (seen[d[i]]) throw new IllegalArgumentException("permute: axis " + dims[i] + " repeated in " + Arrays.toString(dims));
            seen[d[i]] = true;
        }
        int[] xs = x.shape(), xt = x.strides();
        int[] s = new int[r], st = new int[r], inverse = new int[r];
        for (int i = 0; i < r; i++) {
            s[i] = xs[d[i]];
            st[i] = xt[d[i]];
            inverse[d[i]] = i;
        }
        Tensor y = Tensor.fromStorage(x.storage(), s, st, x.offset());
        return Autograd.record(PERMUTE.name(), y, new Tensor[] {x}, g -> new Tensor[] {g.permute(inverse)});
    }

    /** Broadcasts x to {@code shape} without copying (stride 0 along broadcast axes). */
    public static Tensor expand(Tensor x, int... shape) {
        int[] xs = x.shape();
        if (Arrays.equals(xs, shape)) return x;
        if (!Shape.broadcastsTo(xs, shape))
            throw new IllegalArgumentException("expand: shape " + Shape.str(xs) + " cannot be broadcast to " + Shape.str(shape));
        int lead = shape.length - xs.length;
        int[] xt = x.strides();
        int[] st = new int[shape.length];
        for (int i = 0; i < xs.length; i++) st[lead + i] = xs[i] == 1 && shape[lead + i] != 1 ? 0 : xt[i];
        Tensor y = Tensor.fromStorage(x.storage(), shape, st, x.offset());
        // The walker sums the broadcast gradient back to x's shape.
        return Autograd.record(EXPAND.name(), y, new Tensor[] {x}, g -> new Tensor[] {g});
    }

    /** Elements {@code start, start+step, ...} (below {@code end}) along {@code axis}; negative start/end count from the end. */
    public static Tensor slice(Tensor x, int axis, int start, int end, int step) {
        int ax = Shape.axis("slice", axis, x.dim());
        int n = x.size(ax);
        if (step < 1) throw new IllegalArgumentException("slice: step must be >= 1, got " + step);
        int s0 = clampIndex(start < 0 ? start + n : start, n);
        int e0 = clampIndex(end < 0 ? end + n : end, n);
        int len = e0 <= s0 ? 0 : (e0 - s0 + step - 1) / step;
        int[] xs = x.shape(), st = x.strides();
        int[] s = Shape.with(xs, ax, len);
        int[] nst = Shape.with(st, ax, st[ax] * step);
        Tensor y = Tensor.fromStorage(x.storage(), s, nst, x.offset() + (len == 0 ? 0 : s0 * st[ax]));
        return Autograd.record(SLICE.name(), y, new Tensor[] {x}, g -> new Tensor[] {embed(g, xs, ax, s0, step)});
    }

    private static int clampIndex(int i, int n) {
        return Math.max(0, Math.min(n, i));
    }

    /**
     * Zeros of {@code shape} with {@code x} written at positions {@code start, start+step, ...} along {@code axis}:
     * the adjoint of {@link #slice}.
     */
    public static Tensor embed(Tensor x, int[] shape, int axis, int start, int step) {
        Tensor out = Checks.alloc(x.backend(), x.dtype(), shape);
        int len = x.size(axis);
        Tensor window = Tensor.fromStorage(out.storage(), x.shape(), withStride(Shape.contiguousStrides(shape), axis, step), start * Shape.contiguousStrides(shape)[axis]);
        if (len > 0) x.backend().copy(x, window);
        return Autograd.record(EMBED.name(), out, new Tensor[] {x}, g -> new Tensor[] {slice(g, axis, start, start + (len - 1) * step + 1, step)});
    }

    private static int[] withStride(int[] strides, int axis, int step) {
        int[] s = strides.clone();
        s[axis] *= step;
        return s;
    }

    /** A row-major copy of x (x itself when already contiguous). */
    public static Tensor contiguous(Tensor x) {
        if (x.isContiguous()) return x;
        Tensor y = Checks.alloc(x.backend(), x.dtype(), x.shape());
        x.backend().copy(x, y);
        return Autograd.record(CONTIGUOUS.name(), y, new Tensor[] {x}, g -> new Tensor[] {g});
    }

    /** x converted to {@code dtype}; gradients flow between floating types and stop at int32. */
    public static Tensor cast(Tensor x, DType dtype) {
        if (x.dtype() == dtype) return x;
        Tensor y = Checks.alloc(x.backend(), dtype, x.shape());
        x.backend().copy(x, y);
        if (!dtype.isFloating() || !x.dtype().isFloating()) return y;
        DType from = x.dtype();
        return Autograd.record(CAST.name(), y, new Tensor[] {x}, g -> new Tensor[] {g.to(from)});
    }
}

package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ReduceKernel;

/**
 * Reductions over chosen axes (null or empty axes = all axes): sum, mean, amax, amin, argmax, argmin, and
 * {@link #sumToShape}, the reduction the autodiff walker uses to undo broadcasting. amax/amin share the gradient
 * equally among tied maxima (PyTorch's amax rule).
 */
public final class Reduction {
    public static final OpDef SUM = OpDef.primitive("sum", "sum over axes");
    public static final OpDef MEAN = OpDef.composite("mean", "mean over axes");
    public static final OpDef AMAX = OpDef.primitive("amax", "maximum over axes; ties share the gradient");
    public static final OpDef AMIN = OpDef.primitive("amin", "minimum over axes; ties share the gradient");
    public static final OpDef ARGMAX = OpDef.nonDifferentiable("argmax", "index of the maximum along an axis (int32)");
    public static final OpDef ARGMIN = OpDef.nonDifferentiable("argmin", "index of the minimum along an axis (int32)");
    public static final OpDef SUM_TO_SHAPE = OpDef.composite("sum_to_shape", "sum a broadcast tensor back to a shape");

    private Reduction() {}

    /** Which axes an {@code axes} argument selects (null or empty = all); negative axes count from the end. */
    static boolean[] mask(String op, int rank, int[] axes) {
        boolean[] m = new boolean[rank];
        if (axes == null || axes.length == 0) {
            java.util.Arrays.fill(m, true);
            return m;
        }
        for (int a : axes) {
            int ax = Shape.axis(op, a, rank);
            if (m[ax]) throw new IllegalArgumentException(op + ": axis " + a + " given twice in " + java.util.Arrays.toString(axes));
            m[ax] = true;
        }
        return m;
    }

    static int[] keepShape(int[] shape, boolean[] m) {
        int[] s = shape.clone();
        for (int i = 0; i < s.length; i++) if (m[i]) s[i] = 1;
        return s;
    }

    static int[] dropShape(int[] shape, boolean[] m) {
        return java.util.stream.IntStream.range(0, shape.length).filter(i -> !m[i]).map(i -> shape[i]).toArray();
    }

    /** Sum over {@code axes}; keeps them as size-1 dimensions when {@code keepdim}. */
    public static Tensor sum(Tensor x, int[] axes, boolean keepdim) {
        String op = SUM.name();
        Checks.floating(op, "x", x);
        boolean[] m = mask(op, x.dim(), axes);
        int[] xs = x.shape();
        int[] keep = keepShape(xs, m);
        Tensor y = reduced(x, m, keepdim);
        x.backend().reduce(ReduceKernel.SUM, x, m, keepdim ? y : keepView(y, keep));
        return Autograd.record(op, y, new Tensor[] {x}, g -> new Tensor[] {g.reshape(keep).expand(xs)});
    }

    /** A new output for a reduction: keepdim layout, or with the reduced axes dropped. */
    private static Tensor reduced(Tensor x, boolean[] m, boolean keepdim) {
        int[] s = keepdim ? keepShape(x.shape(), m) : dropShape(x.shape(), m);
        return Checks.alloc(x.backend(), x.dtype(), s);
    }

    /** The same storage seen in the keepdim layout the reduce kernel writes. */
    private static Tensor keepView(Tensor y, int[] keep) {
        return Tensor.fromStorage(y.storage(), keep, dev.brink.engine.Shape.contiguousStrides(keep), 0);
    }

    /** Mean over {@code axes}. */
    public static Tensor mean(Tensor x, int[] axes, boolean keepdim) {
        boolean[] m = mask(MEAN.name(), x.dim(), axes);
        long count = 1;
        int[] s = x.shape();
        for (int i = 0; i < s.length; i++) if (m[i]) count *= s[i];
        return sum(x, axes, keepdim).div((double) count);
    }

    /** Maximum over {@code axes}. */
    public static Tensor amax(Tensor x, int[] axes, boolean keepdim) {
        return extreme(AMAX.name(), ReduceKernel.MAX, x, axes, keepdim);
    }

    /** Minimum over {@code axes}. */
    public static Tensor amin(Tensor x, int[] axes, boolean keepdim) {
        return extreme(AMIN.name(), ReduceKernel.MIN, x, axes, keepdim);
    }

    private static Tensor extreme(String op, ReduceKernel k, Tensor x, int[] axes, boolean keepdim) {
        Checks.floating(op, "x", x);
        boolean[] m = mask(op, x.dim(), axes);
        int[] xs = x.shape();
        for (int i = 0; i < xs.length; i++)
            if (m[i] && xs[i] == 0) throw new IllegalArgumentException(op + ": cannot reduce over empty axis " + i + " of shape " + Shape.str(xs));
        int[] keep = keepShape(xs, m);
        Tensor y = reduced(x, m, keepdim);
        x.backend().reduce(k, x, m, keepdim ? y : keepView(y, keep));
        int[] axesAll = axesOf(m);
        return Autograd.record(op, y, new Tensor[] {x}, g -> {
            Tensor hit = x.detach().eq(y.detach().reshape(keep));
            Tensor count = hit.sum(axesAll, true);
            return new Tensor[] {g.reshape(keep).mul(hit.div(count))};
        });
    }

    static int[] axesOf(boolean[] m) {
        return java.util.stream.IntStream.range(0, m.length).filter(i -> m[i]).toArray();
    }

    /** Index of the maximum along {@code axis} (first on ties), int32, axis removed unless keepdim. */
    public static Tensor argmax(Tensor x, int axis, boolean keepdim) {
        return arg(ARGMAX.name(), ReduceKernel.MAX, x, axis, keepdim);
    }

    /** Index of the minimum along {@code axis} (first on ties). */
    public static Tensor argmin(Tensor x, int axis, boolean keepdim) {
        return arg(ARGMIN.name(), ReduceKernel.MIN, x, axis, keepdim);
    }

    private static Tensor arg(String op, ReduceKernel k, Tensor x, int axis, boolean keepdim) {
        int ax = Shape.axis(op, axis, x.dim());
        if (x.size(ax) == 0) throw new IllegalArgumentException(op + ": axis " + axis + " of shape " + Shape.str(x.shape()) + " is empty");
        int[] keep = Shape.with(x.shape(), ax, 1);
        Tensor y = Checks.alloc(x.backend(), DType.INT32, keep);
        x.backend().argReduce(k, x, ax, y);
        boolean[] m = new boolean[x.dim()];
        m[ax] = true;
        return keepdim ? y : y.reshape(dropShape(x.shape(), m));
    }

    /** Sums {@code x} over the dimensions along which {@code shape} was broadcast to {@code x}'s shape. */
    public static Tensor sumToShape(Tensor x, int[] shape) {
        int[] xs = x.shape();
        if (java.util.Arrays.equals(xs, shape)) return x;
        if (!Shape.broadcastsTo(shape, xs))
            throw new IllegalArgumentException("sum_to_shape: shape " + Shape.str(shape) + " does not broadcast to " + Shape.str(xs));
        int lead = xs.length - shape.length;
        java.util.List<Integer> axes = new java.util.ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && xs[i] != 1)) axes.add(i);
        }
        Tensor s = axes.isEmpty() ? x : sum(x, axes.stream().mapToInt(Integer::intValue).toArray(), true);
        return s.reshape(shape);
    }
}

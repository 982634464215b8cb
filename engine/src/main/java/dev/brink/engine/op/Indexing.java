package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

/**
 * Index-based ops. gather and scatter_add are each other's adjoints, so each one's backward is the other.
 * Indices are int32; the kernels validate them as they read them (no extra pass or host copy), and an
 * out-of-range index raises {@link IndexOutOfBoundsException} naming the op, the argument, the position and the
 * value.
 */
public final class Indexing {
    public static final OpDef GATHER = OpDef.primitive("gather", "out[..i..] = x[..index[..i..]..] along an axis");
    public static final OpDef SCATTER_ADD = OpDef.primitive("scatter_add", "zeros of a shape with src added at index along an axis");
    public static final OpDef INDEX_SELECT = OpDef.composite("index_select", "select entries of one axis by a 1-D index");
    public static final OpDef ONE_HOT = OpDef.nonDifferentiable("one_hot", "int32 labels to a [..., K] 0/1 tensor");

    private Indexing() {}

    /** PyTorch's gather: index has x's rank; {@code out.shape == index.shape}. */
    public static Tensor gather(Tensor x, int axis, Tensor index) {
        String op = GATHER.name();
        Checks.sameBackend(op, x, index);
        Checks.integer(op, "index", index);
        int ax = Shape.axis(op, axis, x.dim());
        if (index.dim() != x.dim())
            throw new IllegalArgumentException(op + ": index of shape " + Shape.str(index.shape()) + " must have the rank of x " + Shape.str(x.shape()));
        for (int d = 0; d < x.dim(); d++)
            if (d != ax && index.size(d) > x.size(d))
                throw new IllegalArgumentException(op + ": index shape " + Shape.str(index.shape()) + " exceeds x shape " + Shape.str(x.shape()) + " at axis " + d);
        return gatherAt(op, "index", x, ax, index);
    }

    /**
     * gather without argument checks beyond the kernel's index validation, for ops built on it; {@code op} and
     * {@code arg} name the caller and its index argument in errors.
     */
    static Tensor gatherAt(String op, String arg, Tensor x, int ax, Tensor index) {
        Tensor y = Checks.alloc(x.backend(), x.dtype(), index.shape());
        try {
            x.backend().gather(x, ax, index, y);
        } catch (IndexOutOfBoundsException e) {
            throw new IndexOutOfBoundsException(op + ": " + arg + " " + e.getMessage() + " (" + arg + " shape " + Shape.str(index.shape())
                    + ", indexing axis " + ax + " of " + Shape.str(x.shape()) + ")");
        }
        int[] xs = x.shape();
        return Autograd.record(GATHER.name(), y, new Tensor[] {x, index}, g -> new Tensor[] {scatterAddAt(op, arg, g, ax, index, xs), null});
    }

    /** Zeros of {@code shape} into which {@code src[i]} is added at {@code index[i]} along {@code axis}. */
    public static Tensor scatterAdd(Tensor src, int axis, Tensor index, int[] shape) {
        String op = SCATTER_ADD.name();
        Checks.sameBackend(op, src, index);
        Checks.integer(op, "index", index);
        int ax = Shape.axis(op, axis, shape.length);
        if (!java.util.Arrays.equals(src.shape(), index.shape()))
            throw new IllegalArgumentException(op + ": src shape " + Shape.str(src.shape()) + " differs from index shape " + Shape.str(index.shape()));
        if (src.dim() != shape.length)
            throw new IllegalArgumentException(op + ": src of shape " + Shape.str(src.shape()) + " must have the rank of the output " + Shape.str(shape));
        return scatterAddAt(op, "index", src, ax, index, shape);
    }

    /** scatter_add without argument checks beyond the kernel's index validation; see {@link #gatherAt}. */
    static Tensor scatterAddAt(String op, String arg, Tensor src, int ax, Tensor index, int[] shape) {
        Tensor out = Checks.alloc(src.backend(), src.dtype(), shape);
        try {
            src.backend().scatterAdd(src, ax, index, out);
        } catch (IndexOutOfBoundsException e) {
            throw new IndexOutOfBoundsException(op + ": " + arg + " " + e.getMessage() + " (" + arg + " shape " + Shape.str(index.shape())
                    + ", indexing axis " + ax + " of " + Shape.str(shape) + ")");
        }
        return Autograd.record(SCATTER_ADD.name(), out, new Tensor[] {src, index}, g -> new Tensor[] {gatherAt(op, arg, g, ax, index), null});
    }

    /** Entries {@code index[0], index[1], ...} of x along {@code axis}; index is a 1-D int32 tensor. */
    public static Tensor indexSelect(Tensor x, int axis, Tensor index) {
        String op = INDEX_SELECT.name();
        Checks.integer(op, "index", index);
        Checks.rank(op, "index", index, 1);
        int ax = Shape.axis(op, axis, x.dim());
        int[] view = new int[x.dim()];
        java.util.Arrays.fill(view, 1);
        view[ax] = index.size(0);
        Tensor idx = index.reshape(view).expand(Shape.with(x.shape(), ax, index.size(0)));
        return gather(x, ax, idx);
    }

    /** One-hot rows: labels of shape S (int32, values in [0, classes)) become shape S + [classes] in {@code dtype}. */
    public static Tensor oneHot(Tensor labels, int classes, DType dtype) {
        String op = ONE_HOT.name();
        Checks.integer(op, "labels", labels);
        if (classes < 1) throw new IllegalArgumentException(op + ": classes must be >= 1, got " + classes);
        int[] s = labels.shape();
        int[] out = java.util.Arrays.copyOf(s, s.length + 1);
        out[s.length] = classes;
        int[] unsq = java.util.Arrays.copyOf(s, s.length + 1);
        unsq[s.length] = 1;
        Tensor ones = Tensor.full(labels.backend(), dtype, 1.0, unsq);
        return scatterAddAt(op, "labels", ones, s.length, labels.reshape(unsq), out).detach();
    }
}

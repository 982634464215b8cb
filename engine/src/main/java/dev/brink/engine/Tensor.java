package dev.brink.engine;

import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.Backends;
import dev.brink.engine.backend.BinaryKernel;
import dev.brink.engine.backend.RandomKind;
import dev.brink.engine.backend.Storage;
import dev.brink.engine.op.BinaryOp;
import dev.brink.engine.op.Comparison;
import dev.brink.engine.op.Indexing;
import dev.brink.engine.op.Join;
import dev.brink.engine.op.MatMul;
import dev.brink.engine.op.Reduction;
import dev.brink.engine.op.Scan;
import dev.brink.engine.op.Softmax;
import dev.brink.engine.op.UnaryOp;
import dev.brink.engine.op.View;
import dev.brink.engine.op.Where;

import java.util.Arrays;
import java.util.Locale;

/**
 * A dense n-dimensional array on a {@link Backend}, with reverse-mode autodiff.
 *
 * <p>A tensor is a view (shape, strides, offset) onto a {@link Storage}; {@link #reshape}, {@link #permute},
 * {@link #transpose}, {@link #slice} and {@link #expand} return views without copying where the layout allows.
 * Images are NCHW. Tensors are immutable values as far as autodiff is concerned: every op returns a new tensor
 * and, when any input {@linkplain #requiresGrad() requires grad} and {@link GradMode} is enabled, records a node
 * whose backward rule is itself written in tensor ops. So gradients obtained with
 * {@code Autograd.grad(loss, x, GradOptions.defaults().createGraph())} can be differentiated again, to any order.
 *
 * <p>Binary ops broadcast NumPy-style; both operands must have the same dtype and backend. Scalar arguments
 * ({@code double}) take the tensor's dtype.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    private boolean requiresGrad;
    Node node;
    private volatile Node leafNode;
    private Tensor grad;

    private Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ------------------------------------------------------------------ low-level construction

    /**
     * A view onto existing storage. Low-level: used by ops and backends; the caller guarantees that every
     * addressed element lies inside the storage.
     */
    public static Tensor fromStorage(Storage storage, int[] shape, int[] strides, int offset) {
        if (shape.length != strides.length)
            throw new IllegalArgumentException("shape " + Shape.str(shape) + " and strides " + Shape.str(strides) + " differ in rank");
        return new Tensor(storage, shape.clone(), strides.clone(), offset);
    }

    /** A new zero-filled contiguous tensor on {@code backend}. */
    public static Tensor empty(Backend backend, DType dtype, int... shape) {
        int[] s = shape.clone();
        return fresh(backend.allocate(dtype, Shape.numel(s)), s);
    }

    /**
     * A new contiguous tensor on {@code backend} whose elements are unspecified until written (a recycled buffer's
     * old values on the CPU backend): for kernels that write every element, which then skip clearing memory they
     * overwrite anyway ({@link Backend#allocateUninitialized}).
     */
    public static Tensor uninitialized(Backend backend, DType dtype, int... shape) {
        int[] s = shape.clone();
        return fresh(backend.allocateUninitialized(dtype, Shape.numel(s)), s);
    }

    /** A contiguous tensor of shape s (owned) over a storage just allocated for it, reported to the recycler. */
    private static Tensor fresh(Storage storage, int[] s) {
        GradientRecycler.noteAllocation(storage);
        TensorScope.noteAllocation(storage);
        return new Tensor(storage, s, Shape.contiguousStrides(s), 0);
    }

    // ------------------------------------------------------------------ factories

    /** Zeros of the given shape, float32, on the default backend. */
    public static Tensor zeros(int... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    /** Zeros of the given dtype and shape on the default backend. */
    public static Tensor zeros(DType dtype, int... shape) {
        return empty(Backends.defaultBackend(), dtype, shape);
    }

    /** Ones of the given shape, float32. */
    public static Tensor ones(int... shape) {
        return full(DType.FLOAT32, 1.0, shape);
    }

    /** A tensor filled with {@code value}. */
    public static Tensor full(DType dtype, double value, int... shape) {
        return full(Backends.defaultBackend(), dtype, value, shape);
    }

    /** A tensor filled with {@code value} on a given backend. */
    public static Tensor full(Backend backend, DType dtype, double value, int... shape) {
        Tensor t = empty(backend, dtype, shape);
        if (value != 0) backend.fill(t, value);
        return t;
    }

    /** A 0-d float32 tensor. */
    public static Tensor scalar(double value) {
        return full(DType.FLOAT32, value);
    }

    /** A 0-d tensor of a given dtype. */
    public static Tensor scalar(DType dtype, double value) {
        return full(dtype, value);
    }

    /** A float32 tensor with a copy of {@code data} (row-major) and the given shape. */
    public static Tensor of(float[] data, int... shape) {
        return fromData(Backends.defaultBackend(), data.length, shape, b -> b.upload(data));
    }

    /** A float64 tensor with a copy of {@code data} (row-major) and the given shape. */
    public static Tensor of(double[] data, int... shape) {
        return fromData(Backends.defaultBackend(), data.length, shape, b -> b.upload(data));
    }

    /**
     * A float32 matrix {@code [rows.length, rows[0].length]} with a copy of {@code rows}: {@code rows[i][j]} is
     * element {@code (i, j)}, e.g. a batch of N samples with D features each is {@code [N, D]}.
     *
     * @throws IllegalArgumentException when there are no rows or the rows differ in length
     */
    public static Tensor of(float[][] rows) {
        int cols = columns(rows);
        float[] data = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, data, i * cols, cols);
        return of(data, rows.length, cols);
    }

    /** A float64 matrix {@code [rows.length, rows[0].length]} with a copy of {@code rows}; see {@link #of(float[][])}. */
    public static Tensor of(double[][] rows) {
        int cols = columns(rows);
        double[] data = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, data, i * cols, cols);
        return of(data, rows.length, cols);
    }

    private static int columns(Object[] rows) {
        if (rows.length == 0) throw new IllegalArgumentException("of: no rows; use of(new float[0], 0, D) for an empty [0, D] matrix");
        int cols = java.lang.reflect.Array.getLength(rows[0]);
        for (int i = 1; i < rows.length; i++) {
            int n = java.lang.reflect.Array.getLength(rows[i]);
            if (n != cols) throw new IllegalArgumentException("of: row " + i + " has " + n + " elements but row 0 has " + cols);
        }
        return cols;
    }

    /** An int32 tensor (labels, indices) with a copy of {@code data} and the given shape. */
    public static Tensor ofInts(int[] data, int... shape) {
        return fromData(Backends.defaultBackend(), data.length, shape, b -> b.upload(data));
    }

    /** A float32 vector. */
    public static Tensor vector(float... data) {
        return of(data, data.length);
    }

    private static Tensor fromData(Backend backend, int length, int[] shape, java.util.function.Function<Backend, Storage> upload) {
        int[] s = shape.clone();
        if (Shape.numel(s) != length)
            throw new IllegalArgumentException("data of length " + length + " does not fit shape " + Shape.str(s) + " (" + Shape.numel(s) + " elements)");
        return new Tensor(upload.apply(backend), s, Shape.contiguousStrides(s), 0);
    }

    /** {@code [0, 1, ..., n-1]} as a tensor of the given dtype. */
    public static Tensor arange(DType dtype, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = i;
        return fromHost(Backends.defaultBackend(), dtype, d, n);
    }

    /** Uniform [0, 1) values drawn from {@code gen}. */
    public static Tensor rand(Generator gen, DType dtype, int... shape) {
        return random(Backends.defaultBackend(), RandomKind.UNIFORM, gen, dtype, shape);
    }

    /** Standard normal values drawn from {@code gen}. */
    public static Tensor randn(Generator gen, DType dtype, int... shape) {
        return random(Backends.defaultBackend(), RandomKind.NORMAL, gen, dtype, shape);
    }

    /** Random values of a distribution on a given backend; advances {@code gen} by the counters used. */
    public static Tensor random(Backend backend, RandomKind kind, Generator gen, DType dtype, int... shape) {
        if (!dtype.isFloating()) throw new IllegalArgumentException("random: dtype must be floating, got " + dtype.label());
        Tensor t = empty(backend, dtype, shape);
        int n = t.numel();
        long counter = gen.reserve(kind == RandomKind.NORMAL ? 2L * n : n);
        backend.random(kind, gen.seed(), counter, t);
        return t;
    }

    /** Zeros with this tensor's shape, dtype and backend. */
    public Tensor zerosLike() {
        return empty(backend(), dtype(), shape);
    }

    /** Ones with this tensor's shape, dtype and backend. */
    public Tensor onesLike() {
        return full(backend(), dtype(), 1.0, shape);
    }

    /** A 0-d tensor with this tensor's dtype and backend. */
    public Tensor scalarLike(double value) {
        return full(backend(), dtype(), value);
    }

    /** A tensor with this one's dtype and backend holding {@code data} (row-major) in the given shape. */
    public Tensor newTensor(double[] data, int... shape) {
        return fromHost(backend(), dtype(), data, shape);
    }

    /** A tensor of any dtype on {@code backend} holding {@code data} (row-major), converted from double. */
    public static Tensor fromHost(Backend backend, DType dtype, double[] data, int... shape) {
        return switch (dtype) {
            case FLOAT64 -> fromData(backend, data.length, shape, b -> b.upload(data));
            case FLOAT32 -> {
                float[] f = new float[data.length];
                for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
                yield fromData(backend, data.length, shape, b -> b.upload(f));
            }
            case INT32 -> {
                int[] v = new int[data.length];
                for (int i = 0; i < v.length; i++) v[i] = (int) data[i];
                yield fromData(backend, data.length, shape, b -> b.upload(v));
            }
        };
    }

    // ------------------------------------------------------------------ layout

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code axis} (negative counts from the end). */
    public int size(int axis) {
        return shape[Shape.axis("size", axis, shape.length)];
    }

    /** Number of dimensions. */
    public int dim() {
        return shape.length;
    }

    /** Number of elements. */
    public int numel() {
        return Shape.numel(shape);
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Backend backend() {
        return storage.backend();
    }

    /** The underlying buffer (shared by views). */
    public Storage storage() {
        return storage;
    }

    /** Element strides per dimension (a copy). */
    public int[] strides() {
        return strides.clone();
    }

    /** Offset of element [0,...,0] in the storage. */
    public int offset() {
        return offset;
    }

    /** True when the elements lie in row-major order without gaps. */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    // ------------------------------------------------------------------ host access

    /** The elements in row-major order, as doubles. */
    public double[] toDoubleArray() {
        return backend().readDoubles(this);
    }

    /** The elements in row-major order, as floats. */
    public float[] toFloatArray() {
        return backend().readFloats(this);
    }

    /** The elements in row-major order, as ints (floats are truncated). */
    public int[] toIntArray() {
        return backend().readInts(this);
    }

    /** The single element of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item(): tensor of shape " + Shape.str(shape) + " has " + numel() + " elements, not 1");
        return toDoubleArray()[0];
    }

    /**
     * Returns this tensor after checking that no element is NaN or infinite; otherwise throws
     * {@link ArithmeticException} naming {@code what}, the element and the shape. Reads the tensor to the host.
     */
    public Tensor requireFinite(String what) {
        Anomaly.requireFinite(what, this);
        return this;
    }

    // ------------------------------------------------------------------ autograd state

    /** True when gradients flow to or through this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf tensor (one not produced by a recorded op) as a variable to differentiate with respect to.
     * Returns this tensor.
     */
    public Tensor requiresGrad(boolean value) {
        if (node != null) throw new IllegalStateException("requiresGrad: only leaf tensors can change it; this one was produced by " + node.describe() + " (use detach())");
        if (value && !dtype().isFloating()) throw new IllegalArgumentException("requiresGrad: a " + dtype().label() + " tensor cannot require gradients");
        this.requiresGrad = value;
        return this;
    }

    /** True when this tensor was not produced by a recorded op. */
    public boolean isLeaf() {
        return node == null;
    }

    /** Name of the op that produced this tensor in the graph, or null for a leaf. */
    public String gradFn() {
        return node == null ? null : node.op;
    }

    /** Gradient accumulated by {@link #backward()} into this leaf, or null. */
    public Tensor grad() {
        return grad;
    }

    /**
     * Replaces the accumulated gradient (null clears it). A gradient stored here outlives every open
     * {@link TensorScope}, as gradients accumulated over several steps must.
     */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape))
            throw new IllegalArgumentException("setGrad: gradient shape " + Shape.str(g.shape) + " differs from tensor shape " + Shape.str(shape));
        if (g != null) TensorScope.escape(g.storage());
        this.grad = g;
    }

    /** Clears the accumulated gradient. */
    public void zeroGrad() {
        this.grad = null;
    }

    /** The same data without graph history: a leaf that does not require grad. */
    public Tensor detach() {
        return new Tensor(storage, shape, strides, offset);
    }

    /** Back-propagates from this one-element tensor into {@link #grad()} of every leaf that requires grad. */
    public void backward() {
        Autograd.backward(this, GradOptions.defaults());
    }

    /** Back-propagates with the given output gradient (same shape as this tensor). */
    public void backward(Tensor gradOutput) {
        Autograd.backward(this, GradOptions.defaults().gradOutputs(gradOutput));
    }

    /**
     * The node that receives gradients for this tensor: its op node, or a leaf node when it is a leaf. The leaf node
     * is made once even when threads record graphs through the same parameter at the same time (inference and input
     * gradients on one model from several threads), so every graph refers to the same node.
     */
    Node gradNode() {
        if (node != null) return node;
        if (!requiresGrad) return null;
        Node n = leafNode;
        if (n == null) {
            synchronized (this) {
                n = leafNode;
                if (n == null) leafNode = n = new Node(this);
            }
        }
        return n;
    }

    void markRecorded(Node n) {
        this.node = n;
        this.requiresGrad = true;
    }

    // ------------------------------------------------------------------ printing

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(shape=").append(Shape.str(shape)).append(", dtype=").append(dtype().label());
        if (node != null) sb.append(", gradFn=").append(node.op);
        else if (requiresGrad) sb.append(", requiresGrad");
        sb.append(", data=");
        int n = numel();
        double[] d = n <= 64 ? toDoubleArray() : null;
        if (d == null) sb.append("<").append(n).append(" elements>");
        else {
            sb.append('[');
            for (int i = 0; i < d.length; i++) {
                if (i > 0) sb.append(", ");
                sb.append(dtype() == DType.INT32 ? String.valueOf((long) d[i]) : String.format(Locale.ROOT, "%.6g", d[i]));
            }
            sb.append(']');
        }
        return sb.append(')').toString();
    }

    // ------------------------------------------------------------------ ops (fluent API)
    // ---- elementwise, one argument

    public Tensor neg() { return UnaryOp.NEG.apply(this, 0); }
    public Tensor abs() { return UnaryOp.ABS.apply(this, 0); }
    /** -1, 0 or 1; gradient 0. */
    public Tensor sign() { return UnaryOp.SIGN.apply(this, 0); }
    public Tensor exp() { return UnaryOp.EXP.apply(this, 0); }
    /** Natural logarithm. */
    public Tensor log() { return UnaryOp.LOG.apply(this, 0); }
    public Tensor sqrt() { return UnaryOp.SQRT.apply(this, 0); }
    public Tensor reciprocal() { return UnaryOp.RECIPROCAL.apply(this, 0); }
    public Tensor square() { return UnaryOp.SQUARE.apply(this, 0); }
    /** max(x, 0); derivative 0 at 0. */
    public Tensor relu() { return UnaryOp.RELU.apply(this, 0); }
    /** x for x > 0, slope * x otherwise. */
    public Tensor leakyRelu(double slope) { return UnaryOp.LEAKY_RELU.apply(this, slope); }
    public Tensor sigmoid() { return UnaryOp.SIGMOID.apply(this, 0); }
    public Tensor tanh() { return UnaryOp.TANH.apply(this, 0); }
    /** log(1 + exp(x)). */
    public Tensor softplus() { return UnaryOp.SOFTPLUS.apply(this, 0); }
    /** x^exponent elementwise. */
    public Tensor pow(double exponent) { return UnaryOp.POW_SCALAR.apply(this, exponent); }

    // ---- elementwise, two arguments (broadcasting)

    public Tensor add(Tensor other) { return BinaryOp.ADD.apply(this, other); }
    public Tensor add(double other) { return add(scalarLike(other)); }
    public Tensor sub(Tensor other) { return BinaryOp.SUB.apply(this, other); }
    public Tensor sub(double other) { return sub(scalarLike(other)); }
    public Tensor mul(Tensor other) { return BinaryOp.MUL.apply(this, other); }
    public Tensor mul(double other) { return mul(scalarLike(other)); }
    public Tensor div(Tensor other) { return BinaryOp.DIV.apply(this, other); }
    public Tensor div(double other) { return div(scalarLike(other)); }
    /** this^exponent elementwise, broadcasting. */
    public Tensor pow(Tensor exponent) { return BinaryOp.POW.apply(this, exponent); }
    /** Elementwise maximum; ties split the gradient equally. */
    public Tensor maximum(Tensor other) { return BinaryOp.MAXIMUM.apply(this, other); }
    public Tensor maximum(double other) { return maximum(scalarLike(other)); }
    /** Elementwise minimum; ties split the gradient equally. */
    public Tensor minimum(Tensor other) { return BinaryOp.MINIMUM.apply(this, other); }
    public Tensor minimum(double other) { return minimum(scalarLike(other)); }

    // ---- comparison masks (1 where true, 0 elsewhere; no gradient)

    public Tensor eq(Tensor other) { return Comparison.compare(BinaryKernel.EQ, this, other); }
    public Tensor eq(double other) { return eq(scalarLike(other)); }
    public Tensor ne(Tensor other) { return Comparison.compare(BinaryKernel.NE, this, other); }
    public Tensor ne(double other) { return ne(scalarLike(other)); }
    public Tensor lt(Tensor other) { return Comparison.compare(BinaryKernel.LT, this, other); }
    public Tensor lt(double other) { return lt(scalarLike(other)); }
    public Tensor le(Tensor other) { return Comparison.compare(BinaryKernel.LE, this, other); }
    public Tensor le(double other) { return le(scalarLike(other)); }
    public Tensor gt(Tensor other) { return Comparison.compare(BinaryKernel.GT, this, other); }
    public Tensor gt(double other) { return gt(scalarLike(other)); }
    public Tensor ge(Tensor other) { return Comparison.compare(BinaryKernel.GE, this, other); }
    public Tensor ge(double other) { return ge(scalarLike(other)); }
    /** 1 where the element is finite (not NaN or infinite), 0 elsewhere. */
    public Tensor isFiniteMask() { return detach().abs().lt(Double.POSITIVE_INFINITY); }

    /** {@code a} where {@code cond} is nonzero, {@code b} elsewhere (broadcasting); no gradient to cond. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Where.where(cond, a, b); }

    /** Clips into [min, max]; gradient 1 inside (boundaries included), 0 outside. */
    public Tensor clamp(double min, double max) { return Where.clamp(this, min, max); }

    /** Clips elementwise into [min, max] given as tensors (e.g. an epsilon ball intersected with a box). */
    public Tensor clamp(Tensor min, Tensor max) { return Where.clamp(this, min, max); }

    // ---- reductions (axes null or empty = all)

    /** Sum of all elements (0-d). */
    public Tensor sum() { return Reduction.sum(this, null, false); }
    public Tensor sum(int[] axes, boolean keepdim) { return Reduction.sum(this, axes, keepdim); }
    /** Mean of all elements (0-d). */
    public Tensor mean() { return Reduction.mean(this, null, false); }
    public Tensor mean(int[] axes, boolean keepdim) { return Reduction.mean(this, axes, keepdim); }
    /** Maximum of all elements (0-d). */
    public Tensor amax() { return Reduction.amax(this, null, false); }
    public Tensor amax(int[] axes, boolean keepdim) { return Reduction.amax(this, axes, keepdim); }
    public Tensor amin() { return Reduction.amin(this, null, false); }
    public Tensor amin(int[] axes, boolean keepdim) { return Reduction.amin(this, axes, keepdim); }
    /** int32 index of the maximum along {@code axis} (first on ties), the axis removed. */
    public Tensor argmax(int axis) { return Reduction.argmax(this, axis, false); }
    public Tensor argmax(int axis, boolean keepdim) { return Reduction.argmax(this, axis, keepdim); }
    public Tensor argmin(int axis) { return Reduction.argmin(this, axis, false); }
    public Tensor argmin(int axis, boolean keepdim) { return Reduction.argmin(this, axis, keepdim); }
    /** log(sum(exp(x))) over {@code axes}, computed stably. */
    public Tensor logsumexp(int[] axes, boolean keepdim) { return Softmax.logsumexp(this, axes, keepdim); }
    /** Sums this broadcast tensor back to {@code shape} (the adjoint of broadcasting). */
    public Tensor sumToShape(int... shape) { return Reduction.sumToShape(this, shape); }

    // ---- shape and layout

    /** Same elements, new shape (one dimension may be -1); a view when this tensor is contiguous. */
    public Tensor reshape(int... shape) { return View.reshape(this, shape); }
    /** Merges dimensions {@code startDim..} into one: {@code [N, C, H, W].flatten(1) -> [N, C*H*W]}. */
    public Tensor flatten(int startDim) {
        int s = Shape.axis("flatten", startDim, dim());
        int[] shp = java.util.Arrays.copyOf(shape, s + 1);
        shp[s] = -1;
        return numel() == 0 ? this : reshape(shp);
    }
    /** Inserts a size-1 dimension at {@code axis} (0..rank; negative counts from the end). */
    public Tensor unsqueeze(int axis) {
        int a = axis < 0 ? axis + dim() + 1 : axis;
        if (a < 0 || a > dim()) throw new IllegalArgumentException("unsqueeze: axis " + axis + " out of range for shape " + Shape.str(shape));
        int[] s = new int[dim() + 1];
        for (int i = 0, j = 0; i < s.length; i++) s[i] = i == a ? 1 : shape[j++];
        return reshape(s);
    }
    /** Removes dimension {@code axis}, which must have size 1. */
    public Tensor squeeze(int axis) {
        int a = Shape.axis("squeeze", axis, dim());
        if (shape[a] != 1) throw new IllegalArgumentException("squeeze: axis " + axis + " of shape " + Shape.str(shape) + " has size " + shape[a] + ", not 1");
        int[] s = new int[dim() - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != a) s[j++] = shape[i];
        return reshape(s);
    }
    /** Reorders axes (a view). */
    public Tensor permute(int... dims) { return View.permute(this, dims); }
    /** Swaps two axes (a view). */
    public Tensor transpose(int a, int b) {
        int[] d = new int[dim()];
        for (int i = 0; i < d.length; i++) d[i] = i;
        int x = Shape.axis("transpose", a, dim()), y = Shape.axis("transpose", b, dim());
        d[x] = y;
        d[y] = x;
        return permute(d);
    }
    /** Broadcasts to {@code shape} without copying. */
    public Tensor expand(int... shape) { return View.expand(this, shape); }
    /** Elements start, start+step, ... below end along axis (a view). */
    public Tensor slice(int axis, int start, int end, int step) { return View.slice(this, axis, start, end, step); }
    /** Elements start..end-1 along axis (a view). */
    public Tensor slice(int axis, int start, int end) { return View.slice(this, axis, start, end, 1); }
    /** A row-major copy, or this tensor when already contiguous. */
    public Tensor contiguous() { return View.contiguous(this); }
    /** Converted to {@code dtype} (this tensor when it already has it); differentiable between float types. */
    public Tensor to(DType dtype) { return View.cast(this, dtype); }

    /** Joins tensors along an existing axis. */
    public static Tensor concat(int axis, Tensor... tensors) { return Join.concat(axis, tensors); }
    /** Joins equal-shaped tensors along a new axis. */
    public static Tensor stack(int axis, Tensor... tensors) { return Join.stack(axis, tensors); }

    // ---- indexing

    /** PyTorch's gather along {@code axis} with an int32 index of the same rank. */
    public Tensor gather(int axis, Tensor index) { return Indexing.gather(this, axis, index); }
    /** Entries of {@code axis} picked by a 1-D int32 index. */
    public Tensor indexSelect(int axis, Tensor index) { return Indexing.indexSelect(this, axis, index); }

    /** Inclusive prefix sums along {@code axis}. */
    public Tensor cumsum(int axis) { return Scan.cumsum(this, axis, false); }
    /** Values sorted along {@code axis} (differentiable: gradients return to the original positions). */
    public Tensor sort(int axis, boolean descending) { return Scan.sort(this, axis, descending); }
    /** int32 indices that sort this tensor along {@code axis} (stable). */
    public Tensor argsort(int axis, boolean descending) { return Scan.argsort(this, axis, descending); }
    /** The k largest values along {@code axis}, largest first. */
    public Tensor topk(int k, int axis) { return Scan.topk(this, k, axis, true); }

    // ---- linear algebra and activations over an axis

    /** Matrix product with broadcast batch dimensions: {@code [..., m, k] @ [..., k, n]}. */
    public Tensor matmul(Tensor other) { return MatMul.matmul(this, other); }
    public Tensor softmax(int axis) { return Softmax.softmax(this, axis); }
    public Tensor logSoftmax(int axis) { return Softmax.logSoftmax(this, axis); }

    // ---- in place (not recorded)

    /**
     * Overwrites this tensor's elements with {@code src} (broadcast to this shape, converted to this dtype) in
     * place, outside the graph: for optimizer updates, running statistics and attack iterates. Refused for a
     * tensor that requires grad while recording is on, since saved copies in a graph would silently change.
     */
    public Tensor assign(Tensor src) {
        if (requiresGrad && GradMode.isEnabled())
            throw new IllegalStateException("assign: in-place update of a tensor that requires grad (shape " + Shape.str(shape)
                    + ") while recording; wrap it in GradMode.noGrad()");
        if (!Shape.broadcastsTo(src.shape(), shape))
            throw new IllegalArgumentException("assign: source shape " + Shape.str(src.shape()) + " does not broadcast to " + Shape.str(shape));
        if (src.backend() != backend())
            throw new IllegalArgumentException("assign: source lives on backend " + src.backend().name() + ", this tensor on " + backend().name());
        backend().copy(src, this);
        return this;
    }
}

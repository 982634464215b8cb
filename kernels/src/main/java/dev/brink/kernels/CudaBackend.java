package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.BinaryKernel;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.OptimizerKernel;
import dev.brink.engine.backend.PoolGeometry;
import dev.brink.engine.backend.RandomKind;
import dev.brink.engine.backend.ReduceKernel;
import dev.brink.engine.backend.Storage;
import dev.brink.engine.backend.UnaryKernel;

/**
 * The CUDA backend: device memory from a {@link CachingAllocator}, every kernel queued on the device's one stream,
 * cuBLAS for matmul and cuDNN for convolutions where those libraries load (built-in kernels otherwise), and
 * hand-written kernels for everything else (docs/kernels.md lists them). Host round trips happen only in
 * {@code upload} and the {@code read*} methods, which are also where errors found on the device (an index out of
 * range) are raised.
 *
 * <p>Beyond the {@link Backend} contract it offers fused kernels for attacks and robust training (sign and L2
 * steps, projections onto L-inf/L2/L1 balls intersected with a box, per-sample cross-entropy with label
 * smoothing, and the EMR Jacobian-row helpers). They take and return tensors of this backend, compute forward
 * only and record no autograd graph.
 *
 * <p>Kernels follow the CPU backend's semantics (the reference): NaN propagation, tie-breaking and conversions
 * match it; float32 arithmetic runs in float32 (sums, norms and the fallback GEMM and convolutions accumulate in
 * double), so float32 results agree with the CPU to float32 rounding rather than bit for bit.
 */
public final class CudaBackend implements Backend {
    private final Device device;
    private final CachingAllocator allocator;
    private final ErrorSlots errors;
    private Device.Buffer workspace;

    /** A backend on {@code device} (which it owns from now on). */
    public CudaBackend(Device device) {
        this.device = device;
        this.allocator = new CachingAllocator(device);
        this.errors = new ErrorSlots(device);
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** The device, its libraries and this backend's memory use, in one line. */
    @Override
    public String describe() {
        long[] s = allocator.stats();
        return device.describe() + "; tensors " + CachingAllocator.mib(s[0]) + ", cached " + CachingAllocator.mib(s[1])
                + ", peak " + CachingAllocator.mib(s[2]);
    }

    /** Waits for all queued work and raises any error that kernels reported. */
    public void synchronize() {
        device.synchronize();
        errors.check();
    }

    /** Returns cached device memory to the driver (tensors still alive keep theirs). */
    public void releaseCachedMemory() {
        allocator.releaseCached();
    }

    // ------------------------------------------------------------------ internals shared by the kernel families

    Device device() {
        return device;
    }

    CachingAllocator allocator() {
        return allocator;
    }

    ErrorSlots errors() {
        return errors;
    }

    Device.Buffer buf(Tensor t) {
        return CudaStorage.of(t, this).buffer();
    }

    void launch(String kernel, int[] grid, int[] block, KernelArgs args) {
        device.launch(kernel, grid, block, args);
    }

    /** A new storage whose contents are undefined (for outputs that a kernel overwrites entirely). */
    CudaStorage allocateRaw(DType dtype, int size) {
        if (size < 0) throw new IllegalArgumentException("allocate: negative size " + size);
        return new CudaStorage(this, dtype, size, allocator.allocate((long) size * dtype.bytes()));
    }

    /** A contiguous tensor with undefined contents. */
    Tensor temp(DType dtype, int... shape) {
        return Tensor.fromStorage(allocateRaw(dtype, (int) Layouts.numel(shape)), shape, Shape.contiguousStrides(shape), 0);
    }

    /** {@code t} itself if contiguous, else a contiguous copy. */
    Tensor contiguous(Tensor t) {
        if (t.isContiguous()) return t;
        Tensor c = temp(t.dtype(), t.shape());
        copy(t, c);
        return c;
    }

    /** Scratch memory for cuDNN, grown on demand and kept. */
    Dnn.Workspace workspace() {
        return bytes -> {
            if (workspace == null || workspace.bytes() < bytes) {
                if (workspace != null) allocator.release(workspace);
                workspace = null;
                workspace = allocator.allocate(bytes);
            }
            return workspace;
        };
    }

    /** Kernel-name suffix of a dtype: f32, f64 or i32. */
    static String sfx(DType t) {
        return switch (t) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT32 -> "i32";
        };
    }

    static void requireFloating(String op, Tensor t) {
        if (!t.dtype().isFloating())
            throw new UnsupportedOperationException("cuda backend: " + op + " needs a floating tensor, got " + t.dtype().label());
    }

    // ------------------------------------------------------------------ memory

    @Override
    public Storage allocate(DType dtype, int size) {
        CudaStorage s = allocateRaw(dtype, size);
        if (size > 0) device.memset(s.buffer(), 0, (long) size * dtype.bytes(), (byte) 0);
        return s;
    }

    /** Hands {@code storage}'s block back to the allocator now (see {@link Backend#recycle}); later uses fail. */
    @Override
    public void recycle(Storage storage) {
        if (storage instanceof CudaStorage c && c.backend() == this) c.recycle();
    }

    /** A block as the allocator hands it out, not cleared: for outputs whose kernels write every element. */
    @Override
    public Storage allocateUninitialized(DType dtype, int size) {
        return allocateRaw(dtype, size);
    }

    @Override
    public Storage upload(float[] data) {
        return uploaded(DType.FLOAT32, data.length, data);
    }

    @Override
    public Storage upload(double[] data) {
        return uploaded(DType.FLOAT64, data.length, data);
    }

    @Override
    public Storage upload(int[] data) {
        return uploaded(DType.INT32, data.length, data);
    }

    private Storage uploaded(DType dtype, int n, Object data) {
        CudaStorage s = allocateRaw(dtype, n);
        if (n > 0) device.upload(s.buffer(), 0, data);
        return s;
    }

    @Override
    public double[] readDoubles(Tensor t) {
        double[] r = new double[t.numel()];
        read(t, DType.FLOAT64, r);
        return r;
    }

    @Override
    public float[] readFloats(Tensor t) {
        float[] r = new float[t.numel()];
        read(t, DType.FLOAT32, r);
        return r;
    }

    @Override
    public int[] readInts(Tensor t) {
        int[] r = new int[t.numel()];
        read(t, DType.INT32, r);
        return r;
    }

    /** Converts t to a contiguous tensor of {@code as} on the device if needed, then downloads it into {@code dst}. */
    private void read(Tensor t, DType as, Object dst) {
        if (t.numel() > 0) {
            Tensor src = t;
            if (!t.isContiguous() || t.dtype() != as) {
                src = temp(as, t.shape());
                copy(t, src);
            }
            device.download(buf(src), (long) src.offset() * as.bytes(), dst);
        }
        errors.check();
    }

    // ------------------------------------------------------------------ kernels

    @Override
    public void fill(Tensor out, double value) {
        CudaElementwise.fill(this, out, value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        CudaElementwise.copy(this, src, dst);
    }

    @Override
    public void unary(UnaryKernel k, double alpha, Tensor x, Tensor out) {
        CudaElementwise.unary(this, k, alpha, x, out);
    }

    @Override
    public void binary(BinaryKernel k, Tensor a, Tensor b, Tensor out) {
        CudaElementwise.binary(this, k, a, b, out);
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        CudaElementwise.where(this, cond, a, b, out);
    }

    @Override
    public void reduce(ReduceKernel k, Tensor x, boolean[] axes, Tensor out) {
        CudaReduce.reduce(this, k, x, axes, out);
    }

    @Override
    public void argReduce(ReduceKernel k, Tensor x, int axis, Tensor out) {
        CudaReduce.argReduce(this, k, x, axis, out);
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        CudaMatmul.matmul(this, a, b, out);
    }

    @Override
    public void gather(Tensor x, int axis, Tensor index, Tensor out) {
        CudaIndexing.gather(this, x, axis, index, out);
    }

    @Override
    public void scatterAdd(Tensor src, int axis, Tensor index, Tensor out) {
        CudaIndexing.scatterAdd(this, src, axis, index, out);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, ConvGeometry g, Tensor out) {
        CudaConv.conv2d(this, x, w, g, out);
    }

    @Override
    public void conv2dInputGrad(Tensor gy, Tensor w, ConvGeometry g, Tensor out) {
        CudaConv.conv2dInputGrad(this, gy, w, g, out);
    }

    @Override
    public void conv2dWeightGrad(Tensor x, Tensor gy, ConvGeometry g, Tensor out) {
        CudaConv.conv2dWeightGrad(this, x, gy, g, out);
    }

    @Override
    public void maxPool2dIndices(Tensor x, PoolGeometry g, Tensor out) {
        CudaPool.maxPool2dIndices(this, x, g, out);
    }

    @Override
    public void cumsum(Tensor x, int axis, boolean reverse, Tensor out) {
        CudaScan.cumsum(this, x, axis, reverse, out);
    }

    @Override
    public void argsort(Tensor x, int axis, boolean descending, Tensor out) {
        CudaScan.argsort(this, x, axis, descending, out);
    }

    @Override
    public boolean optimizerStep(OptimizerKernel k, double[] hyper, Tensor param, Tensor grad, Tensor state1, Tensor state2) {
        return CudaOptimizer.step(this, k, hyper, param, grad, state1, state2);
    }

    @Override
    public void random(RandomKind kind, long seed, long counter, Tensor out) {
        CudaRandom.random(this, kind, seed, counter, out);
    }

    // ------------------------------------------------------------------ fused kernels for attacks and robust training
    // The attack steps override Backend's (the engine ops F.signStep, F.l2Step, F.projectLinf/L2/L1 and so every
    // attack call them): attack.cu's kernels, one launch each on contiguous copies of the inputs, in double.

    /** {@code x + alpha * sign(grad)} (FGSM / PGD L-inf step) with attack.cu's {@code sign_step_*}; see {@link Backend#signStep}. */
    @Override
    public Tensor signStep(Tensor x, Tensor grad, double alpha) {
        return CudaRobust.signStep(this, x, grad, alpha);
    }

    /** {@code x + alpha * grad / max(||grad||_2, 1e-12)} per sample (PGD L2 step) with {@code l2_step_*}, one block per sample. */
    @Override
    public Tensor l2Step(Tensor x, Tensor grad, double alpha) {
        return CudaRobust.l2Step(this, x, grad, alpha);
    }

    /** Projection onto the L-inf ball of radius eps around x0 intersected with [lo, hi] (exact) with {@code project_linf_*}. */
    @Override
    public Tensor projectLinf(Tensor x, Tensor x0, double eps, double lo, double hi) {
        return CudaRobust.project(this, "project_linf_", x, x0, eps, lo, hi);
    }

    /** Per sample: x - x0 scaled into the L2 ball of radius eps, then x0 + that clipped to [lo, hi] ({@code project_l2_*}). */
    @Override
    public Tensor projectL2(Tensor x, Tensor x0, double eps, double lo, double hi) {
        return CudaRobust.project(this, "project_l2_", x, x0, eps, lo, hi);
    }

    /** Per sample: x - x0 projected onto the L1 ball of radius eps (Duchi et al.), then x0 + that clipped to [lo, hi] ({@code project_l1_*}). */
    @Override
    public Tensor projectL1(Tensor x, Tensor x0, double eps, double lo, double hi) {
        return CudaRobust.project(this, "project_l1_", x, x0, eps, lo, hi);
    }

    /**
     * Per-sample cross-entropy of logits {@code [N, K]} against int32 labels {@code [N]} with label smoothing
     * {@code s}: {@code [N]}, as {@code Loss.crossEntropy(logits, labels, s, NONE)}. A label out of range raises
     * {@link IndexOutOfBoundsException} at the next read.
     */
    public Tensor crossEntropy(Tensor logits, Tensor labels, double smoothing) {
        return CudaRobust.crossEntropy(this, logits, labels, smoothing);
    }

    /**
     * The K one-hot backward seeds for a batch of {@code batch} samples replicated K times: {@code [K * batch, K]},
     * row {@code c * batch + i} is class c's one-hot vector. Backpropagating it through the logits of the
     * replicated batch yields every per-class input-gradient row in one pass.
     */
    public Tensor emrSeeds(DType dtype, int classes, int batch) {
        return CudaRobust.emrSeeds(this, dtype, classes, batch);
    }

    /** Squared L2 norm of each row (first axis) of {@code rows}: {@code [R]}, with emr.cu's {@code row_sqnorm_*}; see {@link Backend#rowSquaredNorms}. */
    @Override
    public Tensor rowSquaredNorms(Tensor rows) {
        return CudaRobust.rowSquaredNorms(this, rows);
    }

    /**
     * {@code ||w_y - w_j||^2} for Jacobian rows {@code jac} {@code [K, B, ...]} (block c holds the gradients of
     * logit c) and labels y {@code [B]}: {@code [B, K]} (0 where j == y). A label out of range raises
     * {@link IndexOutOfBoundsException} at the next read.
     */
    @Override
    public Tensor emrPairSquaredNorms(Tensor jac, Tensor labels) {
        return CudaRobust.emrPairSquaredNorms(this, jac, labels);
    }

    @Override
    public String toString() {
        return "CudaBackend(" + device.describe() + ")";
    }
}

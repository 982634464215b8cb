package dev.brink.engine.backend;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;

/**
 * Owner of memory and kernels. Autodiff and ops above this interface never know which backend runs: an op
 * allocates its output with {@link #allocate} and calls one or more kernels; a new backend implements exactly
 * the methods here.
 *
 * <p>Conventions for every kernel: input tensors may be arbitrary strided views (read them through
 * {@link Tensor#storage()}, {@link Tensor#offset()}, {@link Tensor#strides()}, including stride 0 for broadcast
 * dimensions); output tensors are given by the caller, have the documented shape and dtype, and are contiguous
 * unless the kernel says otherwise. All tensors passed to one call live on this backend. Kernels do not check
 * shapes beyond what they need: the ops above check and report shape errors.
 *
 * <p>Shared rules, so that backends agree: an output never shares storage with an input (except for
 * {@link #copy}, which must behave as if it read the whole source first). NaN propagates through MAX/MIN in
 * {@link #binary} and {@link #reduce}; {@link #argReduce} and {@link #maxPool2dIndices} pick the first NaN if
 * there is one, else the first extreme. Arithmetic kernels are only called on floating types by the ops;
 * comparisons, copy, fill, gather and scatter may see int32. Float32 results may be computed in higher precision
 * and rounded to nearest.
 */
public interface Backend {
    /** Short name, e.g. "cpu". */
    String name();

    /**
     * One line for people: the device and whatever else a user needs to know about this backend (for the CPU its
     * kernels and threads; for CUDA the GPU, its memory and which vendor libraries loaded). Default: the name.
     */
    default String describe() {
        return name();
    }

    /** A new zero-filled buffer. */
    Storage allocate(DType dtype, int size);

    /**
     * A new buffer whose contents are unspecified, for an op whose kernel writes every element before anything reads
     * one: a backend that keeps {@linkplain #recycle recycled} buffers hands one out without clearing it. The
     * default is {@link #allocate}.
     */
    default Storage allocateUninitialized(DType dtype, int size) {
        return allocate(dtype, size);
    }

    /**
     * Hint from the autodiff walker: no tensor will read or write {@code storage} again (it held a gradient or a
     * temporary of a backward pass that nothing references any more), so its memory may be handed out by a later
     * {@link #allocate} of the same dtype and size (zero-filled again). Also called by a closing
     * {@link dev.brink.engine.TensorScope} for the storages it releases. The default does nothing and leaves it to
     * the garbage collector. Only {@code storage}s this backend allocated are passed; one already recycled may be
     * passed again (a backward pass recycled it inside a scope) and must then be ignored. The CPU backend makes
     * every later use of a recycled storage fail.
     */
    default void recycle(Storage storage) {}

    /** A new buffer holding a copy of {@code data} (FLOAT32). */
    Storage upload(float[] data);

    /** A new buffer holding a copy of {@code data} (FLOAT64). */
    Storage upload(double[] data);

    /** A new buffer holding a copy of {@code data} (INT32). */
    Storage upload(int[] data);

    /** The elements of {@code t} in row-major order of its shape, converted to double. */
    double[] readDoubles(Tensor t);

    /** The elements of {@code t} in row-major order of its shape, converted to float. */
    float[] readFloats(Tensor t);

    /** The elements of {@code t} in row-major order of its shape, converted to int (truncating floats). */
    int[] readInts(Tensor t);

    /** Sets every element of the (possibly strided) view {@code out} to {@code value}. */
    void fill(Tensor out, double value);

    /**
     * Copies {@code src} into {@code dst}: {@code src}'s shape broadcasts to {@code dst}'s, dtypes may differ
     * (values are converted; float to int truncates), and {@code dst} may be a strided, non-overlapping view.
     */
    void copy(Tensor src, Tensor dst);

    /** {@code out[i] = k(x[i])} elementwise; same shape; {@code alpha} parameterizes LEAKY_RELU and POW_SCALAR. */
    void unary(UnaryKernel k, double alpha, Tensor x, Tensor out);

    /** {@code out = k(a, b)} with {@code a} and {@code b} broadcast to {@code out}'s shape; a, b, out share a dtype. */
    void binary(BinaryKernel k, Tensor a, Tensor b, Tensor out);

    /** {@code out = cond != 0 ? a : b}, all three broadcast to {@code out}'s shape; cond has a's dtype. */
    void where(Tensor cond, Tensor a, Tensor b, Tensor out);

    /**
     * Reduces {@code x} over the axes with {@code axes[i] == true}; {@code out} has x's rank with those axes of
     * size 1 (keepdim layout). SUM of nothing is 0; MAX/MIN over an empty axis is an error raised by the op.
     */
    void reduce(ReduceKernel k, Tensor x, boolean[] axes, Tensor out);

    /**
     * Index of the maximum (MAX) or minimum (MIN) along {@code axis}; {@code out} is INT32 with x's shape and
     * that axis of size 1. Ties resolve to the first index.
     */
    void argReduce(ReduceKernel k, Tensor x, int axis, Tensor out);

    /**
     * Batched matrix product: {@code a} is {@code [..., m, k]}, {@code b} is {@code [..., k, n]}, both of rank
     * >= 2, batch dimensions broadcast to {@code out}'s {@code [..., m, n]}.
     */
    void matmul(Tensor a, Tensor b, Tensor out);

    /**
     * {@code out[i_0..i_axis..i_r] = x[i_0..index[i_0..i_r]..i_r]} (PyTorch's gather): {@code index} is INT32
     * with {@code out}'s shape and the same rank as {@code x}. An index outside {@code [0, x.shape[axis])} raises
     * {@link IndexOutOfBoundsException} naming its row-major position in {@code index}, its value and the range
     * (a device backend may raise it at the next synchronization); ops add their own name and argument.
     */
    void gather(Tensor x, int axis, Tensor index, Tensor out);

    /**
     * {@code out[i_0..index[i]..i_r] += src[i]} for every position i of {@code src} (PyTorch's scatter_add_,
     * accumulating into the existing contents of {@code out}); {@code index} is INT32 with src's shape. Indices
     * are validated as in {@link #gather}.
     */
    void scatterAdd(Tensor src, int axis, Tensor index, Tensor out);

    /** Cross-correlation: x {@code [N, C, H, W]}, w {@code [O, C/groups, kh, kw]}, out {@code [N, O, Ho, Wo]}. */
    void conv2d(Tensor x, Tensor w, ConvGeometry g, Tensor out);

    /**
     * Gradient of {@link #conv2d} with respect to its input (the transposed convolution): gy {@code [N, O, Ho, Wo]},
     * w as in conv2d, out {@code [N, C, H, W]} (its shape fixes H and W where the stride leaves them ambiguous).
     */
    void conv2dInputGrad(Tensor gy, Tensor w, ConvGeometry g, Tensor out);

    /** Gradient of {@link #conv2d} with respect to its weight: x {@code [N,C,H,W]}, gy {@code [N,O,Ho,Wo]}, out w's shape. */
    void conv2dWeightGrad(Tensor x, Tensor gy, ConvGeometry g, Tensor out);

    /**
     * In place on a fresh, contiguous op output y {@code [N, C, ...]} (a convolution's, a normalization's):
     * {@code y += bias} (bias {@code [1, C, 1, ...]}, or null for none), then, with {@code relu}, {@code y = max(y, 0)}; the same roundings as the separate
     * broadcast addition and relu, so the same values. The default runs those two kernels with y as their output;
     * the CPU makes one pass.
     */
    default void biasReluInPlace(Tensor y, Tensor bias, boolean relu) {
        if (bias != null) binary(BinaryKernel.ADD, y, bias, y);
        if (relu) unary(UnaryKernel.RELU, 0.0, y, y);
    }

    /**
     * Max-pooling switches: for each output position of x {@code [N, C, H, W]}, the flat index {@code h * W + w}
     * within its (n, c) plane of the window's maximum (first one on ties); out is INT32 {@code [N, C, Ho, Wo]}.
     */
    void maxPool2dIndices(Tensor x, PoolGeometry g, Tensor out);

    /**
     * Inclusive prefix sums of x along {@code axis} ({@code out[i] = x[0] + ... + x[i]}), or suffix sums
     * ({@code out[i] = x[i] + ... + x[n-1]}) when {@code reverse}; out has x's shape.
     */
    void cumsum(Tensor x, int axis, boolean reverse, Tensor out);

    /**
     * Indices that sort x along {@code axis}, ascending or descending, stable (equal values keep their order),
     * NaN last; out is INT32 with x's shape.
     */
    void argsort(Tensor x, int axis, boolean descending, Tensor out);

    /**
     * Fills contiguous {@code out} with element {@code i} drawn at counter {@code counter + i} (UNIFORM) or from
     * counters {@code counter + 2i, counter + 2i + 1} (NORMAL) of stream {@code seed}, exactly as
     * {@link dev.brink.engine.Generator}'s static functions define (FLOAT32 uses {@code uniformFloat}).
     */
    void random(RandomKind kind, long seed, long counter, Tensor out);

    /**
     * One fused optimizer update, in place: overwrites {@code param} and the state tensors (see
     * {@link OptimizerKernel} for the formulas and {@code hyper}); {@code grad} is read only. All tensors share
     * param's shape and dtype. Returns false, having changed nothing, where this backend has no fused kernel for
     * these tensors; the optimizer then composes the same update from other kernels. The default has none.
     */
    default boolean optimizerStep(OptimizerKernel k, double[] hyper, Tensor param, Tensor grad, Tensor state1, Tensor state2) {
        return false;
    }

    // ------------------------------------------------------------------ attack steps (see dev.brink.engine.op.AttackStep)
    //
    // Unlike the kernels above, these return their result: a new contiguous tensor of x's shape and dtype on this
    // backend that shares storage with no input and records no graph. Inputs: a batch x [N, ...] (rank >= 1) and a
    // second tensor of exactly x's shape and floating dtype, any strides; "per sample" means over all elements of
    // one index of the first axis. N = 0 or any empty shape gives an empty result. The ops check arguments; these
    // methods assume them checked. Each default composes the formula from tensor ops (so every backend has them);
    // the CPU and CUDA backends override them with one-pass kernels that compute in double and round once to the
    // dtype (the step size alpha is rounded to the dtype first in signStep), agreeing with the defaults up to
    // float rounding.

    /** {@code x + alpha * sign(grad)} elementwise, with sign(0) = 0 (FGSM, the L-inf PGD/BIM step). */
    default Tensor signStep(Tensor x, Tensor grad, double alpha) {
        return ComposedAttackSteps.signStep(x, grad, alpha);
    }

    /** {@code x + alpha * grad / max(||grad||_2, 1e-12)} per sample (FGM-L2, the L2 PGD step; a zero gradient leaves x). */
    default Tensor l2Step(Tensor x, Tensor grad, double alpha) {
        return ComposedAttackSteps.l2Step(x, grad, alpha);
    }

    /**
     * The exact projection onto the L-inf ball of radius eps around x0 intersected with the box:
     * {@code min(max(x, max(x0 - eps, lo)), min(x0 + eps, hi))} elementwise.
     */
    default Tensor projectLinf(Tensor x, Tensor x0, double eps, double lo, double hi) {
        return ComposedAttackSteps.projectLinf(x, x0, eps, lo, hi);
    }

    /**
     * Per sample: {@code d = x - x0} scaled by {@code min(1, eps / max(||d||_2, 1e-12))} (exact projection onto the
     * L2 ball), then {@code x0 + d} clipped to {@code [lo, hi]}.
     */
    default Tensor projectL2(Tensor x, Tensor x0, double eps, double lo, double hi) {
        return ComposedAttackSteps.projectL2(x, x0, eps, lo, hi);
    }

    /**
     * Per sample: {@code d = x - x0} projected onto the L1 ball of radius eps (Euclidean projection, Duchi et al.
     * 2008: soft-thresholding at the level theta that makes ||d||_1 = eps; d itself when already inside), then
     * {@code x0 + d} clipped to {@code [lo, hi]}.
     */
    default Tensor projectL1(Tensor x, Tensor x0, double eps, double lo, double hi) {
        return ComposedAttackSteps.projectL1(x, x0, eps, lo, hi);
    }

    // ------------------------------------------------------------------ Jacobian-row reductions (see dev.brink.engine.op.JacobianRowOps)
    //
    // Like the attack steps, these return a new contiguous result that records no graph (the op records the
    // backward). The defaults compose tensor ops; CUDA overrides them with emr.cu's kernels.

    /** Squared L2 norm of each row of {@code rows} {@code [R, ...]} (all elements of one first-axis index): {@code [R]}. */
    default Tensor rowSquaredNorms(Tensor rows) {
        return ComposedJacobianRows.rowSquaredNorms(rows);
    }

    /**
     * For Jacobian rows {@code jac} {@code [K, B, ...]} (block c holds the input gradients of logit c) and int32
     * labels y {@code [B]} (checked in range by the op): {@code [B, K]} with {@code ||jac[y_i, i] - jac[j, i]||^2}
     * (0 where j == y_i), the squared denominators of Liu and Chan's effective margins.
     */
    default Tensor emrPairSquaredNorms(Tensor jac, Tensor labels) {
        return ComposedJacobianRows.emrPairSquaredNorms(jac, labels);
    }

    // ------------------------------------------------------------------ per-channel batch-norm steps (see dev.brink.engine.op.ChannelOps)
    //
    // Like the attack steps, these return a new contiguous result that records no graph (the op records the
    // backward). x is [N, C, ...] (rank >= 2, any strides), the per-channel tensors [C] of x's dtype (checked by the
    // op). The defaults compose tensor ops; the CPU overrides them with one-pass kernels.

    /** {@code (x - center[c]) * scale[c] + shift[c]} for every element of channel c (axis 1) of x. */
    default Tensor channelNormalize(Tensor x, Tensor center, Tensor scale, Tensor shift) {
        return ComposedChannelOps.normalize(x, center, scale, shift);
    }

    /**
     * {@link #channelNormalize}, then, with {@code relu}, {@code max(., 0)} on the result (batch norm followed by
     * relu): the default applies the relu in place to the new tensor ({@link #biasReluInPlace}); the CPU in the
     * same pass.
     */
    default Tensor channelNormalize(Tensor x, Tensor center, Tensor scale, Tensor shift, boolean relu) {
        Tensor out = channelNormalize(x, center, scale, shift);
        if (relu) biasReluInPlace(out, null, true);
        return out;
    }

    /** {@code [C]}: the mean over each channel (axis 1) of x of {@code (x - mean[c])^2}. */
    default Tensor channelVariance(Tensor x, Tensor mean) {
        return ComposedChannelOps.variance(x, mean);
    }

    /** {@code [C]}: the sum over each channel (axis 1) of {@code g * (x - center[c])}, g and x of one shape. */
    default Tensor channelCenteredDot(Tensor g, Tensor x, Tensor center) {
        return ComposedChannelOps.centeredDot(g, x, center);
    }

    /** {@code u * a[c] + v * b[c] + c[c]} for every element of channel c (axis 1) of u and v (one shape). */
    default Tensor channelCombine(Tensor u, Tensor v, Tensor a, Tensor b, Tensor c) {
        return ComposedChannelOps.combine(u, v, a, b, c);
    }
}

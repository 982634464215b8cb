package dev.brink.engine;

import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.PoolGeometry;
import dev.brink.engine.op.AttackStep;
import dev.brink.engine.op.JacobianRowOps;
import dev.brink.engine.op.BatchNorm;
import dev.brink.engine.op.Convolution;
import dev.brink.engine.op.Dropout;
import dev.brink.engine.op.Indexing;
import dev.brink.engine.op.Loss;
import dev.brink.engine.op.Norm;
import dev.brink.engine.op.Pooling;

/**
 * Neural-network functions over tensors (the counterpart of {@code torch.nn.functional}). Images are NCHW,
 * convolution weights OIHW, labels int32 class indices. Every function is differentiable to any order, except the
 * attack steps ({@link #signStep}, {@link #l2Step}, {@link #projectLinf}, {@link #projectL2}, {@link #projectL1}),
 * which take detached tensors and return results that do not require grad (see {@link AttackStep}).
 */
public final class F {
    private F() {}

    /** Convolution: x {@code [N,C,H,W]}, w {@code [O,C/groups,kh,kw]}, bias {@code [O]} or null. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g) {
        return Convolution.conv2d(x, w, bias, g);
    }

    /** {@code relu(conv2d(x, w, bias))} in one op (bias and relu applied in place to the convolution's output). */
    public static Tensor conv2dRelu(Tensor x, Tensor w, Tensor bias, ConvGeometry g) {
        return Convolution.conv2dRelu(x, w, bias, g);
    }

    /** Convolution with square stride and padding, no dilation, one group. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        return Convolution.conv2d(x, w, bias, ConvGeometry.of(stride, padding));
    }

    /** Transposed convolution: w {@code [C_in, C_out/groups, kh, kw]}, bias {@code [C_out]} or null. */
    public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g, int outputPadH, int outputPadW) {
        return Convolution.convTranspose2d(x, w, bias, g, outputPadH, outputPadW);
    }

    /** Max pooling, square window k, stride s, padding p. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return Pooling.maxPool2d(x, PoolGeometry.of(kernel, stride, padding));
    }

    public static Tensor maxPool2d(Tensor x, PoolGeometry p) {
        return Pooling.maxPool2d(x, p);
    }

    /** Average pooling, square window k, stride s, padding p (padding counted as zeros). */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return Pooling.avgPool2d(x, PoolGeometry.of(kernel, stride, padding));
    }

    public static Tensor avgPool2d(Tensor x, PoolGeometry p) {
        return Pooling.avgPool2d(x, p);
    }

    /** {@code [N, C, H, W] -> [N, C]}, mean over H and W. */
    public static Tensor globalAvgPool2d(Tensor x) {
        return Pooling.globalAvgPool2d(x);
    }

    /** Batch normalization; see {@link BatchNorm#batchNorm}. */
    public static Tensor batchNorm(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                   boolean training, double momentum, double eps) {
        return BatchNorm.batchNorm(x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    /** {@code relu(batchNorm(...))} with the relu in the normalizing pass; see {@link BatchNorm#batchNormRelu}. */
    public static Tensor batchNormRelu(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                       boolean training, double momentum, double eps) {
        return BatchNorm.batchNormRelu(x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    /** Inverted dropout with probability p in training mode, drawing from {@code gen}. */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator gen) {
        return Dropout.dropout(x, p, training, gen);
    }

    /** Mean softmax cross-entropy of logits {@code [N, K]} against int32 labels {@code [N]}. */
    public static Tensor crossEntropy(Tensor logits, Tensor labels) {
        return Loss.crossEntropy(logits, labels, 0.0, Loss.Reduction.MEAN);
    }

    /** Softmax cross-entropy with label smoothing and a reduction (NONE gives {@code [N]}). */
    public static Tensor crossEntropy(Tensor logits, Tensor labels, double labelSmoothing, Loss.Reduction reduction) {
        return Loss.crossEntropy(logits, labels, labelSmoothing, reduction);
    }

    /** KL divergence with {@code input} log-probabilities and {@code target} probabilities (PyTorch's kl_div). */
    public static Tensor klDiv(Tensor input, Tensor target, Loss.Reduction reduction) {
        return Loss.klDiv(input, target, reduction);
    }

    /** Logistic loss log(1 + exp(-y z)) for labels y in {-1, +1}. */
    public static Tensor softMarginLoss(Tensor z, Tensor y, Loss.Reduction reduction) {
        return Loss.softMarginLoss(z, y, reduction);
    }

    /** Binary cross-entropy on logits z against targets y in [0, 1]. */
    public static Tensor bceWithLogits(Tensor z, Tensor y, Loss.Reduction reduction) {
        return Loss.bceWithLogits(z, y, reduction);
    }

    /** Squared error. */
    public static Tensor mseLoss(Tensor a, Tensor b, Loss.Reduction reduction) {
        return Loss.mse(a, b, reduction);
    }

    /** Per-sample L1 norm over all axes but the first: {@code [N, ...] -> [N]}. */
    public static Tensor l1Norm(Tensor x) {
        return Norm.l1(x);
    }

    /** Per-sample L2 norm (gradient 0 where the norm is 0). */
    public static Tensor l2Norm(Tensor x) {
        return Norm.l2(x);
    }

    /** Per-sample L-infinity norm. */
    public static Tensor linfNorm(Tensor x) {
        return Norm.linf(x);
    }

    /**
     * Squared L2 norm of each row of {@code rows} {@code [R, ...]}: {@code [R]}, differentiable to every order (the
     * exact EMR loss of Liu and Chan sums it over per-class Jacobian rows). One backend kernel call; see
     * {@link JacobianRowOps}.
     */
    public static Tensor rowSquaredNorms(Tensor rows) {
        return JacobianRowOps.rowSquaredNorms(rows);
    }

    /**
     * {@code [B, K]} squared norms {@code ||J[y_i, i] - J[j, i]||^2} of Jacobian rows {@code J [K, B, ...]} and int32
     * labels {@code [B]}: the squared denominators of Liu and Chan's effective margins. Not differentiable; see
     * {@link JacobianRowOps}.
     */
    public static Tensor emrPairSquaredNorms(Tensor jac, Tensor labels) {
        return JacobianRowOps.emrPairSquaredNorms(jac, labels);
    }

    /** One-hot rows of int32 labels in {@code dtype}. */
    public static Tensor oneHot(Tensor labels, int classes, DType dtype) {
        return Indexing.oneHot(labels, classes, dtype);
    }

    /** Zeros of {@code shape} with {@code src} added at {@code index} along {@code axis}. */
    public static Tensor scatterAdd(Tensor src, int axis, Tensor index, int[] shape) {
        return Indexing.scatterAdd(src, axis, index, shape);
    }

    /**
     * The signed step {@code x + alpha * sign(grad)} (FGSM; the L-inf PGD and BIM step), sign(0) = 0. x and grad:
     * one shape {@code [N, ...]} and floating dtype; alpha in x's units, finite (negative steps descend). Not
     * differentiable: see {@link AttackStep} for autograd, dtype rules and errors.
     */
    public static Tensor signStep(Tensor x, Tensor grad, double alpha) {
        return AttackStep.signStep(x, grad, alpha);
    }

    /**
     * The L2 step {@code x + alpha * grad / max(||grad||_2, 1e-12)} per sample (FGM-L2; the L2 PGD step): each
     * sample moves by L2 length alpha along its gradient, or not at all where the gradient is 0. See {@link AttackStep}.
     */
    public static Tensor l2Step(Tensor x, Tensor grad, double alpha) {
        return AttackStep.l2Step(x, grad, alpha);
    }

    /**
     * The projection of x onto the L-inf ball of radius eps around x0 intersected with the box {@code [lo, hi]}
     * (exact): {@code min(max(x, max(x0 - eps, lo)), min(x0 + eps, hi))}. x and x0 {@code [N, ...]}, one dtype.
     * See {@link AttackStep}.
     */
    public static Tensor projectLinf(Tensor x, Tensor x0, double eps, double lo, double hi) {
        return AttackStep.projectLinf(x, x0, eps, lo, hi);
    }

    /**
     * Per sample: {@code x - x0} scaled into the L2 ball of radius eps (the exact ball projection), then
     * {@code x0 + d} clipped to {@code [lo, hi]}. See {@link AttackStep}.
     */
    public static Tensor projectL2(Tensor x, Tensor x0, double eps, double lo, double hi) {
        return AttackStep.projectL2(x, x0, eps, lo, hi);
    }

    /**
     * Per sample: {@code x - x0} projected onto the L1 ball of radius eps (the Euclidean projection of Duchi et al.
     * 2008), then {@code x0 + d} clipped to {@code [lo, hi]}. See {@link AttackStep}.
     */
    public static Tensor projectL1(Tensor x, Tensor x0, double eps, double lo, double hi) {
        return AttackStep.projectL1(x, x0, eps, lo, hi);
    }
}

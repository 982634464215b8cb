package dev.brink.engine.op;

import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;

/**
 * The fused steps of gradient attacks: the signed step, the L2 step, and the projections onto the L-inf, L2 and L1
 * balls around a clean batch intersected with the box. Each is one call of the backend's kernel
 * ({@link Backend#signStep} and the others): one pass on the CPU, the hand-written attack.cu kernels on CUDA, the
 * tensor-op composition for backends without a kernel. Public entry points: {@link dev.brink.engine.F#signStep}
 * and its neighbours.
 *
 * <p><b>Shapes and dtypes.</b> {@code x} is a batch {@code [N, ...]} of rank >= 1 in float32 or float64; the second
 * tensor (the gradient or the clean batch x0) has exactly x's shape and dtype (no broadcasting, no promotion);
 * both live on one backend and may be any strided views. "Per sample" means over all elements of one index of the
 * first axis (a rank-1 {@code [N]} batch has one element per sample). The result is a new contiguous tensor of x's
 * shape and dtype on that backend; N = 0 or any empty shape gives an empty result. Arithmetic is in double with
 * one rounding to the dtype on the CPU and CUDA kernels (the default composition rounds op by op), so float32
 * results of different backends agree to a few ulps and float64 ones to about 1e-15 relative.
 *
 * <p><b>Units.</b> alpha, eps, lo and hi are in the units of x (pixel values when x is an image in [0, 1]): alpha is
 * a step length (the L-inf step moves each coordinate by alpha; the L2 step moves each sample by L2 length alpha),
 * eps a radius in the projection's norm, {@code [lo, hi]} the box (infinite bounds allowed).
 *
 * <p><b>Autograd.</b> These ops are not differentiable: attacks step detached iterates, and a step through which
 * a gradient should flow (the identity in x almost everywhere) is better composed from differentiable ops. The
 * result never requires grad; to keep gradients from silently vanishing, a call with grad mode on and an input
 * that requires grad throws {@link IllegalArgumentException} (detach the inputs or call inside
 * {@link GradMode#noGrad()}).
 *
 * <p><b>Errors</b> ({@link IllegalArgumentException}, naming the op and the argument): a 0-d x, a second tensor of
 * another shape or dtype, an integer dtype, tensors on different backends, a non-finite alpha, eps that is
 * negative or NaN ({@code +inf} is allowed: no ball), lo > hi or a NaN bound.
 */
public final class AttackStep {
    public static final OpDef SIGN_STEP = OpDef.nonDifferentiable("sign_step", "x + alpha * sign(g) (FGSM / L-inf PGD step)");
    public static final OpDef L2_STEP = OpDef.nonDifferentiable("l2_step", "x + alpha * g / max(||g||_2, 1e-12) per sample (L2 step)");
    public static final OpDef PROJECT_LINF = OpDef.nonDifferentiable("project_linf", "projection onto the L-inf ball around x0 and the box");
    public static final OpDef PROJECT_L2 = OpDef.nonDifferentiable("project_l2", "projection onto the L2 ball around x0, then the box");
    public static final OpDef PROJECT_L1 = OpDef.nonDifferentiable("project_l1", "projection onto the L1 ball around x0, then the box");

    private AttackStep() {}

    /** {@code x + alpha * sign(grad)} elementwise (sign(0) = 0). See the class comment for shapes and errors. */
    public static Tensor signStep(Tensor x, Tensor grad, double alpha) {
        Backend b = check(SIGN_STEP.name(), x, "grad", grad);
        step(SIGN_STEP.name(), alpha);
        return b.signStep(x, grad, alpha);
    }

    /** {@code x + alpha * grad / max(||grad||_2, 1e-12)} per sample (a zero gradient leaves the sample unchanged). */
    public static Tensor l2Step(Tensor x, Tensor grad, double alpha) {
        Backend b = check(L2_STEP.name(), x, "grad", grad);
        step(L2_STEP.name(), alpha);
        return b.l2Step(x, grad, alpha);
    }

    /** {@code min(max(x, max(x0 - eps, lo)), min(x0 + eps, hi))}: the exact projection onto the L-inf ball and box. */
    public static Tensor projectLinf(Tensor x, Tensor x0, double eps, double lo, double hi) {
        Backend b = check(PROJECT_LINF.name(), x, "x0", x0);
        ball(PROJECT_LINF.name(), eps, lo, hi);
        return b.projectLinf(x, x0, eps, lo, hi);
    }

    /** Per sample: x - x0 scaled into the L2 ball of radius eps (exact), then x0 + that clipped to [lo, hi]. */
    public static Tensor projectL2(Tensor x, Tensor x0, double eps, double lo, double hi) {
        Backend b = check(PROJECT_L2.name(), x, "x0", x0);
        ball(PROJECT_L2.name(), eps, lo, hi);
        return b.projectL2(x, x0, eps, lo, hi);
    }

    /** Per sample: x - x0 projected onto the L1 ball of radius eps (Duchi et al. 2008), then x0 + that clipped to [lo, hi]. */
    public static Tensor projectL1(Tensor x, Tensor x0, double eps, double lo, double hi) {
        Backend b = check(PROJECT_L1.name(), x, "x0", x0);
        ball(PROJECT_L1.name(), eps, lo, hi);
        return b.projectL1(x, x0, eps, lo, hi);
    }

    private static Backend check(String op, Tensor x, String otherName, Tensor other) {
        if (x == null || other == null) throw new IllegalArgumentException(op + ": argument '" + (x == null ? "x" : otherName) + "' is null");
        Backend b = Checks.sameBackend(op, x, other);
        Checks.floating(op, "x", x);
        Checks.floating(op, otherName, other);
        if (x.dim() < 1) throw new IllegalArgumentException(op + ": argument 'x' must be a batch [N, ...], got a 0-d tensor");
        if (!java.util.Arrays.equals(x.shape(), other.shape()))
            throw new IllegalArgumentException(op + ": argument '" + otherName + "' has shape " + Shape.str(other.shape()) + " but x has "
                    + Shape.str(x.shape()) + "; they must match exactly (no broadcasting)");
        Checks.sameDType(op, x, other);
        if (GradMode.isEnabled() && (x.requiresGrad() || other.requiresGrad()))
            throw new IllegalArgumentException(op + ": not differentiable, but argument '" + (x.requiresGrad() ? "x" : otherName)
                    + "' requires grad with grad mode on; attack steps take detached tensors: detach() them or call inside "
                    + "GradMode.noGrad() (compose the step from differentiable ops if a gradient must flow through it)");
        return b;
    }

    private static void step(String op, double alpha) {
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException(op + ": step alpha must be finite, got " + alpha);
    }

    private static void ball(String op, double eps, double lo, double hi) {
        if (!(eps >= 0)) throw new IllegalArgumentException(op + ": radius eps must be >= 0 (+inf for no ball), got " + eps);
        if (!(lo <= hi)) throw new IllegalArgumentException(op + ": box [lo, hi] must have lo <= hi, got [" + lo + ", " + hi + "]");
    }
}

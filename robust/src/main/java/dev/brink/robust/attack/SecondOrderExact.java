package dev.brink.robust.attack;

import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.RandomKind;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Seed 002's second-order attack with exact curvature: where the paper approximates the Hessian's dominant
 * eigenvector by power iteration with finite differences, {@code Hd ~ (grad L(x + xi d) - grad L(x)) / xi}, and
 * then steps along {@code grad L(x + xi d) ~ grad L(x) + xi H d} (Appendix A; the gradient term is the one the
 * paper drops by assuming it vanishes), this variant runs {@code power-iters} power iterations with the engine's
 * exact Hessian-vector products ({@link Derivatives#hvp}, reverse over reverse; samples are independent so one
 * product serves the batch) from a random unit vector, takes the unit eigenvector e (sign chosen so that
 * {@code e . grad >= 0}), and ascends along {@code grad L(x) + xi H e} = the gradient of the local quadratic model at
 * {@code x + xi e}, with {@code xi} = the step size by default. When the gradient vanishes this is the top
 * eigenvector itself. {@link #lastGradientNormTrace()} records the
 * mean gradient L2 norm per iteration (Figure 1). Cost per iteration: one gradient plus {@code power-iters + 1}
 * Hessian-vector products. Power iteration finds the eigenvalue of largest magnitude.
 *
 * <p>The step is {@link SecondOrder}'s: by default ({@code normalize=threat}) the threat norm's steepest step, which
 * under L2 is the paper's L2-normalized step and under L-inf the signed step (an L2-normalized step of PGD's length
 * barely moves under L-inf; see {@link SecondOrder}); {@code normalize=l2} takes the L2-normalized step under every
 * threat.
 *
 * <p>Options: the PGD options ({@code steps} 40, {@code step}, {@code rel-step}, {@code random-start}, {@code restarts},
 * {@code early-stop}, {@code loss}), plus {@code power-iters} 3, {@code xi} (empty: the step size), {@code normalize} threat.
 * Inputs {@code [N, ...]} in the box; labels int32 {@code [N]}; threat L2 or L-inf.
 */
public final class SecondOrderExact extends GradientDescent {
    static final List<Attacks.Option> OPTIONS = Pgd.with(Pgd.SHARED_L2_LINF, List.of(
            new Attacks.Option("power-iters", "3", "power iterations with exact Hessian-vector products"),
            new Attacks.Option("xi", "", "weight of the curvature term grad + xi H e (empty: the step size)"),
            new Attacks.Option("normalize", "threat", SecondOrder.NORMALIZE_HELP)));

    private final int powerIters;
    private final double xi;
    private final boolean l2Step;

    /** @param l2Step true: the L2-normalized step under every threat; false: the threat norm's steepest step (the default) */
    public SecondOrderExact(Config config, int powerIters, double xi, boolean l2Step) {
        super(config);
        if (powerIters < 1) throw new IllegalArgumentException("second-order-exact: power-iters must be >= 1, got " + powerIters);
        if (!Double.isNaN(xi) && (!(xi >= 0) || Double.isInfinite(xi))) throw new IllegalArgumentException("second-order-exact: xi must be finite and >= 0, got " + xi);
        this.powerIters = powerIters;
        this.xi = xi;
        this.l2Step = l2Step;
    }

    static SecondOrderExact fromOptions(Attacks.Options o) {
        return new SecondOrderExact(Pgd.config(o, true), o.integer("power-iters"), o.has("xi") ? o.real("xi") : Double.NaN,
                o.choice("normalize", "l2", "threat").equals("l2"));
    }

    @Override
    public String name() {
        return "second-order-exact";
    }

    @Override
    public Set<Norm> supportedNorms() {
        return EnumSet.of(Norm.L2, Norm.LINF);
    }

    @Override
    protected Tensor step(Tensor d, Tensor x, ThreatModel t, double alpha) {
        return l2Step ? F.l2Step(x, d, alpha) : super.step(d, x, t, alpha);
    }

    @Override
    protected Tensor direction(Point pt) {
        Problem p = pt.problem();
        Function<Tensor, Tensor> loss = in -> config.loss().value(p.model().logits(in), p.classes(), p.targeted()).sum();
        double w = Double.isNaN(xi) ? stepSize(p.threat()) : xi;
        return direction(loss, pt.x(), pt.grad(), powerIters, w, p.gen());
    }

    /**
     * {@code grad + xi H e} with e the per-sample dominant unit eigenvector of the Hessian of {@code loss} (a sum of
     * independent per-sample losses) at x, from {@code iters} power iterations, signed so that {@code e . grad >= 0}.
     */
    public static Tensor direction(Function<Tensor, Tensor> loss, Tensor x, Tensor grad, int iters, double xi, Generator gen) {
        Tensor e = topEigenvector(loss, x, iters, gen);
        Tensor dot = e.mul(grad).flatten(1).sum(new int[] {1}, false);
        Tensor sign = dot.ge(0.0).mul(2.0).sub(1.0);
        e = e.mul(Projections.perSample(sign, e));
        return grad.add(Derivatives.hvp(loss, x, e).detach().mul(xi));
    }

    /** Per-sample unit dominant eigenvectors {@code [N, ...]} of the Hessian of {@code loss} at x by power iteration. */
    public static Tensor topEigenvector(Function<Tensor, Tensor> loss, Tensor x, int iters, Generator gen) {
        Tensor v = unit(Tensor.random(x.backend(), RandomKind.NORMAL, gen, x.dtype(), x.shape()));
        for (int i = 0; i < iters; i++) v = unit(Derivatives.hvp(loss, x, v).detach());
        return v;
    }

    private static Tensor unit(Tensor v) {
        return v.div(Projections.perSample(F.l2Norm(v).maximum(1e-30), v));
    }
}

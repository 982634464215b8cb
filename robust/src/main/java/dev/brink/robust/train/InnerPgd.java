package dev.brink.robust.train;

import dev.brink.engine.Autograd;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.TensorScope;
import dev.brink.nn.Module;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.eval.AttackSpec;

import java.util.function.Function;

/**
 * The inner maximization of TRADES, MART and MAIL as their reference codes write it (Zhang et al.; Wang et al.;
 * Wang, Liu et al.): start at {@code x + startSigma * N(0, 1)} (no start where {@code random-start=false}), then
 * {@code steps} times ascend the given loss of the model in evaluation mode by a signed step (L-inf) or a unit-L2
 * step (L2) of size {@code step}, each followed by the projection onto the ball and the box; the last iterate is
 * returned (not the best one, unlike the evaluation attacks). The settings come from a {@code pgd:...} attack spec
 * ({@code --train-attack}): {@code steps}, {@code step} (else {@code rel-step * eps}), {@code random-start},
 * {@code norm} (linf or l2) and {@code eps}; the evaluation attack's {@code loss}, {@code restarts},
 * {@code early-stop} and {@code l1-sparsity} are rejected, as they would not apply.
 *
 * @param threat     norm (L-inf or L2), radius and pixel box
 * @param steps      ascent steps (>= 0)
 * @param step       step size in pixel units
 * @param startSigma standard deviation of the Gaussian start (0: start at x)
 */
public record InnerPgd(ThreatModel threat, int steps, double step, double startSigma) {
    /** The Gaussian start of the reference TRADES, MART and MAIL codes. */
    public static final double REFERENCE_START_SIGMA = 0.001;

    public InnerPgd {
        if (threat.norm() != Norm.LINF && threat.norm() != Norm.L2)
            throw new IllegalArgumentException("inner maximization: norm must be linf or l2, got " + threat.norm().label());
        if (steps < 0) throw new IllegalArgumentException("inner maximization: steps must be >= 0, got " + steps);
        if (!(step >= 0) || Double.isInfinite(step)) throw new IllegalArgumentException("inner maximization: step must be finite and >= 0, got " + step);
        if (!(startSigma >= 0)) throw new IllegalArgumentException("inner maximization: start sigma must be >= 0, got " + startSigma);
    }

    /** The settings of a {@code pgd:...} spec; any other attack is an error naming {@code objective}. */
    public static InnerPgd of(AttackSpec spec, String objective) {
        if (!spec.name().equals("pgd"))
            throw new IllegalArgumentException(objective + ": the inner maximization is PGD on the objective's own loss; give --train-attack pgd:..., got '" + spec.text() + "'");
        for (String k : java.util.List.of("loss", "restarts", "early-stop", "l1-sparsity"))
            if (spec.options().containsKey(k))
                throw new IllegalArgumentException(objective + ": --train-attack option '" + k + "' does not apply: the inner maximization ascends the objective's own loss"
                        + " once and keeps the last iterate (options: steps, step, rel-step, random-start, norm, eps)");
        ThreatModel t = ObjectiveSetup.threat(spec);
        Attacks.Options o = new Attacks.Options("pgd", Attacks.options("pgd"), spec.attackOptions());
        int steps = o.integer("steps");
        double step = o.has("step") ? o.real("step") : (o.has("rel-step") ? o.real("rel-step") : 2.5 / steps) * t.eps();
        return new InnerPgd(t, steps, step, o.bool("random-start") ? REFERENCE_START_SIGMA : 0);
    }

    /** The Gaussian start point {@code x + startSigma * N(0, 1)} drawn from {@code gen} (x itself when sigma is 0). */
    public Tensor start(Tensor x, Generator gen) {
        if (startSigma == 0) return x;
        return x.add(Tensor.randn(gen, x.dtype(), x.shape()).mul(startSigma));
    }

    /**
     * Maximizes {@code loss} (a scalar function of a batch {@code [N, ...]} like x) from {@code start} inside the
     * threat model's ball around x; the model is in evaluation mode meanwhile and in its previous mode afterwards.
     * Returns the detached last iterate.
     */
    public Tensor maximize(Module model, Tensor x, Tensor start, Function<Tensor, Tensor> loss) {
        boolean training = model.isTraining();
        model.eval();
        try {
            Tensor x0 = x.detach();
            Tensor adv = start.detach();
            for (int s = 0; s < steps; s++) {
                try (TensorScope iteration = TensorScope.open()) { // the next iteration reuses this one's activations
                    Tensor xv = adv.requiresGrad(true);
                    Tensor g;
                    try (GradMode.Scope scope = GradMode.enableGrad()) {
                        g = Autograd.grad(loss.apply(xv), xv)[0];
                    }
                    try (GradMode.Scope scope = GradMode.noGrad()) {
                        adv = iteration.keep(threat.norm() == Norm.LINF
                                ? F.projectLinf(F.signStep(adv, g, step), x0, threat.eps(), threat.lower(), threat.upper())
                                : F.projectL2(F.l2Step(adv, g, step), x0, threat.eps(), threat.lower(), threat.upper()));
                    }
                }
            }
            try (GradMode.Scope scope = GradMode.noGrad()) {
                return adv.clamp(threat.lower(), threat.upper()).detach();
            }
        } finally {
            if (training) model.train();
        }
    }
}

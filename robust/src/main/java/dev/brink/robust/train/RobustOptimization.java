package dev.brink.robust.train;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.eval.AttackSpec;

import java.util.List;
import java.util.Locale;

/**
 * Robust optimization, Shaham et al.'s Algorithm 1: per example, one steepest-ascent step of the linearized loss
 * in a ball of radius eps ({@code x~ = x + argmax_{||d|| <= eps} grad_x J . d}, their Eq. 11), then one descent step
 * on the perturbed batch only: the loss is {@code CE(f(x~), y)}. The ascent step per norm: L-inf
 * {@code eps sign(g)} (FGSM), L2 {@code eps g / ||g||_2}, L1 all of eps on the pixel of largest {@code |g|} in its
 * sign (spilling to the next pixels only where the pixel box [0, 1] stops it; the attacks {@code fgsm},
 * {@code fgm-l2}, {@code fgm-l1}). {@code --train-attack} replaces the step (and then sets norm and eps).
 *
 * <p>Options: {@code norm} linf|l2|l1 (linf), {@code eps} (empty: 0.1 for L-inf, 1.0 for L2 and L1; Shaham et al.
 * give no values), {@code eval-mode} true.
 */
public final class RobustOptimization implements Objective {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("norm", "linf", "ball of the ascent step: linf, l2 or l1"),
            new Attacks.Option("eps", "", "radius of the ball (empty: 0.1 for linf, 1.0 for l2 and l1)"),
            new Attacks.Option("eval-mode", "true", "take the ascent step with the model in eval mode"));

    private final InnerAttack inner;

    /** @param inner the ascent step ({@link #ascentStep}) */
    public RobustOptimization(InnerAttack inner) {
        this.inner = inner;
    }

    /** The attack spec of the single ascent step in a ball of {@code norm} and radius {@code eps}. */
    public static String ascentStep(Norm norm, double eps) {
        String e = String.format(Locale.ROOT, "%s", eps);
        return switch (norm) {
            case LINF -> "fgsm:eps=" + e;
            case L2 -> "fgm-l2:eps=" + e;
            case L1 -> "fgm-l1:eps=" + e;
            case L0 -> throw new IllegalArgumentException("robust-optimization: the ball must be linf, l2 or l1, got l0");
        };
    }

    static RobustOptimization fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        Norm norm = o.norm("norm");
        double eps = o.has("eps") ? o.real("eps") : norm == Norm.LINF ? 0.1 : 1.0;
        AttackSpec spec = setup.attackOr(ascentStep(norm, eps));
        return new RobustOptimization(InnerAttack.of(spec, o.bool("eval-mode")));
    }

    /** The ascent step. */
    public InnerAttack inner() {
        return inner;
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        Tensor perturbed = inner.craft(model, batch.x(), batch.y(), context.generator());
        return new Outcome(Objective.classificationLoss(model.forward(perturbed), batch.y(), 0), null);
    }

    @Override
    public String toString() {
        return "robust-optimization(" + inner + ")";
    }
}

package dev.brink.robust.train;

import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Attacks;

import java.util.List;
import java.util.Locale;

/**
 * Yu et al.'s Jacobian regularization of the decision function {@code d(x) = z_y(x) - max_{j != y} z_j(x)}: the
 * mean cross-entropy plus {@code lambda * (1/B) sum_i ||d d(x_i) / d x_i||_p}, the L1, L2 or L-inf norm of each
 * sample's input gradient of its logit margin (not squared), differentiated again for the weights (double
 * backprop). A small gradient of d flattens the decision surface around the samples, so that a perturbation of
 * bounded norm changes the margin little.
 *
 * <p>With adversarial training: {@code on=adversarial} computes the penalty at the adversarial examples of the run's
 * inner attack ({@code --train-attack}); to train on them as well, sum with the AT objective
 * ({@code --objective pgd-at --objective jacobian-reg:ce=false,on=adversarial}); {@code ce=false} keeps the CE of
 * the clean batch out so that only the AT objective's loss counts. (Each objective runs its own inner attack, so
 * this sum attacks twice; {@code on=clean} with {@code pgd-at} attacks once.)
 *
 * <p>Options: {@code lambda} (default 1), {@code norm=l1|l2|linf} (default l2), {@code ce} (default true),
 * {@code on=clean|adversarial} (default clean), {@code mode=train|eval} (default train).
 */
public final class JacobianRegObjective implements Objective {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("lambda", "1", "weight of the mean norm of the input gradient of z_y - max_{j!=y} z_j"),
            new Attacks.Option("norm", "l2", "norm of that gradient: l1, l2 or linf (not squared)"),
            new Attacks.Option("ce", "true", "add the mean cross-entropy on the clean batch (false: the penalty alone, to sum)"),
            new Attacks.Option("on", "clean", "inputs of the penalty: clean or adversarial (the --train-attack examples)"),
            new Attacks.Option("mode", "train", "the penalty's forward pass in train mode (shared with CE on clean inputs) or eval mode"));

    /** The norm of the margin's input gradient. */
    public enum GradNorm { L1, L2, LINF }

    private final double lambda;
    private final GradNorm norm;
    private final boolean ce;
    private final InnerAttack inner;
    private final boolean eval;

    JacobianRegObjective(double lambda, GradNorm norm, boolean ce, InnerAttack inner, boolean eval) {
        if (!(lambda >= 0)) throw new IllegalArgumentException("jacobian-reg: lambda must be >= 0, got " + lambda);
        this.lambda = lambda;
        this.norm = norm;
        this.ce = ce;
        this.inner = inner;
        this.eval = eval;
    }

    static JacobianRegObjective fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        GradNorm n = GradNorm.valueOf(o.choice("norm", "l1", "l2", "linf").toUpperCase(Locale.ROOT));
        return new JacobianRegObjective(o.real("lambda"), n, o.bool("ce"), RegularizerInputs.inner(RegularizerInputs.source(o), setup),
                RegularizerInputs.evalMode(o));
    }

    /** Per-sample input gradients {@code [N, ...]} of the margin d, differentiable in the weights; logits via {@code logitsOut[0]}. */
    static Tensor marginGradient(Module model, Tensor x, Tensor labels, Tensor[] logitsOut) {
        try (GradMode.Scope s = GradMode.enableGrad()) {
            Tensor xv = x.detach().requiresGrad(true);
            Tensor logits = model.forward(xv);
            if (logitsOut != null) logitsOut[0] = logits;
            return InputGradients.of(InputGradients.margin(logits, labels), xv);
        }
    }

    /** The per-sample penalty {@code [N]}: the chosen norm of {@link #marginGradient}. */
    static Tensor penalty(Module model, Tensor x, Tensor labels, GradNorm norm, Tensor[] logitsOut) {
        Tensor g = marginGradient(model, x, labels, logitsOut);
        return switch (norm) {
            case L1 -> F.l1Norm(g);
            case L2 -> F.l2Norm(g);
            case LINF -> F.linfNorm(g);
        };
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        return RegularizerInputs.outcome(model, batch, context, inner, eval, ce, lambda, (x, y, logits) -> penalty(model, x, y, norm, logits));
    }
}

package dev.brink.robust.train;

import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.Loss;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Attacks;

import java.util.List;

/**
 * Input-gradient regularization (Ross and Doshi-Velez; the IGR baseline of Liu and Chan): the mean cross-entropy
 * plus {@code lambda * (1/B) sum_i ||d CE(f(x_i), y_i) / d x_i||_2^2}, the squared L2 norm of each sample's own
 * loss gradient with respect to its input, differentiated again for the weights (double backprop).
 *
 * <p>Options: {@code lambda} (default 1, Liu and Chan's lambda_IGR), {@code ce} (add the clean mean CE; false
 * leaves the penalty alone, to sum with another objective), {@code on=clean|adversarial} (penalize the gradient at
 * the clean batch or at the inner attack's adversarial examples), {@code mode=train|eval} (the penalty's forward
 * pass in the model's training mode, sharing the CE's forward on clean inputs, or in eval mode).
 */
public final class InputGradientObjective implements Objective {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("lambda", "1", "weight of the mean squared L2 norm of the per-sample input gradient of CE"),
            new Attacks.Option("ce", "true", "add the mean cross-entropy on the clean batch (false: the penalty alone, to sum)"),
            new Attacks.Option("on", "clean", "inputs of the penalty: clean or adversarial (the --train-attack examples)"),
            new Attacks.Option("mode", "train", "the penalty's forward pass in train mode (shared with CE on clean inputs) or eval mode"));

    private final double lambda;
    private final boolean ce;
    private final InnerAttack inner;
    private final boolean eval;

    /**
     * @param lambda penalty weight (>= 0)
     * @param ce     whether to add the clean mean cross-entropy
     * @param inner  inner attack for adversarial inputs, or null for the clean batch
     * @param eval   whether the penalty's forward runs in eval mode
     */
    InputGradientObjective(double lambda, boolean ce, InnerAttack inner, boolean eval) {
        if (!(lambda >= 0)) throw new IllegalArgumentException("input-gradient: lambda must be >= 0, got " + lambda);
        this.lambda = lambda;
        this.ce = ce;
        this.inner = inner;
        this.eval = eval;
    }

    static InputGradientObjective fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        return new InputGradientObjective(o.real("lambda"), o.bool("ce"), RegularizerInputs.inner(RegularizerInputs.source(o), setup),
                RegularizerInputs.evalMode(o));
    }

    /**
     * The per-sample penalty {@code [N]}: {@code ||d CE(f(x_i), y_i) / d x_i||_2^2}, differentiable in the weights;
     * also returns the logits of x through {@code logitsOut[0]}.
     */
    static Tensor penalty(Module model, Tensor x, Tensor labels, Tensor[] logitsOut) {
        try (GradMode.Scope s = GradMode.enableGrad()) {
            Tensor xv = x.detach().requiresGrad(true);
            Tensor logits = model.forward(xv);
            if (logitsOut != null) logitsOut[0] = logits;
            Tensor perSample = F.crossEntropy(logits, labels, 0, Loss.Reduction.NONE);
            return F.rowSquaredNorms(InputGradients.of(perSample, xv));
        }
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        return RegularizerInputs.outcome(model, batch, context, inner, eval, ce, lambda, (x, y, logits) -> penalty(model, x, y, logits));
    }
}

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
 * MART (Wang et al., "Improving Adversarial Robustness Requires Revisiting Misclassified Examples"), as their
 * reference code computes it, with p = softmax f(x) (clean) and p' = softmax f(x') (adversarial):
 * <pre>
 *   BCE_i = -log p'_{i,y} - log(1.0001 - max_{k != y} p'_{i,k} + 1e-12)          (boosted cross-entropy)
 *   KL_i  = sum_k p_{i,k} (log p_{i,k} - log(p'_{i,k} + 1e-12))
 *   loss  = (1/N) sum_i BCE_i + beta * (1/N) sum_i KL_i * (1.0000001 - p_{i,y})
 * </pre>
 * The weight {@code 1 - p_y} is differentiated (it is not detached in the reference code). x' maximizes the
 * cross-entropy {@code CE(f(x'), y)} by PGD from a small Gaussian start ({@link InnerPgd}). The regularizer
 * reported is the weighted KL term times beta.
 *
 * <p>Defaults are Liu and Chan's MART setting (the official code's): {@code beta = 6}, inner attack
 * {@code pgd:steps=10,eps=0.031,step=0.007,norm=linf}.
 */
public final class MartObjective implements Objective {
    /** The inner attack without {@code --train-attack}. */
    public static final String DEFAULT_ATTACK = "pgd:steps=10,eps=0.031,step=0.007,norm=linf";

    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("beta", "6", "weight of the misclassification-aware KL term (Wang et al.; Liu and Chan)"));

    private final double beta;
    private final InnerPgd inner;

    /** MART with KL weight {@code beta >= 0} and the inner maximization {@code inner} (of the cross-entropy). */
    public MartObjective(double beta, InnerPgd inner) {
        if (!(beta >= 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("mart: beta must be finite and >= 0, got " + beta);
        this.beta = beta;
        this.inner = inner;
    }

    static MartObjective fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        return new MartObjective(o.real("beta"), InnerPgd.of(setup.attackOr(DEFAULT_ATTACK), "mart"));
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        return loss(model, batch, inner.start(batch.x(), context.generator()));
    }

    /** The MART loss with the ascent started at {@code start}. */
    Outcome loss(Module model, Batch batch, Tensor start) {
        Tensor y = batch.y();
        Tensor adv = inner.maximize(model, batch.x(), start, xv -> F.crossEntropy(Logits.of(model, xv), y));
        Tensor logits = Logits.of(model, batch.x());
        Tensor advLogits = Logits.of(model, adv);
        Tensor[] terms = terms(logits, advLogits, y);
        Tensor reg = terms[1].mul(beta);
        return new Outcome(terms[0].add(reg), logits, reg.detach());
    }

    /**
     * The two MART terms of clean and adversarial logits {@code [N, K]} and int32 labels {@code [N]}: the mean
     * boosted cross-entropy and the mean KL weighted by {@code 1.0000001 - p_y(clean)}, each a scalar.
     */
    public static Tensor[] terms(Tensor logits, Tensor advLogits, Tensor y) {
        int k = logits.size(1);
        Tensor onehot = F.oneHot(y, k, logits.dtype());
        Tensor advProbs = advLogits.softmax(1);
        Tensor runnerUp;
        try (GradMode.Scope s = GradMode.noGrad()) {
            runnerUp = advProbs.sub(onehot.mul(1e30)).argmax(1);
        }
        Tensor other = F.oneHot(runnerUp, k, logits.dtype());
        Tensor boost = advProbs.neg().add(1.0001 + 1e-12).log().mul(other).sum(new int[]{1}, false).neg();
        Tensor bce = F.crossEntropy(advLogits, y, 0, Loss.Reduction.NONE).add(boost).mean();
        Tensor probs = logits.softmax(1);
        Tensor klPer = F.klDiv(advProbs.add(1e-12).log(), probs, Loss.Reduction.NONE).sum(new int[]{1}, false);
        Tensor trueProb = probs.mul(onehot).sum(new int[]{1}, false);
        Tensor kl = klPer.mul(trueProb.neg().add(1.0000001)).mean();
        return new Tensor[]{bce, kl};
    }
}

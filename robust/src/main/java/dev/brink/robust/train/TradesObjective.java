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
import dev.brink.robust.eval.AttackSpec;

import java.util.List;

/**
 * TRADES (Zhang et al., "Theoretically Principled Trade-off between Robustness and Accuracy"):
 * {@code CE(f(x), y) + beta * (1/N) sum_i KL(softmax f(x_i) || softmax f(x'_i))}, where x' maximizes that KL term
 * in the ball around x by PGD from a small Gaussian start ({@link InnerPgd}, as the reference code does; the clean
 * distribution is held fixed during the ascent). Both terms are differentiated with respect to the weights (x' is
 * a constant). The regularizer reported is {@code beta * KL}.
 *
 * <p>Defaults are Liu and Chan's TRADES setting: {@code beta = 12}, and the inner attack
 * {@code pgd:steps=10,eps=0.031,step=0.007,norm=linf} (Zhang et al.'s CIFAR-10 PGD-10, step 0.007) unless
 * {@code --train-attack} gives another PGD.
 */
public final class TradesObjective implements Objective {
    /** The inner attack without {@code --train-attack}. */
    public static final String DEFAULT_ATTACK = "pgd:steps=10,eps=0.031,step=0.007,norm=linf";

    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("beta", "12", "weight of the KL term (Liu and Chan: 12; Zhang et al.: 6 on CIFAR-10, 1 on MNIST)"),
            NormMix.OPTION);

    private final double beta;
    private final InnerPgd inner;
    private final InnerPgd mixInner;

    /** TRADES with KL weight {@code beta >= 0} and the inner maximization {@code inner}. */
    public TradesObjective(double beta, InnerPgd inner) {
        this(beta, inner, null);
    }

    /**
     * TRADES whose inner maximization is {@code inner} on even optimizer steps and {@code mixInner} on odd ones
     * (Li et al.'s Mix; null: {@code inner} always).
     */
    public TradesObjective(double beta, InnerPgd inner, InnerPgd mixInner) {
        if (!(beta >= 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("trades: beta must be finite and >= 0, got " + beta);
        this.beta = beta;
        this.inner = inner;
        this.mixInner = mixInner;
    }

    static TradesObjective fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        AttackSpec spec = setup.attackOr(DEFAULT_ATTACK), second = NormMix.second(spec, o.string("mix"), "trades");
        return new TradesObjective(o.real("beta"), InnerPgd.of(spec, "trades"), second == null ? null : InnerPgd.of(second, "trades"));
    }

    /** The KL weight. */
    public double beta() {
        return beta;
    }

    /** The inner maximization (of even optimizer steps, with {@code mix}). */
    public InnerPgd inner() {
        return inner;
    }

    /** The inner maximization of the context's optimizer step (the mixed one on odd steps, with {@code mix}). */
    public InnerPgd innerAt(TrainingContext context) {
        return NormMix.at(inner, mixInner, context);
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        Tensor x = batch.x();
        InnerPgd in = innerAt(context);
        return loss(model, batch, in.start(x, context.generator()), in);
    }

    /** The TRADES loss with the ascent started at {@code start} (tests fix it to compare with a reference). */
    Outcome loss(Module model, Batch batch, Tensor start) {
        return loss(model, batch, start, inner);
    }

    private Outcome loss(Module model, Batch batch, Tensor start, InnerPgd in) {
        Tensor x = batch.x();
        Tensor adv = adversarial(model, x, start, in);
        Tensor logits = Logits.of(model, x);
        Tensor advLogits = Logits.of(model, adv);
        Tensor kl = klTerm(logits, advLogits);
        Tensor reg = kl.mul(beta);
        return new Outcome(F.crossEntropy(logits, batch.y()).add(reg), logits, reg.detach());
    }

    /** The PGD maximizer of the KL term from {@code start}, with the clean distribution fixed. */
    Tensor adversarial(Module model, Tensor x, Tensor start) {
        return adversarial(model, x, start, inner);
    }

    private Tensor adversarial(Module model, Tensor x, Tensor start, InnerPgd in) {
        boolean training = model.isTraining();
        Tensor clean;
        model.eval();
        try (GradMode.Scope s = GradMode.noGrad()) {
            clean = Logits.of(model, x).softmax(1).detach();
        } finally {
            if (training) model.train();
        }
        return in.maximize(model, x, start, xv -> F.klDiv(Logits.of(model, xv).logSoftmax(1), clean, Loss.Reduction.SUM));
    }

    /**
     * {@code (1/N) sum_i KL(softmax(clean_i) || softmax(adv_i))} of logits {@code [N, K]} (PyTorch's
     * {@code KLDivLoss(reduction="sum")(log_softmax(adv), softmax(clean)) / N}), a scalar.
     */
    public static Tensor klTerm(Tensor cleanLogits, Tensor advLogits) {
        return F.klDiv(advLogits.logSoftmax(1), cleanLogits.softmax(1), Loss.Reduction.SUM).div(cleanLogits.size(0));
    }
}

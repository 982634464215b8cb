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
 * MAIL, margin-aware instance reweighting (Wang, Liu et al., "Probabilistic Margins for Instance Reweighting in
 * Adversarial Training"), in the two variants Liu and Chan train with (AT-MAIL and TRADES-MAIL). On the adversarial
 * logits z' of each sample, the probabilistic margin {@code PM_i = p'_{i,y} - max_{k != y} p'_{i,k}} gives the
 * weight {@code w_i = sigmoid(-slope * (PM_i - bias))}, normalized to mean 1 over the batch
 * ({@code w_i * N / sum_j w_j}, the paper's normalization) and held constant (detached):
 * <pre>
 *   base=at:     loss = (1/N) sum_i w_i CE(z'_i, y_i)                        x' maximizes CE
 *   base=trades: loss = CE(z, y) + beta (1/N) sum_i w_i KL(p_i || p'_i)      x' maximizes the KL (as TRADES)
 * </pre>
 * Before epoch {@code burn-in} the weights are 1 (plain AT or TRADES): Wang, Liu et al. start MAIL from a model
 * pre-trained by the base method. The regularizer reported is, for trades, the weighted KL term times beta.
 *
 * <p>Defaults are Liu and Chan's: AT-MAIL slope 30, bias 0.07; TRADES-MAIL slope 5, bias 0.05, beta 5; the inner
 * attack PGD-10 with step 0.00784 in L-inf eps 0.031 ({@code pgd:steps=10,eps=0.031,step=0.00784,norm=linf}).
 */
public final class MailObjective implements Objective {
    /** The inner attack without {@code --train-attack}. */
    public static final String DEFAULT_ATTACK = "pgd:steps=10,eps=0.031,step=0.00784,norm=linf";

    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("base", "at", "at (reweighted adversarial cross-entropy) or trades (reweighted TRADES KL)"),
            new Attacks.Option("slope", "", "slope of the sigmoid weight (empty: 30 for at, 5 for trades; Liu and Chan)"),
            new Attacks.Option("bias", "", "margin bias of the sigmoid weight (empty: 0.07 for at, 0.05 for trades)"),
            new Attacks.Option("beta", "5", "trades only: weight of the KL term (Liu and Chan's TRADES-MAIL: 5)"),
            new Attacks.Option("burn-in", "0", "epochs of the unweighted base method before reweighting starts"));

    private final boolean trades;
    private final double slope;
    private final double bias;
    private final double beta;
    private final int burnIn;
    private final InnerPgd inner;

    /**
     * MAIL on the base method ({@code trades} or AT), with the sigmoid's slope and bias, the TRADES KL weight
     * {@code beta} (unused for AT), the number of unweighted epochs and the inner maximization.
     */
    public MailObjective(boolean trades, double slope, double bias, double beta, int burnIn, InnerPgd inner) {
        if (!Double.isFinite(slope) || !Double.isFinite(bias)) throw new IllegalArgumentException("mail: slope and bias must be finite, got " + slope + ", " + bias);
        if (!(beta >= 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("mail: beta must be finite and >= 0, got " + beta);
        if (burnIn < 0) throw new IllegalArgumentException("mail: burn-in must be >= 0, got " + burnIn);
        this.trades = trades;
        this.slope = slope;
        this.bias = bias;
        this.beta = beta;
        this.burnIn = burnIn;
        this.inner = inner;
    }

    static MailObjective fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        boolean trades = o.choice("base", "at", "trades").equals("trades");
        double slope = o.has("slope") ? o.real("slope") : trades ? 5 : 30;
        double bias = o.has("bias") ? o.real("bias") : trades ? 0.05 : 0.07;
        return new MailObjective(trades, slope, bias, o.real("beta"), o.integer("burn-in"), InnerPgd.of(setup.attackOr(DEFAULT_ATTACK), "mail"));
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        return loss(model, batch, inner.start(batch.x(), context.generator()), context.epoch() >= burnIn);
    }

    /** The MAIL loss with the ascent started at {@code start}, reweighted or not. */
    Outcome loss(Module model, Batch batch, Tensor start, boolean reweight) {
        Tensor x = batch.x(), y = batch.y();
        if (!trades) {
            Tensor adv = inner.maximize(model, x, start, xv -> F.crossEntropy(Logits.of(model, xv), y));
            Tensor advLogits = Logits.of(model, adv);
            Tensor ce = F.crossEntropy(advLogits, y, 0, Loss.Reduction.NONE);
            Tensor loss = reweight ? ce.mul(weights(advLogits, y, slope, bias)).mean() : ce.mean();
            return new Outcome(loss, null);
        }
        TradesObjective base = new TradesObjective(beta, inner);
        Tensor adv = base.adversarial(model, x, start);
        Tensor logits = Logits.of(model, x);
        Tensor advLogits = Logits.of(model, adv);
        Tensor klPer = F.klDiv(advLogits.logSoftmax(1), logits.softmax(1), Loss.Reduction.NONE).sum(new int[]{1}, false);
        Tensor kl = reweight ? klPer.mul(weights(advLogits, y, slope, bias)).mean() : klPer.mean();
        Tensor reg = kl.mul(beta);
        return new Outcome(F.crossEntropy(logits, y).add(reg), logits, reg.detach());
    }

    /**
     * The normalized MAIL weights {@code [N]} of logits {@code [N, K]} (detached): {@code sigmoid(-slope (PM - bias))}
     * scaled to mean 1, with {@code PM = p_y - max_{k != y} p_k}.
     */
    public static Tensor weights(Tensor logits, Tensor y, double slope, double bias) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor p = logits.detach().softmax(1);
            Tensor onehot = F.oneHot(y, logits.size(1), p.dtype());
            Tensor py = p.mul(onehot).sum(new int[]{1}, false);
            Tensor other = p.sub(onehot.mul(2)).amax(new int[]{1}, false);
            Tensor w = py.sub(other).sub(bias).mul(-slope).sigmoid();
            return w.mul(w.size(0)).div(w.sum()).detach();
        }
    }
}

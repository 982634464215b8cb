package dev.brink.robust.train;

import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Attacks;

import java.util.List;

/**
 * Hypersphere embedding (HE; Pang, Yang, Dong, Xu, Zhu, Su, "Boosting Adversarial Training with Hypersphere
 * Embedding"): feature normalization, weight normalization and an additive angular margin. With h the penultimate
 * features {@code [N, D]} and W {@code [K, D]} the last linear layer's weight (its bias is not used),
 * {@code cos_{i,k} = (W_k . h_i) / (||W_k|| ||h_i||)} and the loss is the cross-entropy of the logits
 * {@code s (cos_{i,k} - m [k = y_i])}. The clean logits reported are {@code s cos} (the HE model's prediction).
 *
 * <p>Defaults are Pang et al.'s (which Liu and Chan use as given): scale {@code s = 15}, margin {@code m = 0.2}.
 * With {@code adversarial=true} the loss is evaluated on inputs that maximize it ({@link InnerPgd}, from
 * {@code --train-attack}, default {@link #DEFAULT_ATTACK}): AT+HE as Liu and Chan compare it. The model must end in
 * a linear layer ({@link LinearHead}).
 */
public final class HypersphereObjective implements Objective {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("s", "15", "scale of the cosine logits (Pang et al.)"),
            new Attacks.Option("m", "0.2", "additive angular margin on the true class's cosine (Pang et al.)"),
            new Attacks.Option("adversarial", "false", "evaluate the loss on PGD examples that maximize it (AT+HE; --train-attack)"));

    /** The inner attack of {@code adversarial=true} without {@code --train-attack}: PGD-10, step 2/255, L-inf 8/255. */
    public static final String DEFAULT_ATTACK = "pgd:steps=10,eps=0.031,step=0.0078,norm=linf";

    private final double s;
    private final double m;
    private final InnerPgd inner;

    /** HE with scale {@code s > 0} and margin {@code m >= 0}, on clean inputs. */
    public HypersphereObjective(double s, double m) {
        this(s, m, null);
    }

    /** HE with scale {@code s > 0} and margin {@code m >= 0}, on the inputs {@code inner} finds by maximizing it (null: clean). */
    public HypersphereObjective(double s, double m, InnerPgd inner) {
        if (!(s > 0) || Double.isInfinite(s)) throw new IllegalArgumentException("hypersphere: s must be finite and > 0, got " + s);
        if (!(m >= 0) || Double.isInfinite(m)) throw new IllegalArgumentException("hypersphere: m must be finite and >= 0, got " + m);
        this.s = s;
        this.m = m;
        this.inner = inner;
    }

    static HypersphereObjective fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        return new HypersphereObjective(o.real("s"), o.real("m"),
                o.bool("adversarial") ? InnerPgd.of(setup.attackOr(DEFAULT_ATTACK), "hypersphere") : null);
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        LinearHead head = LinearHead.of(model, "hypersphere");
        Tensor x = batch.x(), y = batch.y();
        if (inner != null) x = inner.maximize(model, x, inner.start(x, context.generator()), xv -> loss(cosines(head.features(xv), head.weight()), y));
        Tensor cos = cosines(head.features(x), head.weight());
        return new Outcome(loss(cos, y), inner == null ? cos.mul(s).detach() : null);
    }

    private Tensor loss(Tensor cos, Tensor y) {
        return F.crossEntropy(cos.sub(F.oneHot(y, cos.size(1), cos.dtype()).mul(m)).mul(s), y);
    }

    /** Cosines {@code [N, K]} between features {@code [N, D]} and the rows of weight {@code [K, D]}. */
    public static Tensor cosines(Tensor h, Tensor weight) {
        Tensor hn = h.div(h.square().sum(new int[]{1}, true).add(1e-24).sqrt());
        Tensor wn = weight.div(weight.square().sum(new int[]{1}, true).add(1e-24).sqrt());
        return hn.matmul(wn.transpose(0, 1));
    }
}

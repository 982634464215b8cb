package dev.brink.robust.train;

import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.eval.AttackSpec;

import java.util.List;

/**
 * Adversarial training with domain adaptation, ATDA (Song et al. 2019; one of Li et al.'s four defenses): the clean
 * batch D and its adversarial batch A are two domains whose logits {@code z = f(x)} [n, k] are aligned:
 * <pre>
 *   loss = (CE(f(D)) + CE(f(A))) / 2 + lambda * (L_CORAL + L_MMD + L_SDA)
 *   L_CORAL = ||Cov(z_D) - Cov(z_A)||_1 / k^2            (unbiased covariances, element-wise L1)
 *   L_MMD   = ||mean(z_D) - mean(z_A)||_1 / k
 *   L_SDA   = mean over x in D and A of  sum_{j != y, j in batch} softplus(||z - c_y||_1 - ||z - c_j||_1) / (k - 1)
 * </pre>
 * with class centers {@code c_j} the mean logits of class j over D and A of this batch (detached; Song et al. keep
 * running centers, this objective estimates them per batch so that it has no state to checkpoint). The regularizer
 * reported is {@code lambda * (L_CORAL + L_MMD + L_SDA)}.
 *
 * <p>Attack: {@code --train-attack}, default L-inf PGD as {@code pgd-at} (Li et al. train every defense with PGD;
 * Song et al. used FGSM: {@code --train-attack fgsm:eps=0.3}). Options: {@code lambda} 1/3, {@code eval-mode} true,
 * {@code mix} none (Li et al.'s Mix: {@code mix=l2:4.0} with an L-inf attack, see {@link NormMix}).
 * Needs at least two logits.
 */
public final class Atda implements Objective {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("lambda", "1/3", "weight of the domain-adaptation losses"),
            new Attacks.Option("eval-mode", "true", "run the inner attack with the model in eval mode"),
            NormMix.OPTION);

    private final InnerAttack inner;
    private final InnerAttack mixInner;
    private final double lambda;

    /**
     * @param inner  the inner attack
     * @param lambda weight of the domain-adaptation losses (>= 0)
     */
    public Atda(InnerAttack inner, double lambda) {
        this(inner, null, lambda);
    }

    /**
     * @param inner    the inner attack (of even optimizer steps where {@code mixInner} is given)
     * @param mixInner the inner attack of odd optimizer steps (Li et al.'s Mix), or null
     * @param lambda   weight of the domain-adaptation losses (>= 0)
     */
    public Atda(InnerAttack inner, InnerAttack mixInner, double lambda) {
        if (!(lambda >= 0)) throw new IllegalArgumentException("atda: lambda must be >= 0, got " + lambda);
        this.inner = inner;
        this.mixInner = mixInner;
        this.lambda = lambda;
    }

    static Atda fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        AttackSpec spec = setup.attackOr(PgdAdversarialTraining.DEFAULT_ATTACK), second = NormMix.second(spec, o.string("mix"), "atda");
        boolean eval = o.bool("eval-mode");
        return new Atda(InnerAttack.of(spec, eval), second == null ? null : InnerAttack.of(second, eval), o.real("lambda"));
    }

    /** The inner attack of this optimizer step (the mixed one on odd steps, with {@code mix}). */
    public InnerAttack innerAt(TrainingContext context) {
        return NormMix.at(inner, mixInner, context);
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        Tensor y = batch.y();
        Tensor adv = innerAt(context).craft(model, batch.x(), y, context.generator());
        Tensor zc = model.forward(batch.x());
        Tensor za = model.forward(adv);
        int k = zc.size(1);
        if (k < 2) throw new IllegalArgumentException("atda: needs a model with at least two logits, got " + k);
        Tensor ce = Objective.classificationLoss(zc, y, 0).add(Objective.classificationLoss(za, y, 0)).mul(0.5);
        Tensor da = coral(zc, za).add(mmd(zc, za)).add(sda(Tensor.concat(0, zc, za), Tensor.concat(0, y, y)));
        Tensor reg = da.mul(lambda);
        return new Outcome(ce.add(reg), zc, reg.detach());
    }

    /** {@code ||Cov(a) - Cov(b)||_1 / k^2} of logits {@code [n, k]} (unbiased covariances). */
    static Tensor coral(Tensor a, Tensor b) {
        int k = a.size(1);
        return covariance(a).sub(covariance(b)).abs().sum().div((double) k * k);
    }

    /** Unbiased covariance {@code [k, k]} of rows {@code [n, k]}. */
    static Tensor covariance(Tensor z) {
        int n = z.size(0);
        Tensor c = z.sub(z.mean(new int[] {0}, true));
        return c.transpose(0, 1).matmul(c).div(Math.max(n - 1, 1));
    }

    /** {@code ||mean(a) - mean(b)||_1 / k}. */
    static Tensor mmd(Tensor a, Tensor b) {
        return a.mean(new int[] {0}, false).sub(b.mean(new int[] {0}, false)).abs().sum().div(a.size(1));
    }

    /** The supervised margin term over logits {@code z [m, k]} with labels {@code y [m]}, centers from this batch. */
    static Tensor sda(Tensor z, Tensor y) {
        int m = z.size(0), k = z.size(1);
        int[] labels = y.toIntArray();
        double[] sums = new double[k * k];
        int[] counts = new int[k];
        double[] zv;
        try (GradMode.Scope s = GradMode.noGrad()) {
            zv = z.detach().to(dev.brink.engine.DType.FLOAT64).toDoubleArray();
        }
        for (int i = 0; i < m; i++) {
            counts[labels[i]]++;
            for (int j = 0; j < k; j++) sums[labels[i] * k + j] += zv[i * k + j];
        }
        double[] centers = new double[k * k];
        double[] mask = new double[m * k];
        for (int c = 0; c < k; c++) for (int j = 0; j < k; j++) centers[c * k + j] = counts[c] == 0 ? 0 : sums[c * k + j] / counts[c];
        for (int i = 0; i < m; i++) for (int j = 0; j < k; j++) mask[i * k + j] = j != labels[i] && counts[j] > 0 ? 1 : 0;
        Tensor cen = Tensor.of(centers, k, k).to(z.dtype());
        Tensor dist = z.unsqueeze(1).sub(cen.unsqueeze(0)).abs().sum(new int[] {2}, false); // [m, k]
        Tensor own = dist.gather(1, y.reshape(m, 1));                                        // [m, 1]
        Tensor terms = own.sub(dist).softplus().mul(Tensor.of(mask, m, k).to(z.dtype()));
        return terms.sum().div((double) m * (k - 1));
    }

    @Override
    public String toString() {
        return "atda(lambda=" + lambda + ", attack " + inner + ")";
    }
}

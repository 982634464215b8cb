package dev.brink.robust.attack;

import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

import java.util.List;
import java.util.Set;

/**
 * Seed 000's L0 attack on a linear model (Galloway et al. Sec. 4, Figure 7): "setting a small number of pixels
 * corresponding to the locations of the min and max weights to 1" (full scale: the box's top; it also simulates
 * dead pixels). Budget: k = floor(eps) features (each colour channel a feature).
 * <ul>
 *   <li>mode {@code both} (the paper's black-box attack, the same pixels for every input): for a binary model with
 *       weight vector w (the logit of class 1 minus class 0), the ceil(k/2) features of most positive and the
 *       floor(k/2) of most negative weight. For K classes with weight rows W_c it generalizes as: classes take turns
 *       (K-1 down to 0), each adding its not yet chosen feature of largest {@code W_c - mean_j W_j} (the pixel that
 *       most promotes it); for K = 2 this is exactly the binary rule.</li>
 *   <li>mode {@code directed} (per sample): the k features of largest {@code W_goal - W_ref}, where goal is the target
 *       (targeted) or the runner-up class at the clean input (untargeted), and ref the label (untargeted) or the
 *       clean prediction (targeted).</li>
 * </ul>
 * Weights are given ({@code [D]} for a one-logit logistic regression, or {@code [K, D]} rows such as a {@code Linear}
 * layer's weight, over the flattened input) or, from the registry, read off the model as its batch-mean
 * per-class Jacobian rows ({@link Derivatives#jacobianRows}), which are exactly W for a linear model.
 * Options: {@code mode} both. Threat L0. Inputs {@code [N, ...]} in the box; labels int32 {@code [N]}.
 */
public final class ExtremeWeightPixels extends Attack {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("mode", "both", "both (the paper: min and max weights, same pixels for all) or directed (per sample, toward the goal)"));

    private final Tensor weights;
    private final boolean directed;

    /** @param weights {@code [D]} (one logit) or {@code [K, D]}; null: read off the model */
    public ExtremeWeightPixels(Tensor weights, boolean directed) {
        if (weights != null && !(weights.dim() == 1 || weights.dim() == 2))
            throw new IllegalArgumentException("extreme-weight: weights must be [D] or [K, D], got " + Shape.str(weights.shape()));
        Tensor w = weights == null ? null : weights.detach();
        if (w != null && w.dim() == 1) w = Tensor.stack(0, w.zerosLike(), w); // a one-logit model is [0, z]
        if (w != null && w.size(0) == 1) w = Tensor.concat(0, w.zerosLike(), w);
        this.weights = w;
        this.directed = directed;
    }

    static ExtremeWeightPixels fromOptions(Attacks.Options o) {
        return new ExtremeWeightPixels(null, o.choice("mode", "both", "directed").equals("directed"));
    }

    @Override
    public String name() {
        return "extreme-weight";
    }

    @Override
    public Set<Norm> supportedNorms() {
        return Set.of(Norm.L0);
    }

    @Override
    protected Outcome perturb(Problem p) {
        int n = p.x().size(0), d = p.x().numel() / Math.max(1, n);
        int k = (int) Math.min(Math.floor(p.threat().eps()), d);
        int[] iters = new int[n];
        java.util.Arrays.fill(iters, 1);
        if (k == 0) return new Outcome(p.x(), iters);
        Tensor w = weights != null ? weights.to(p.x().dtype())
                : Derivatives.jacobianRows(p.model()::logits, p.x(), false).reshape(-1, n, d).mean(new int[] {1}, false);
        if (w.size(1) != d) throw new IllegalArgumentException("extreme-weight: weights over " + w.size(1) + " features for inputs of " + d);
        int classes = w.size(0);
        double[] picks = new double[directed ? n * k : k];
        if (!directed) {
            Tensor rel = w.sub(w.mean(new int[] {0}, true));
            int[] order = rel.argsort(1, true).toIntArray();
            boolean[] taken = new boolean[d];
            int[] next = new int[classes];
            for (int j = 0; j < k; j++) {
                int c = classes - 1 - j % classes;
                while (taken[order[c * d + next[c]]]) next[c]++;
                taken[order[c * d + next[c]]] = true;
                picks[j] = order[c * d + next[c]];
            }
        } else {
            Tensor goal, ref;
            try (GradMode.Scope g = GradMode.noGrad()) {
                Tensor z = p.model().logits(p.x());
                ref = p.targeted() ? z.argmax(1) : p.labels();
                goal = p.targeted() ? p.classes() : z.sub(F.oneHot(p.labels(), z.size(1), z.dtype()).mul(1e30)).argmax(1);
            }
            Tensor score = F.oneHot(goal, classes, w.dtype()).sub(F.oneHot(ref, classes, w.dtype())).matmul(w); // [n, d]
            int[] order = score.argsort(1, true).slice(1, 0, k).contiguous().toIntArray();
            for (int j = 0; j < order.length; j++) picks[j] = order[j];
        }
        int rows = directed ? n : 1;
        Tensor ix = Tensor.fromHost(p.x().backend(), dev.brink.engine.DType.INT32, picks, rows, k);
        Tensor mask = F.scatterAdd(Tensor.full(p.x().backend(), p.x().dtype(), 1.0, rows, k), 1, ix, new int[] {rows, d});
        Tensor flat = p.x().reshape(n, d);
        return new Outcome(Tensor.where(mask.gt(0.0), flat.scalarLike(p.threat().upper()), flat).reshape(p.x().shape()), iters);
    }
}

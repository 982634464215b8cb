package dev.brink.robust.attack;

import dev.brink.engine.Autograd;
import dev.brink.engine.GradOptions;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;

import java.util.List;
import java.util.Set;

/**
 * Jacobian-based saliency map attack (Papernot et al., EuroS&amp;P 2016; Galloway et al. Sec. 6.3.2, Table 2), targeted,
 * L0: each iteration takes the gradients of the target logit {@code a = dz_t/dx} and of the other logits' sum
 * {@code b = d(sum_{j != t} z_j)/dx} (two backward passes), scores every pair (p, q) of features still below the
 * box's top with {@code alpha = a_p + a_q}, {@code beta = b_p + b_q} as {@code -alpha * beta} where
 * {@code alpha > 0 and beta < 0} (the pair with the largest {@code alpha - beta} when no pair qualifies), and sets the
 * best pair to the box's top (theta = +1, full scale). Each colour channel of a pixel is a separate feature. It stops
 * per sample once the target is reached or when the next pair would exceed the budget of
 * {@code min(eps, gamma * D)} changed features (D features per sample; as in cleverhans, at most
 * {@code floor(budget / 2)} pairs). Untargeted goals aim at the most likely class other than the label.
 * The pairs are scored in one pass per sample (D(D-1)/2 of them), without a {@code D x D} map in memory.
 *
 * <p>Options: {@code gamma} 1 (maximum ratio of features; Galloway et al. use 0.01-0.05). Threat L0 (eps = changed
 * features, a count: a positive budget too small for one pair is an error, not a run that changes nothing). Inputs {@code [N, ...]} in the box; labels int32 {@code [N]}.
 */
public final class Jsma extends Attack {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("gamma", "1", "maximum ratio of features changed (also bounded by eps)"));

    private final double gamma;

    public Jsma(double gamma) {
        if (!(gamma > 0 && gamma <= 1)) throw new IllegalArgumentException("jsma: gamma must be in (0, 1], got " + gamma);
        this.gamma = gamma;
    }

    static Jsma fromOptions(Attacks.Options o) {
        return new Jsma(o.real("gamma"));
    }

    @Override
    public String name() {
        return "jsma";
    }

    @Override
    public Set<Norm> supportedNorms() {
        return Set.of(Norm.L0);
    }

    @Override
    protected Outcome perturb(Problem p) {
        int n = p.x().size(0), d = p.x().numel() / Math.max(1, n);
        int pairs = (int) Math.min(Math.floor(p.threat().eps()), Math.floor(gamma * d)) / 2;
        if (pairs == 0 && n > 0 && p.threat().eps() > 0)
            throw new IllegalArgumentException("jsma: the budget of min(eps = " + p.threat().eps() + ", gamma * D = " + gamma + " * " + d + ") changed features "
                    + "allows no pair, so the attack could not change any input: L0's eps counts features (D = " + d + " per sample here), "
                    + "e.g. --eps " + d + " to leave the bound to gamma");
        int[] iters = new int[n];
        Tensor target = p.classes();
        if (!p.targeted()) {
            try (GradMode.Scope g = GradMode.noGrad()) {
                Tensor z = p.model().logits(p.x());
                target = z.sub(F.oneHot(p.labels(), z.size(1), z.dtype()).mul(1e30)).argmax(1);
            }
        }
        double top = p.threat().upper();
        Tensor x = p.x().reshape(n, d), out = x;
        Tensor domain = x.lt(top);
        int[] idx = Rows.all(n);
        for (int it = 0; it < pairs && idx.length > 0; it++) {
            Problem sp = Rows.select(p, idx);
            Tensor t = Rows.select(target, idx);
            Tensor xv = x.detach().requiresGrad(true);
            Tensor z, a, b;
            try (GradMode.Scope g = GradMode.enableGrad()) {
                z = p.model().logits(xv.reshape(sp.x().shape()));
                Tensor hot = F.oneHot(t, z.size(1), z.dtype());
                a = Autograd.grad(z, xv, GradOptions.defaults().gradOutputs(hot).retainGraph().allowUnused())[0];
                b = Autograd.grad(z, xv, GradOptions.defaults().gradOutputs(hot.neg().add(1.0)).allowUnused())[0];
            }
            boolean[] ok = succeeded(z.detach(), sp);
            double[] room = domain.sum(new int[] {1}, false).toDoubleArray();
            boolean[] keep = new boolean[idx.length];
            for (int j = 0; j < idx.length; j++) keep[j] = !ok[j] && room[j] >= 2;
            int[] local = Rows.where(keep);
            if (local.length == 0) break;
            idx = Rows.compose(idx, local);
            x = Rows.select(x, local);
            domain = Rows.select(domain, local);
            Tensor chosen = bestPairs(Rows.select(a, local), Rows.select(b, local), domain);
            x = Tensor.where(chosen, x.scalarLike(top), x);
            domain = domain.mul(chosen.neg().add(1.0));
            out = Rows.put(out, idx, x, null);
            for (int i : idx) iters[i]++;
        }
        return new Outcome(out.reshape(p.x().shape()), iters);
    }

    /**
     * A 0/1 mask {@code [n, D]} of the best saliency pair of each row: the first pair (p &lt; q, in row-major order)
     * of the largest {@code -alpha * beta} among those with {@code alpha > 0, beta < 0}, else of the largest
     * {@code alpha - beta}, both features in the domain. One pass over the D(D-1)/2 pairs per row, in the tensors'
     * precision (float32 sums and products for float32 gradients), parallel over rows.
     */
    static Tensor bestPairs(Tensor a, Tensor b, Tensor domain) {
        int n = a.size(0), d = a.size(1);
        boolean single = a.dtype() == dev.brink.engine.DType.FLOAT32;
        float[] af = single ? a.contiguous().toFloatArray() : null, bf = single ? b.contiguous().toFloatArray() : null;
        double[] ad = single ? null : a.contiguous().toDoubleArray(), bd = single ? null : b.contiguous().toDoubleArray();
        float[] dom = domain.contiguous().to(dev.brink.engine.DType.FLOAT32).toFloatArray();
        double[] picks = new double[2 * n];
        java.util.stream.IntStream.range(0, n).parallel().forEach(r -> {
            int[] pq = single ? bestPair(af, bf, dom, r * d, d) : bestPair(ad, bd, dom, r * d, d);
            picks[2 * r] = pq[0];
            picks[2 * r + 1] = pq[1];
        });
        Tensor ix = Tensor.fromHost(a.backend(), dev.brink.engine.DType.INT32, picks, n, 2);
        return F.scatterAdd(a.onesLike().slice(1, 0, 2).contiguous(), 1, ix, new int[] {n, d}).gt(0.0);
    }

    private static int[] bestPair(float[] a, float[] b, float[] dom, int o, int d) {
        float best = 0, alt = Float.NEGATIVE_INFINITY;
        int bp = -1, bq = -1, ap = -1, aq = -1;
        for (int p = 0; p < d; p++) {
            if (dom[o + p] == 0) continue;
            float x = a[o + p], y = b[o + p];
            for (int q = p + 1; q < d; q++) {
                if (dom[o + q] == 0) continue;
                float alpha = x + a[o + q], beta = y + b[o + q];
                if (alpha > 0 && beta < 0) {
                    float score = -(alpha * beta);
                    if (bp < 0 || score > best) { best = score; bp = p; bq = q; }
                } else if (bp < 0) {
                    float f = alpha - beta;
                    if (ap < 0 || f > alt) { alt = f; ap = p; aq = q; }
                }
            }
        }
        return bp >= 0 ? new int[] {bp, bq} : new int[] {ap, aq};
    }

    private static int[] bestPair(double[] a, double[] b, float[] dom, int o, int d) {
        double best = 0, alt = Double.NEGATIVE_INFINITY;
        int bp = -1, bq = -1, ap = -1, aq = -1;
        for (int p = 0; p < d; p++) {
            if (dom[o + p] == 0) continue;
            double x = a[o + p], y = b[o + p];
            for (int q = p + 1; q < d; q++) {
                if (dom[o + q] == 0) continue;
                double alpha = x + a[o + q], beta = y + b[o + q];
                if (alpha > 0 && beta < 0) {
                    double score = -(alpha * beta);
                    if (bp < 0 || score > best) { best = score; bp = p; bq = q; }
                } else if (bp < 0) {
                    double f = alpha - beta;
                    if (ap < 0 || f > alt) { alt = f; ap = p; aq = q; }
                }
            }
        }
        return bp >= 0 ? new int[] {bp, bq} : new int[] {ap, aq};
    }
}

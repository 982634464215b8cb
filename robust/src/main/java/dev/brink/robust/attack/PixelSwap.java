package dev.brink.robust.attack;

import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.RandomKind;

import java.util.List;
import java.util.Set;

/**
 * Random pixel swapping, Galloway et al.'s black-box L0 attack (Galloway et al. Sec. 6.3.1, Figures 11-12: accuracy
 * against the "ratio of pixels randomly swapped", R, G and B "considered separately"). The paper gives no further
 * detail; this is the interpretation implemented: in each colour channel separately, {@code m = floor(budget / C)}
 * positions are drawn uniformly without replacement and their values are permuted cyclically in a random order
 * (each chosen position takes the value of another chosen position of the same channel), so the image's
 * per-channel histogram is unchanged ("does not affect the data distribution globally") and at most
 * {@code budget = min(eps, ratio * D)} features change (fewer where swapped values are equal). Inputs
 * {@code [N, C, ...]} (channels on axis 1) or {@code [N, D]} (one channel). With {@code restarts > 1}, samples
 * not yet misclassified are redrawn and the first success is kept.
 *
 * <p>Options: {@code ratio} 1 (fraction of features swapped; the budget is also bounded by eps), {@code restarts} 1.
 * Threat L0 (eps = changed features). Labels int32 {@code [N]}.
 */
public final class PixelSwap extends Attack {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("ratio", "1", "fraction of features swapped (also bounded by eps)"),
            new Attacks.Option("restarts", "1", "redraws for samples not yet successful"));

    private final double ratio;
    private final int restarts;

    public PixelSwap(double ratio, int restarts) {
        if (!(ratio >= 0 && ratio <= 1)) throw new IllegalArgumentException("pixel-swap: ratio must be in [0, 1], got " + ratio);
        if (restarts < 1) throw new IllegalArgumentException("pixel-swap: restarts must be >= 1, got " + restarts);
        this.ratio = ratio;
        this.restarts = restarts;
    }

    static PixelSwap fromOptions(Attacks.Options o) {
        return new PixelSwap(o.real("ratio"), o.integer("restarts"));
    }

    @Override
    public String name() {
        return "pixel-swap";
    }

    @Override
    public Set<Norm> supportedNorms() {
        return Set.of(Norm.L0);
    }

    @Override
    protected Outcome perturb(Problem p) {
        int n = p.x().size(0), d = p.x().numel() / Math.max(1, n);
        int c = p.x().dim() > 2 ? p.x().size(1) : 1;
        int m = (int) (Math.min(Math.floor(p.threat().eps()), Math.floor(ratio * d)) / c);
        int[] iters = new int[n];
        Tensor out = p.x();
        if (m < 2) return new Outcome(out, iters);
        boolean[] done = new boolean[n];
        for (int r = 0; r < restarts; r++) {
            boolean[] open = new boolean[n];
            for (int i = 0; i < n; i++) open[i] = !done[i];
            int[] idx = Rows.where(open);
            if (idx.length == 0) break;
            Tensor x = swap(Rows.select(p.x(), idx), c, m, p);
            out = Rows.put(out, idx, x, null);
            boolean[] ok = Rows.select(p, idx).success(x);
            for (int j = 0; j < idx.length; j++) {
                iters[idx[j]]++;
                done[idx[j]] = ok[j];
            }
        }
        return new Outcome(out, iters);
    }

    private static Tensor swap(Tensor x, int c, int m, Problem p) {
        int n = x.size(0);
        Tensor flat = x.reshape(n, c, -1);
        int plane = flat.size(2);
        Tensor keys = Tensor.random(x.backend(), RandomKind.UNIFORM, p.gen(), x.dtype(), n, c, plane);
        Tensor sel = keys.argsort(2, false).slice(2, 0, m).contiguous();
        Tensor vals = flat.gather(2, sel);
        Tensor shifted = Tensor.concat(2, vals.slice(2, 1, m), vals.slice(2, 0, 1));
        return flat.add(F.scatterAdd(shifted.sub(vals), 2, sel, flat.shape())).reshape(x.shape());
    }
}

package dev.brink.robust.attack;

import dev.brink.engine.Autograd;
import dev.brink.engine.GradOptions;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * DeepFool (Moosavi-Dezfooli et al., CVPR 2016), in L2 and L-inf: at each iteration the classifier is linearized at
 * the current point with per-class Jacobian rows (one forward, K backward passes; coordinates that the box blocks
 * in the direction of a class's step are left out of its linearization), and the point moves to the
 * nearest linearized boundary, {@code r = |f_l| / ||w_l||_2^2 * w_l} (L2) or {@code r = |f_l| / ||w_l||_1 * sign(w_l)}
 * (L-inf), with {@code f_k = z_k - z_c}, {@code w_k = grad z_k - grad z_c}, c the label and l the class of the
 * smallest {@code |f_k| / ||w_k||} (the dual norm); the total perturbation is scaled by {@code 1 + overshoot}.
 * Samples stop once misclassified, after at most {@code steps} iterations. On a linear classifier it finds the exact
 * distance to the decision boundary, {@code min_k |f_k| / ||w_k||}, in one iteration. With a targeted goal only
 * the target's boundary is considered. A minimum-distance attack: {@link #run} projects onto the threat ball.
 *
 * <p>Options: {@code steps} 50, {@code overshoot} 0.02. Threat L2 or L-inf. Inputs {@code [N, ...]}; labels int32 {@code [N]}.
 */
public final class DeepFool extends Attack {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("steps", "50", "maximum iterations"),
            new Attacks.Option("overshoot", "0.02", "the total perturbation is scaled by 1 + overshoot"));

    private final int steps;
    private final double overshoot;

    public DeepFool(int steps, double overshoot) {
        if (steps < 1) throw new IllegalArgumentException("deepfool: steps must be >= 1, got " + steps);
        if (!(overshoot >= 0)) throw new IllegalArgumentException("deepfool: overshoot must be >= 0, got " + overshoot);
        this.steps = steps;
        this.overshoot = overshoot;
    }

    static DeepFool fromOptions(Attacks.Options o) {
        return new DeepFool(o.integer("steps"), o.real("overshoot"));
    }

    @Override
    public String name() {
        return "deepfool";
    }

    @Override
    public Set<Norm> supportedNorms() {
        return EnumSet.of(Norm.L2, Norm.LINF);
    }

    @Override
    protected Outcome perturb(Problem p) {
        int n = p.x().size(0);
        boolean linf = p.threat().norm() == Norm.LINF;
        int[] iters = new int[n];
        int[] idx = Rows.all(n);
        Tensor out = p.x();
        Tensor total = p.x().zerosLike();
        Tensor x = p.x();
        for (int it = 0; it <= steps && idx.length > 0; it++) {
            Problem sp = Rows.select(p, idx);
            Tensor xv = x.detach().requiresGrad(true);
            Tensor z;
            Tensor[] rows;
            try (GradMode.Scope g = GradMode.enableGrad()) {
                z = p.model().logits(xv);
                int k = z.size(1);
                rows = new Tensor[k];
                for (int c = 0; c < k && it < steps; c++) {
                    Tensor seed = F.oneHot(Tensor.full(z.backend(), dev.brink.engine.DType.INT32, c, z.size(0)), k, z.dtype());
                    rows[c] = Autograd.grad(z, xv, GradOptions.defaults().gradOutputs(seed).retainGraph(c < k - 1).allowUnused())[0];
                }
            }
            boolean[] ok = succeeded(z.detach(), sp);
            boolean[] keep = new boolean[idx.length];
            for (int j = 0; j < idx.length; j++) keep[j] = !ok[j];
            int[] local = Rows.where(keep);
            if (local.length == 0 || it == steps) break;
            int k = z.size(1);
            Tensor jac = Rows.select(Tensor.stack(1, rows), local); // [n', K, ...]
            Tensor zl = Rows.select(z.detach(), local);
            idx = Rows.compose(idx, local);
            sp = Rows.select(p, idx);
            x = Rows.select(x, local);
            total = Rows.select(total, local);
            int na = idx.length;
            // the reference class: the label (untargeted) or the current prediction (targeted: only the target's boundary counts)
            Tensor onehot = F.oneHot(sp.targeted() ? zl.argmax(1) : sp.labels(), k, zl.dtype());
            Tensor jflat = jac.reshape(na, k, -1);
            Tensor jc = jflat.mul(onehot.reshape(na, k, 1)).sum(new int[] {1}, true);
            Tensor wk = jflat.sub(jc);                                               // [n', K, D]
            // coordinates the box blocks in the direction a class's step would move them count for nothing
            Tensor xf = x.reshape(na, 1, -1);
            Tensor blocked = wk.gt(0.0).mul(xf.ge(p.threat().upper())).add(wk.lt(0.0).mul(xf.le(p.threat().lower())));
            wk = wk.mul(blocked.neg().add(1.0));
            Tensor fk = zl.sub(zl.mul(onehot).sum(new int[] {1}, true));             // [n', K]
            Tensor wn = linf ? wk.abs().sum(new int[] {2}, false) : wk.square().sum(new int[] {2}, false).sqrt();
            Tensor dist = fk.abs().div(wn.maximum(1e-12));
            Tensor excluded = sp.targeted() ? F.oneHot(sp.classes(), k, zl.dtype()).neg().add(1.0) : onehot;
            dist = dist.add(excluded.mul(1e30));
            Tensor sel = F.oneHot(dist.argmin(1), k, zl.dtype());
            Tensor wl = wk.mul(sel.reshape(na, k, 1)).sum(new int[] {1}, false);     // [n', D]
            Tensor fl = fk.mul(sel).sum(new int[] {1}, false).abs();
            Tensor r = linf ? wl.sign().mul(fl.div(wl.abs().sum(new int[] {1}, false).maximum(1e-12)).reshape(na, 1))
                    : wl.mul(fl.div(wl.square().sum(new int[] {1}, false).maximum(1e-24)).reshape(na, 1));
            total = total.add(r.reshape(x.shape()));
            x = Projections.clipToBox(sp.x().add(total.mul(1 + overshoot)), p.threat());
            out = Rows.put(out, idx, x, null);
            for (int i : idx) iters[i]++;
        }
        return new Outcome(out, iters);
    }
}

package dev.brink.robust.attack;

import dev.brink.engine.Autograd;
import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.RandomKind;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The fast adaptive boundary attack, FAB (Croce and Hein, ICML 2020), in L-inf, L2 or L1, as the AutoAttack
 * evaluation of Croce and Hein runs it ({@code fab} and {@code fab-t}). A minimum-distance attack: it looks for
 * the adversarial point closest to the input.
 *
 * <p>Each iteration linearizes the classifier at the iterate x' (logits and per-class Jacobian rows: one forward,
 * K backward passes) and picks the linearized decision boundary {@code f_j + g_j . (x - x') = 0}, with
 * {@code f_j = z_j - z_y} and {@code g_j} its gradient, of least distance {@code |f_j| / ||g_j||_q} (q the dual
 * norm). It then projects both x' and the clean input x onto that hyperplane inside the box
 * ({@link HyperplaneProjection}: steps d1 and d2) and moves to
 * <pre>
 *   x' &lt;- clip((x' + eta d1)(1 - alpha) + (x + eta d2) alpha),   alpha = min(||d1|| / (||d1|| + ||d2||), alpha-max)
 * </pre>
 * (the bias toward the clean input keeps the iterate near it). An iterate that is adversarial is remembered if it
 * is the closest so far and pulled back toward the input, {@code x' <- x + beta (x' - x)}. All {@code steps}
 * iterations run (there is no early stop: the attack keeps shrinking the perturbation). On a linear classifier,
 * with the nearest boundary point inside the box, the iterates stay on the segment to that point and the defaults
 * end at 1.0052 times the exact distance (the best adversarial iterate of the recursion above); eta close to 1 gives
 * the exact distance.
 *
 * <p>Runs, as in the reference: the first run starts at the input; each of the {@code restarts - 1} further runs
 * starts at a random point at distance {@code start-scale * eps} in the attack's norm (a uniform [-1, 1] vector
 * scaled to unit L-inf norm, or a Gaussian vector scaled to unit L2 or L1 norm), clipped to the box, and attacks
 * only the points not yet broken. (The reference's radius is {@code 0.5 min(best distance so far, eps)}, and each
 * run starts with no distance found, so it is {@code 0.5 eps}.) With {@code targets} T > 0 (registered as {@code fab-t}, T = 9) the untargeted goal is pursued
 * through targeted runs: for each of the T most likely classes other than the label (by the clean logits, highest
 * first; at most K - 1), {@code restarts} runs whose hyperplane is {@code z_t - z_y = 0} alone (one backward pass
 * per iteration), on the points not yet broken; success is still any misclassification. With a targeted goal
 * (given targets or the least-likely class; an extension, AutoAttack has none) every run aims at the goal's class
 * t and {@code targets} is not used: reaching t needs {@code z_k <= z_t} for every k, and each iteration takes the
 * most violated of these boundaries by signed distance {@code (z_k - z_t) / ||g_k - g_t||_q} (K backward passes).
 * Single-hyperplane steps can circle where two such boundaries meet at a narrow angle, so a targeted goal is not
 * always reached (success is reported as found).
 *
 * <p>Returned points, as AutoAttack counts them: a point whose closest adversarial point is within eps (in the
 * threat model's norm) gets it; any other point is returned clean (so the projection onto the eps ball in
 * {@link Attack#run} never turns a far adversarial point into a near non-adversarial one). Points the model already
 * gets wrong (or, targeted, already assigns to the target) are returned unchanged and count as broken. The
 * norms of the successful points in the {@link AttackResult} are the minimal perturbations found; give eps large
 * to measure them for every point.
 *
 * <p>Options (Croce and Hein's defaults): {@code norm} (empty: the threat model's), {@code steps} 100,
 * {@code restarts} 1, {@code alpha-max} 0.1, {@code eta} 1.05, {@code beta} 0.9, {@code targets} 0 ({@code fab-t}:
 * 9), {@code start-scale} 0.5. Inputs {@code [N, ...]} in the box; labels int32 {@code [N]}. Samples must be
 * independent in the model (eval mode).
 */
public final class FastAdaptiveBoundary extends Attack {
    static final List<Attacks.Option> OPTIONS = options("0");
    static final List<Attacks.Option> OPTIONS_TARGETED = options("9");

    private static List<Attacks.Option> options(String targets) {
        return List.of(
                new Attacks.Option("norm", "", "linf, l2 or l1 (empty: the threat model's norm)"),
                new Attacks.Option("steps", "100", "iterations per run"),
                new Attacks.Option("restarts", "1", "runs (per target); runs after the first start at random and attack only points not yet broken"),
                new Attacks.Option("alpha-max", "0.1", "largest weight of the step taken from the clean input"),
                new Attacks.Option("eta", "1.05", "overshoot: the projection steps are scaled by eta"),
                new Attacks.Option("beta", "0.9", "backward step: an adversarial iterate is pulled to x + beta (x' - x)"),
                new Attacks.Option("targets", targets, "0: untargeted runs; T > 0: targeted runs at the T most likely non-true classes"),
                new Attacks.Option("start-scale", "0.5", "distance of the random starts of restarts, as a fraction of eps"));
    }

    private final Norm norm;
    private final int steps, restarts, targets;
    private final double alphaMax, eta, beta, startScale;

    /**
     * @param norm the norm to minimize, or null for the threat model's
     * @param steps iterations per run (>= 1)
     * @param restarts runs per target (>= 1)
     * @param alphaMax largest weight of the step from the clean input, in [0, 1]
     * @param eta overshoot of the projection steps (>= 1)
     * @param beta backward step factor, in (0, 1]
     * @param targets 0 for untargeted runs, else the number of most likely non-true classes to target in turn
     * @param startScale random-start distance of restarts as a fraction of eps (>= 0)
     */
    public FastAdaptiveBoundary(Norm norm, int steps, int restarts, double alphaMax, double eta, double beta, int targets, double startScale) {
        String n = targets > 0 ? "fab-t" : "fab";
        if (norm != null && !EnumSet.of(Norm.LINF, Norm.L2, Norm.L1).contains(norm))
            throw new IllegalArgumentException(n + ": option norm must be linf, l2 or l1, got " + norm.label());
        if (steps < 1) throw new IllegalArgumentException(n + ": option steps must be >= 1, got " + steps);
        if (restarts < 1) throw new IllegalArgumentException(n + ": option restarts must be >= 1, got " + restarts);
        if (!(alphaMax >= 0 && alphaMax <= 1)) throw new IllegalArgumentException(n + ": option alpha-max must be in [0, 1], got " + alphaMax);
        if (!(eta >= 1) || Double.isInfinite(eta)) throw new IllegalArgumentException(n + ": option eta must be finite and >= 1, got " + eta);
        if (!(beta > 0 && beta <= 1)) throw new IllegalArgumentException(n + ": option beta must be in (0, 1], got " + beta);
        if (targets < 0) throw new IllegalArgumentException(n + ": option targets must be >= 0, got " + targets);
        if (!(startScale >= 0) || Double.isInfinite(startScale))
            throw new IllegalArgumentException(n + ": option start-scale must be finite and >= 0, got " + startScale);
        this.norm = norm;
        this.steps = steps;
        this.restarts = restarts;
        this.alphaMax = alphaMax;
        this.eta = eta;
        this.beta = beta;
        this.targets = targets;
        this.startScale = startScale;
    }

    static FastAdaptiveBoundary fromOptions(Attacks.Options o) {
        return new FastAdaptiveBoundary(o.has("norm") ? o.norm("norm") : null, o.integer("steps"), o.integer("restarts"), o.real("alpha-max"),
                o.real("eta"), o.real("beta"), o.integer("targets"), o.real("start-scale"));
    }

    @Override
    public String name() {
        return (targets > 0 ? "fab-t" : "fab") + (norm == null ? "" : "-" + norm.label());
    }

    @Override
    public Set<Norm> supportedNorms() {
        return norm == null ? EnumSet.of(Norm.LINF, Norm.L2, Norm.L1) : EnumSet.of(norm);
    }

    /**
     * How a run picks its hyperplane: the nearest boundary of another class against the label (untargeted), one
     * target against the label (AutoAttack's targeted runs), or the most violated boundary against a goal's target.
     */
    private enum Mode { UNTARGETED, TARGET_VS_LABEL, TARGET_GOAL }

    @Override
    protected Outcome perturb(Problem p) {
        Tensor x0 = p.x();
        int n = x0.size(0);
        Tensor z0;
        try (GradMode.Scope s = GradMode.noGrad()) {
            z0 = p.model().logits(x0);
        }
        boolean[] done = succeeded(z0, p);
        int[] iters = new int[n];
        Tensor out = x0;
        if (p.targeted()) {
            int[] t = p.classes().toIntArray();
            for (int r = 0; r < restarts; r++) out = runOnRemaining(p, out, done, Mode.TARGET_GOAL, t, r > 0, iters);
        } else if (targets == 0) {
            for (int r = 0; r < restarts; r++) out = runOnRemaining(p, out, done, Mode.UNTARGETED, null, r > 0, iters);
        } else {
            int k = z0.size(1);
            int[][] ranked = rankedOtherClasses(z0.toDoubleArray(), p.labels().toIntArray(), k);
            for (int j = 0; j < Math.min(targets, k - 1); j++) {
                int[] t = new int[n];
                for (int i = 0; i < n; i++) t[i] = ranked[i][j];
                for (int r = 0; r < restarts; r++) out = runOnRemaining(p, out, done, Mode.TARGET_VS_LABEL, t, r > 0, iters);
            }
        }
        return new Outcome(out, iters);
    }

    /** Per sample, the classes other than the label by decreasing clean logit (ties: lower class first). */
    static int[][] rankedOtherClasses(double[] logits, int[] labels, int k) {
        int n = labels.length;
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            final int row = i;
            out[i] = java.util.stream.IntStream.range(0, k).filter(c -> c != labels[row]).boxed()
                    .sorted((a, b) -> Double.compare(logits[row * k + b], logits[row * k + a]))
                    .mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /**
     * One run on the points not yet {@code done}; where it finds an adversarial point within eps, that point
     * replaces the row of {@code out} and the point is done.
     */
    private Tensor runOnRemaining(Problem p, Tensor out, boolean[] done, Mode mode, int[] target, boolean randomStart, int[] iters) {
        boolean[] open = new boolean[done.length];
        for (int i = 0; i < done.length; i++) open[i] = !done[i];
        int[] idx = Rows.where(open);
        if (idx.length == 0) return out;
        int[] t = null;
        if (target != null) {
            t = new int[idx.length];
            for (int j = 0; j < idx.length; j++) t[j] = target[idx[j]];
        }
        Run run = singleRun(Rows.select(p, idx), mode, t, randomStart);
        boolean[] within = new boolean[idx.length];
        for (int j = 0; j < idx.length; j++) {
            iters[idx[j]] += steps;
            within[j] = run.norms[j] <= p.threat().eps();
            if (within[j]) done[idx[j]] = true;
        }
        return Rows.put(out, idx, run.best, within);
    }

    /** A run's result: the closest adversarial point per row (the input where none) and its norm (infinite where none). */
    private record Run(Tensor best, double[] norms) {}

    /** Croce and Hein's single run of FAB on every row of {@code p}. */
    private Run singleRun(Problem p, Mode mode, int[] target, boolean randomStart) {
        Norm nm = p.threat().norm();
        double lo = p.threat().lower(), hi = p.threat().upper();
        Tensor x0 = p.x();
        int n = x0.size(0);
        int[] shape = x0.shape();
        Tensor x0f = x0.reshape(n, -1);
        Tensor x1 = randomStart ? randomStart(x0, p) : x0;
        Tensor best = x0;
        double[] bestNorm = new double[n];
        Arrays.fill(bestNorm, Double.POSITIVE_INFINITY);
        int[] all = Rows.all(n);
        for (int it = 0; it < steps; it++) {
            Tensor[] plane = hyperplane(p, x1, mode, target);                 // w [n, D], f [n]
            try (GradMode.Scope s = GradMode.noGrad()) {
                Tensor w = plane[0], x1f = x1.reshape(n, -1);
                Tensor b = w.mul(x1f).sum(new int[] {1}, false).sub(plane[1]);
                Tensor d = HyperplaneProjection.project(Tensor.concat(0, x1f, x0f), Tensor.concat(0, w, w), Tensor.concat(0, b, b), nm, lo, hi);
                Tensor d1 = d.slice(0, 0, n), d2 = d.slice(0, n, 2 * n);
                Tensor a = Projections.norm(d, nm).maximum(1e-8);
                Tensor a1 = a.slice(0, 0, n), a2 = a.slice(0, n, 2 * n);
                Tensor alpha = a1.div(a1.add(a2)).clamp(0, alphaMax).reshape(n, 1);
                Tensor next = x1f.add(d1.mul(eta)).mul(alpha.neg().add(1.0)).add(x0f.add(d2.mul(eta)).mul(alpha));
                x1 = next.clamp(lo, hi).reshape(shape);
                boolean[] adv = succeeded(p.model().logits(x1), p);
                double[] dist = Projections.norm(x1.sub(x0), nm).toDoubleArray();
                boolean[] closer = new boolean[n];
                for (int i = 0; i < n; i++) {
                    if (adv[i] && dist[i] < bestNorm[i]) {
                        closer[i] = true;
                        bestNorm[i] = dist[i];
                    }
                }
                best = Rows.put(best, all, x1, closer);
                Tensor back = x0.add(x1.sub(x0).mul(beta));
                x1 = Tensor.where(Rows.mask(x1, adv), back, x1);
            }
        }
        return new Run(best, bestNorm);
    }

    /** A random start at distance {@code start-scale * eps} from the input in the threat norm, clipped to the box. */
    private Tensor randomStart(Tensor x0, Problem p) {
        Norm nm = p.threat().norm();
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor dir = nm == Norm.LINF
                    ? Tensor.random(x0.backend(), RandomKind.UNIFORM, p.gen(), x0.dtype(), x0.shape()).mul(2.0).sub(1.0)
                    : Tensor.random(x0.backend(), RandomKind.NORMAL, p.gen(), x0.dtype(), x0.shape());
            Tensor unit = dir.div(Projections.perSample(Projections.norm(dir, nm).maximum(1e-12), dir));
            return Projections.clipToBox(x0.add(unit.mul(startScale * p.threat().eps())), p.threat());
        }
    }

    /**
     * The linearized boundary the iteration at x1 aims for, per row: its normal {@code w [n, D]} and its value
     * {@code f [n]} at x1 (the hyperplane is {@code f + w . (x - x1) = 0}).
     */
    private static Tensor[] hyperplane(Problem p, Tensor x1, Mode mode, int[] target) {
        int n = x1.size(0);
        if (mode == Mode.TARGET_VS_LABEL) { // AutoAttack's targeted FAB: z_t - z_y alone, one backward pass
            Tensor xv = x1.detach().requiresGrad(true);
            try (GradMode.Scope s = GradMode.enableGrad()) {
                Tensor z = p.model().logits(xv);
                int k = z.size(1);
                Tensor sel = F.oneHot(Rows.index(z, target), k, z.dtype()).sub(F.oneHot(p.labels(), k, z.dtype()));
                Tensor f = z.mul(sel).sum(new int[] {1}, false);
                Tensor g = Autograd.grad(f.sum(), xv)[0];
                return new Tensor[] {g.detach().reshape(n, -1), f.detach()};
            }
        }
        Tensor[] z = new Tensor[1];
        Tensor jac = Derivatives.jacobianRows(v -> z[0] = p.model().logits(v), x1, false);   // [K, n, ...]
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor zl = z[0].detach();
            int k = zl.size(1);
            Tensor g = jac.reshape(k, n, -1).permute(1, 0, 2).contiguous();                   // [n, K, D]
            // the reference class r: the label (untargeted) or the target (a targeted goal)
            Tensor own = F.oneHot(mode == Mode.UNTARGETED ? p.labels() : Rows.index(zl, target), k, zl.dtype());
            Tensor df = zl.sub(zl.mul(own).sum(new int[] {1}, true));                         // z_k - z_r
            Tensor dg = g.sub(g.mul(own.reshape(n, k, 1)).sum(new int[] {1}, true));
            Tensor dual = switch (p.threat().norm()) {
                case LINF -> dg.abs().sum(new int[] {2}, false);
                case L2 -> dg.square().sum(new int[] {2}, false).sqrt();
                default -> dg.abs().amax(new int[] {2}, false);
            };
            Tensor pick;
            if (mode == Mode.UNTARGETED) { // the nearest boundary of another class (r's own never)
                Tensor dist = df.abs().div(dual.add(1e-12)).add(own.mul(1e30));
                pick = F.oneHot(dist.argmin(1), k, zl.dtype());
            } else { // every z_k <= z_t must hold: the most violated by signed distance (else the nearest to it)
                Tensor signed = df.div(dual.add(1e-12)).sub(own.mul(1e30));
                pick = F.oneHot(signed.argmax(1), k, zl.dtype());
            }
            Tensor w = dg.mul(pick.reshape(n, k, 1)).sum(new int[] {1}, false);
            Tensor f = df.mul(pick).sum(new int[] {1}, false);
            return new Tensor[] {w, f};
        }
    }
}

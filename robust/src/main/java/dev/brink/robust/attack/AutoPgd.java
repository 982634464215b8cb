package dev.brink.robust.attack;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.TensorScope;
import dev.brink.engine.backend.RandomKind;
import dev.brink.engine.op.Loss;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Auto-PGD (Croce and Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble of diverse
 * parameter-free attacks"), with the constants of their AutoAttack reference runs: projected gradient ascent whose
 * step size needs no tuning. Registered as {@code apgd} (untargeted, cross-entropy) and {@code apgd-t} (APGD-T: the
 * targeted DLR loss toward each of the 9 most likely other classes in turn).
 *
 * <p><b>L-inf and L2.</b> A random start on the sphere of radius eps (L-inf: a uniform draw in [-1, 1] scaled so its
 * largest coordinate is eps; L2: a Gaussian draw scaled to L2 length eps; then clipped to the box). The step size
 * starts at {@code 2 eps}, one per sample. Each iteration takes the steepest step of the current size (sign of the
 * gradient for L-inf, the unit-L2 gradient for L2), projects onto the ball and box giving z, and mixes in momentum:
 * {@code x <- P(x + m (z - x) + (1 - m) (x - x_prev))} with {@code m = momentum} (0.75; the first step is z itself).
 * The step size is checked at the checkpoints {@code w_j = ceil(p_j N)}, {@code p_0 = 0, p_1 = 0.22,
 * p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06)} (see {@link #checkpoints}); a sample's step is halved there, and
 * it restarts from its best point (with that point's gradient), when
 * <ol>
 *   <li>at most {@code rho} (0.75) of the steps since the last checkpoint increased its loss (the reference counts
 *       "at most" where the paper writes "below"; the first period compares the first iterate with the start), or</li>
 *   <li>its step was not halved at the last checkpoint and its best loss has not risen since (never at the first
 *       checkpoint, as in the reference).</li>
 * </ol>
 *
 * <p><b>L1</b> (Croce and Hein 2021, "Mind the box", the reference's L1 APGD): the start is a Gaussian draw projected
 * onto the L1 ball intersected with the box ({@link #projectL1Box}, the exact projection, which the iterates use too);
 * each step moves the sign of the gradient on its largest {@code k} coordinates ({@code k} starts at 20% of them),
 * scaled to L1 length {@code step} (starting at eps, no momentum). Every {@code max(floor(0.04 N), 1)} iterations
 * {@code k} becomes the number of nonzero coordinates of the best point over 1.5; where that count fell by more than
 * 5% since the last check the step returns to eps and the sample restarts from its best point, elsewhere the step
 * is divided by 1.5, never below eps / 10. {@code rho} and {@code momentum} do not apply. (AutoAttack's standard L1
 * evaluation also runs it on a 3 eps, 2 eps, eps schedule of radii, which this class does not.)
 *
 * <p><b>Bookkeeping.</b> Per iteration one forward and one backward pass on the samples under attack per EOT draw
 * ({@code eot-iter}: the gradient and the loss are averaged over that many passes, for randomized models); the
 * forward pass gives the loss and the prediction. A sample counts as broken as soon as an iterate succeeds (leaves
 * the label; reaches the target for a targeted goal), and then the last successful iterate is kept; otherwise the
 * highest-loss iterate over all runs is returned. One clean forward pass first finds the samples already broken
 * (left unchanged) and, for APGD-T, the target order; restarts and targets after the first attack only the samples
 * not broken yet. Model calls: {@code 1 + runs * (steps + 1) * eot-iter}, a run being one restart (of one target),
 * skipped once every sample is broken. Per-sample state (step sizes, counters) lives on the model's backend.
 *
 * <p><b>Losses.</b> {@code ce}: cross-entropy of the label; {@code dlr}: {@link DlrLoss#untargeted} (K >= 3
 * classes). With a targeted goal ({@link Goal#targeted}, or least-likely) the attack ascends the targeted loss
 * toward the goal's classes: minus the target's cross-entropy, or {@link DlrLoss#targeted} (K >= 4). APGD-T
 * ({@code targets > 0}, untargeted goal) runs, for each of the {@code targets} classes other than the label with the
 * highest clean logits (highest first), a targeted APGD on the samples not yet broken, and success is untargeted
 * misclassification; it needs {@code targets <= K - 1}. With a targeted goal, {@code targets} does not apply.
 *
 * <p>Inputs {@code [N, ...]} in the box; labels int32 {@code [N]}; every random draw comes from the problem's
 * {@link Generator}.
 */
public final class AutoPgd extends Attack {
    /** The loss ascended: cross-entropy or Croce and Hein's difference of logits ratio (targeted variants for targeted runs). */
    public enum Objective {
        CE, DLR
    }

    /**
     * Configuration.
     *
     * @param norm the ball (null: whichever of L-inf, L2, L1 the threat model names)
     * @param loss the loss to ascend
     * @param steps iterations per run (100)
     * @param restarts random restarts per target (1)
     * @param rho the fraction of increasing steps below which the step is halved (0.75; L-inf and L2)
     * @param momentum the weight m of the new projected step, 1 - m that of the previous displacement (0.75; L-inf and L2)
     * @param eotIter forward/backward passes averaged per iteration (1)
     * @param targets 0: untargeted; otherwise APGD-T over this many most likely other classes (9)
     */
    public record Config(Norm norm, Objective loss, int steps, int restarts, double rho, double momentum, int eotIter, int targets) {
        public Config {
            if (norm != null && !EnumSet.of(Norm.LINF, Norm.L2, Norm.L1).contains(norm))
                throw new IllegalArgumentException("apgd: option norm must be linf, l2 or l1, got " + norm.label());
            if (loss == null) throw new IllegalArgumentException("apgd: option loss is missing");
            if (steps < 1) throw new IllegalArgumentException("apgd: option steps must be >= 1, got " + steps);
            if (restarts < 1) throw new IllegalArgumentException("apgd: option restarts must be >= 1, got " + restarts);
            if (!(rho >= 0 && rho <= 1)) throw new IllegalArgumentException("apgd: option rho must be in [0, 1], got " + rho);
            if (!(momentum > 0 && momentum <= 1)) throw new IllegalArgumentException("apgd: option momentum must be in (0, 1], got " + momentum);
            if (eotIter < 1) throw new IllegalArgumentException("apgd: option eot-iter must be >= 1, got " + eotIter);
            if (targets < 0) throw new IllegalArgumentException("apgd: option targets must be >= 0, got " + targets);
        }
    }

    /** Options of {@code apgd}: untargeted, cross-entropy. */
    static final List<Attacks.Option> OPTIONS = options("ce", "0");
    /** Options of {@code apgd-t}: 9 target classes, targeted DLR. */
    static final List<Attacks.Option> TARGETED_OPTIONS = options("dlr", "9");

    private static List<Attacks.Option> options(String loss, String targets) {
        return List.of(
                new Attacks.Option("norm", "", "linf, l2 or l1 (empty: the threat model's norm)"),
                new Attacks.Option("loss", loss, "ce (cross-entropy) or dlr (difference of logits ratio, Croce and Hein); targeted forms toward targets"),
                new Attacks.Option("steps", "100", "iterations per run"),
                new Attacks.Option("restarts", "1", "random restarts (per target class), on samples not yet broken"),
                new Attacks.Option("rho", "0.75", "halve the step when at most this fraction of steps since the last checkpoint raised the loss (linf, l2)"),
                new Attacks.Option("momentum", "0.75", "weight of the new projected step; 1 - momentum weights the previous displacement (linf, l2)"),
                new Attacks.Option("eot-iter", "1", "gradients averaged per iteration (expectation over transformation, randomized models)"),
                new Attacks.Option("targets", targets, "0: untargeted; else APGD-T over this many most likely other classes"));
    }

    static AutoPgd fromOptions(Attacks.Options o) {
        Objective loss = o.choice("loss", "ce", "dlr").equals("ce") ? Objective.CE : Objective.DLR;
        return new AutoPgd(new Config(o.has("norm") ? o.norm("norm") : null, loss, o.integer("steps"), o.integer("restarts"), o.real("rho"),
                o.real("momentum"), o.integer("eot-iter"), o.integer("targets")));
    }

    private final Config config;
    private List<double[]> stepTrace = new ArrayList<>();

    public AutoPgd(Config config) {
        if (config == null) throw new IllegalArgumentException("apgd: config is missing");
        this.config = config;
    }

    /** The configuration. */
    public Config config() {
        return config;
    }

    @Override
    public String name() {
        String base = config.targets() > 0 ? "apgd-t" : "apgd";
        return config.norm() == null ? base : base + "-" + config.norm().label();
    }

    @Override
    public Set<Norm> supportedNorms() {
        return config.norm() == null ? EnumSet.of(Norm.LINF, Norm.L2, Norm.L1) : EnumSet.of(config.norm());
    }

    /**
     * The L-inf/L2 checkpoints for {@code steps} iterations: the iteration counts (1-based, increasing, at most
     * steps) after which the step size is checked. As the reference computes them: the first period is
     * {@code max(floor(0.22 N), 1)} iterations, each next one {@code max(floor(0.03 N), 1)} shorter but at least
     * {@code max(floor(0.06 N), 1)}. For N a multiple of 100 this is {@code ceil(p_j N)} of the class comment
     * (22, 41, 57, 70, 80, 87, 93, 99 for N = 100).
     */
    public static int[] checkpoints(int steps) {
        if (steps < 1) throw new IllegalArgumentException("apgd: steps must be >= 1, got " + steps);
        int period = Math.max((int) (0.22 * steps), 1), shrink = Math.max((int) (0.03 * steps), 1), least = Math.max((int) (0.06 * steps), 1);
        List<Integer> at = new ArrayList<>();
        for (int w = period; w <= steps; w += period) {
            at.add(w);
            period = Math.max(period - shrink, least);
        }
        return at.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The L1 check period for {@code steps} iterations: {@code max(floor(0.04 N), 1)} (the reference's L1 APGD). */
    public static int l1Period(int steps) {
        return Math.max((int) (0.04 * steps), 1);
    }

    /**
     * The step size of each attacked sample after each checkpoint of the last run's first restart (of its first
     * target): {@code [checkpoint][sample]}, in the threat norm's units, the samples in batch order among those
     * attacked (all of them unless some were misclassified clean).
     */
    public double[][] lastStepSizes() {
        double[][] out = new double[stepTrace.size()][];
        for (int c = 0; c < out.length; c++) out[c] = stepTrace.get(c).clone();
        return out;
    }

    @Override
    protected Outcome perturb(Problem p) {
        int n = p.x().size(0);
        int[] iters = new int[n];
        stepTrace = new ArrayList<>();
        if (p.threat().eps() == 0) return new Outcome(p.x(), iters);
        Tensor clean;
        try (GradMode.Scope s = GradMode.noGrad()) {
            clean = p.model().logits(p.x());
        }
        int classes = clean.size(1);
        boolean byRank = !p.targeted() && config.targets() > 0;
        if (byRank && config.targets() > classes - 1)
            throw new IllegalArgumentException(name() + ": targets = " + config.targets() + " needs at least " + (config.targets() + 1)
                    + " classes (targets <= K - 1), but the model has " + classes);
        if (config.loss() == Objective.DLR) DlrLoss.requireClasses(name(), classes, byRank || p.targeted());
        boolean[] done = succeeded(clean, p);
        int[][] ranked = byRank ? otherClassesByLogit(clean, p.labels(), config.targets()) : null;
        Tensor adv = p.x();
        double[] bestLoss = new double[n];
        Arrays.fill(bestLoss, Double.NEGATIVE_INFINITY);
        boolean first = true;
        for (int r = 0; r < (byRank ? config.targets() : 1); r++) {
            for (int s = 0; s < config.restarts(); s++) {
                boolean[] open = new boolean[n];
                for (int i = 0; i < n; i++) open[i] = !done[i];
                int[] idx = Rows.where(open);
                if (idx.length == 0) continue;
                Problem sp = Rows.select(p, idx);
                Tensor targets = null;
                if (byRank) {
                    int[] t = new int[idx.length];
                    for (int j = 0; j < idx.length; j++) t[j] = ranked[idx[j]][r];
                    targets = Rows.index(sp.x(), t);
                } else if (p.targeted()) {
                    targets = sp.classes();
                }
                Run run = attackOnce(sp, targets, first);
                first = false;
                boolean[] better = new boolean[idx.length];
                for (int j = 0; j < idx.length; j++) {
                    int i = idx[j];
                    iters[i] += config.steps();
                    if (run.broken()[j]) {
                        done[i] = true;
                    } else if (run.loss()[j] > bestLoss[i]) {
                        bestLoss[i] = run.loss()[j];
                        better[j] = true;
                    }
                }
                adv = Rows.put(adv, idx, run.best(), better);
                adv = Rows.put(adv, idx, run.adversarial(), run.broken());
            }
        }
        return new Outcome(adv, iters);
    }

    /** Per sample, the {@code count} classes other than its label in decreasing order of the clean logit. */
    private static int[][] otherClassesByLogit(Tensor logits, Tensor labels, int count) {
        int n = logits.size(0), k = logits.size(1);
        int[] order = logits.argsort(1, true).toIntArray(), y = labels.toIntArray();
        int[][] out = new int[n][count];
        for (int i = 0; i < n; i++) {
            for (int j = 0, c = 0; j < k && c < count; j++) {
                int cls = order[i * k + j];
                if (cls != y[i]) out[i][c++] = cls;
            }
        }
        return out;
    }

    /** One run's outcome per sample: the highest-loss iterate and its loss, the last successful iterate, and whether any succeeded. */
    private record Run(Tensor best, double[] loss, Tensor adversarial, boolean[] broken) {}

    /** Loss {@code [n]}, gradient {@code [n, ...]} (both averaged over the EOT passes) and success mask {@code [n]} (x's dtype) at an iterate. */
    private record Eval(Tensor loss, Tensor grad, Tensor success) {}

    /** One APGD run on a sub-problem; {@code targets} are the classes the loss aims at (null: the untargeted loss). */
    private Run attackOnce(Problem sp, Tensor targets, boolean trace) {
        try (GradMode.Scope g = GradMode.noGrad()) {
            return sp.threat().norm() == Norm.L1 ? runL1(sp, targets, trace) : runLinfL2(sp, targets, trace);
        }
    }

    private Run runLinfL2(Problem sp, Tensor targets, boolean trace) {
        ThreatModel t = sp.threat();
        boolean linf = t.norm() == Norm.LINF;
        double eps = t.eps(), m = config.momentum();
        Tensor x0 = sp.x();
        int n = x0.size(0);
        Tensor x = randomStart(x0, t, sp.gen());
        Eval e = evaluate(sp, x, targets);
        Tensor grad = e.grad(), xPrev = x;
        Tracker track = new Tracker(x, grad, e);
        Tensor lastLoss = e.loss(), increases = e.loss().zerosLike();
        Tensor step = Tensor.full(x0.backend(), x0.dtype(), 2 * eps, n);
        Tensor reducedAtLast = e.loss().onesLike(), bestAtLast = track.bestLoss;
        int[] checks = checkpoints(config.steps());
        int c = 0;
        try (TensorScope loop = TensorScope.open()) {
            for (int i = 0; i < config.steps(); i++) {
                Tensor moved = linf ? x.add(grad.sign().mul(Projections.perSample(step, x)))
                        : x.add(grad.mul(Projections.perSample(step.div(F.l2Norm(grad).add(1e-12)), x)));
                Tensor z = project(moved, x0, t);
                Tensor next = i == 0 || m == 1 ? z : project(x.add(z.sub(x).mul(m)).add(x.sub(xPrev).mul(1 - m)), x0, t);
                xPrev = x;
                x = next;
                e = evaluate(sp, x, targets);
                grad = e.grad();
                track.update(x, grad, e);
                increases = increases.add(e.loss().gt(lastLoss));
                lastLoss = e.loss();
                if (c < checks.length && i + 1 == checks[c]) {
                    int period = checks[c] - (c == 0 ? 0 : checks[c - 1]);
                    Tensor oscillating = increases.le(config.rho() * period);
                    Tensor stalled = reducedAtLast.neg().add(1.0).mul(bestAtLast.ge(track.bestLoss));
                    Tensor reduce = oscillating.maximum(stalled), rows = Projections.perSample(reduce, x);
                    step = step.mul(reduce.mul(-0.5).add(1.0));
                    x = Tensor.where(rows, track.best, x);
                    grad = Tensor.where(rows, track.bestGrad, grad);
                    reducedAtLast = reduce;
                    bestAtLast = track.bestLoss;
                    increases = increases.zerosLike();
                    if (trace) stepTrace.add(step.toDoubleArray());
                    c++;
                }
                // the next iteration reuses the memory of this one's temporaries and of the iterates it replaced
                loop.releaseExcept(track.live(x, xPrev, grad, increases, lastLoss, step, reducedAtLast, bestAtLast));
            }
            Run run = track.finish();
            loop.keep(run.best(), run.adversarial());
            return run;
        }
    }

    private Run runL1(Problem sp, Tensor targets, boolean trace) {
        ThreatModel t = sp.threat();
        double eps = t.eps();
        Tensor x0 = sp.x();
        int n = x0.size(0), dim = x0.numel() / n;
        Tensor x = randomStart(x0, t, sp.gen());
        Eval e = evaluate(sp, x, targets);
        Tensor grad = e.grad();
        Tracker track = new Tracker(x, grad, e);
        double[] step = new double[n], fraction = new double[n], lastNonzero = new double[n];
        Arrays.fill(step, eps);
        Arrays.fill(fraction, 0.2);
        Arrays.fill(lastNonzero, dim);
        Tensor stepT = x0.newTensor(step, n), rank = rankIndex(x0, fraction, dim);
        int period = l1Period(config.steps());
        try (TensorScope loop = TensorScope.open()) {
            for (int i = 0; i < config.steps(); i++) {
                Tensor flat = grad.reshape(n, dim);
                Tensor threshold = flat.abs().sort(1, false).gather(1, rank);
                Tensor dir = flat.mul(flat.abs().ge(threshold)).sign();
                Tensor count = dir.abs().sum(new int[] {1}, false).add(1e-10);
                Tensor moved = x.add(dir.mul(stepT.div(count).reshape(n, 1)).reshape(x.shape()));
                x = x0.add(projectL1Box(x0, moved.sub(x0), eps, t.lower(), t.upper()));
                e = evaluate(sp, x, targets);
                grad = e.grad();
                track.update(x, grad, e);
                if ((i + 1) % period == 0) {
                    double[] nonzero = Projections.norm(track.best.sub(x0), Norm.L0).toDoubleArray();
                    boolean[] reset = new boolean[n];
                    for (int j = 0; j < n; j++) {
                        reset[j] = nonzero[j] / lastNonzero[j] < 0.95;
                        fraction[j] = nonzero[j] / dim / 1.5;
                        step[j] = Math.min(Math.max(reset[j] ? eps : step[j] / 1.5, eps / 10), eps);
                        lastNonzero[j] = nonzero[j];
                    }
                    stepT = x0.newTensor(step, n);
                    rank = rankIndex(x0, fraction, dim);
                    Tensor rows = Rows.mask(x, reset);
                    x = Tensor.where(rows, track.best, x);
                    grad = Tensor.where(rows, track.bestGrad, grad);
                    if (trace) stepTrace.add(stepT.toDoubleArray());
                }
                loop.releaseExcept(track.live(x, grad, stepT, rank));
            }
            Run run = track.finish();
            loop.keep(run.best(), run.adversarial());
            return run;
        }
    }

    /** int32 {@code [n, 1]}: the ascending rank {@code floor((1 - fraction) dim)} (clipped to [0, dim - 1]) whose |gradient| is the L1 step's threshold. */
    private static Tensor rankIndex(Tensor like, double[] fraction, int dim) {
        double[] r = new double[fraction.length];
        for (int j = 0; j < r.length; j++) r[j] = Math.min(Math.max((int) ((1 - fraction[j]) * dim), 0), dim - 1);
        return Tensor.fromHost(like.backend(), DType.INT32, r, r.length, 1);
    }

    /**
     * Per-sample bookkeeping of one run, the same for every norm: which samples an iterate has broken (and the last
     * breaking iterate), and the highest-loss iterate with its loss and gradient (where a halving restarts from).
     */
    private static final class Tracker {
        Tensor best, bestGrad, bestLoss, adv, broken;

        Tracker(Tensor x, Tensor grad, Eval e) {
            best = x;
            bestGrad = grad;
            bestLoss = e.loss();
            adv = x;
            broken = e.success();
        }

        /** The tensors this tracker holds, then {@code more}: what an iteration carries to the next. */
        Tensor[] live(Tensor... more) {
            Tensor[] all = Arrays.copyOf(more, more.length + 5);
            all[more.length] = best;
            all[more.length + 1] = bestGrad;
            all[more.length + 2] = bestLoss;
            all[more.length + 3] = adv;
            all[more.length + 4] = broken;
            return all;
        }

        void update(Tensor x, Tensor grad, Eval e) {
            broken = broken.maximum(e.success());
            adv = Tensor.where(Projections.perSample(e.success(), x), x, adv);
            Tensor up = e.loss().gt(bestLoss), upRows = Projections.perSample(up, x);
            best = Tensor.where(upRows, x, best);
            bestGrad = Tensor.where(upRows, grad, bestGrad);
            bestLoss = Tensor.where(up, e.loss(), bestLoss);
        }

        Run finish() {
            double[] b = broken.toDoubleArray();
            boolean[] out = new boolean[b.length];
            for (int j = 0; j < b.length; j++) out[j] = b[j] != 0;
            return new Run(best, bestLoss.toDoubleArray(), adv, out);
        }
    }

    /** The loss, gradient and success at x; the model's activations are released when it returns. */
    private Eval evaluate(Problem sp, Tensor x, Tensor targets) {
        try (TensorScope scope = TensorScope.open()) {
            Eval e = evaluateIn(sp, x, targets);
            scope.keep(e.loss(), e.grad(), e.success());
            return e;
        }
    }

    private Eval evaluateIn(Problem sp, Tensor x, Tensor targets) {
        Tensor grad = null, loss = null, logits = null;
        for (int k = 0; k < config.eotIter(); k++) {
            Tensor xv = x.detach().requiresGrad(true);
            try (GradMode.Scope g = GradMode.enableGrad()) {
                Tensor z = sp.model().logits(xv);
                Tensor l = loss(z, sp.labels(), targets);
                Tensor gr = Autograd.grad(l.sum(), xv)[0];
                logits = z.detach();
                grad = grad == null ? gr : grad.add(gr);
                loss = loss == null ? l.detach() : loss.add(l.detach());
            }
        }
        if (config.eotIter() > 1) {
            grad = grad.div(config.eotIter());
            loss = loss.div(config.eotIter());
        }
        Tensor pred = logits.argmax(1);
        Tensor success = (sp.targeted() ? pred.eq(sp.classes()) : pred.ne(sp.labels())).to(x.dtype());
        return new Eval(loss, grad, success);
    }

    /** The per-sample loss to increase; {@code targets} null for the untargeted loss of the labels. */
    private Tensor loss(Tensor logits, Tensor labels, Tensor targets) {
        if (config.loss() == Objective.DLR) return targets == null ? DlrLoss.untargeted(logits, labels) : DlrLoss.targeted(logits, labels, targets);
        if (targets == null) return F.crossEntropy(logits, labels, 0.0, Loss.Reduction.NONE);
        return F.crossEntropy(logits, targets, 0.0, Loss.Reduction.NONE).neg();
    }

    /** The reference's random start: on the eps sphere of L-inf or L2 (then clipped to the box), or a Gaussian draw projected onto the L1 ball and box. */
    private static Tensor randomStart(Tensor x0, ThreatModel t, Generator gen) {
        double eps = t.eps();
        Tensor r;
        switch (t.norm()) {
            case LINF -> {
                r = Tensor.random(x0.backend(), RandomKind.UNIFORM, gen, x0.dtype(), x0.shape()).mul(2.0).sub(1.0);
                r = r.div(Projections.perSample(F.linfNorm(r).add(1e-12), r));
            }
            case L2 -> {
                r = Tensor.random(x0.backend(), RandomKind.NORMAL, gen, x0.dtype(), x0.shape());
                r = r.div(Projections.perSample(F.l2Norm(r).add(1e-12), r));
            }
            case L1 -> {
                r = Tensor.random(x0.backend(), RandomKind.NORMAL, gen, x0.dtype(), x0.shape());
                return x0.add(projectL1Box(x0, r, eps, t.lower(), t.upper())).clamp(t.lower(), t.upper());
            }
            default -> throw new IllegalStateException("apgd: no random start for " + t.norm().label());
        }
        return x0.add(r.mul(eps)).clamp(t.lower(), t.upper());
    }

    /** The projection onto the ball and box of the L-inf and L2 steps (the engine's fused ops). */
    private static Tensor project(Tensor x, Tensor x0, ThreatModel t) {
        return t.norm() == Norm.LINF ? F.projectLinf(x, x0, t.eps(), t.lower(), t.upper()) : F.projectL2(x, x0, t.eps(), t.lower(), t.upper());
    }

    /**
     * The exact Euclidean projection of perturbations d {@code [n, ...]} onto the L1 ball of radius eps intersected
     * with the box, {@code {delta : ||delta||_1 <= eps, lo <= x0 + delta <= hi}} (Croce and Hein 2021): per
     * coordinate {@code sign(d) min(max(|d| - lambda, 0), c)}, with c the room in the box in d's direction and
     * {@code lambda >= 0} the smallest level at which the L1 norm is at most eps. lambda is found on the backend:
     * the L1 norm as a function of lambda is piecewise linear with breakpoints {@code |d| - c} and {@code |d|}; one
     * sort of the breakpoints and prefix sums locate its segment, and the segment's linear equation is then solved
     * from sums over the coordinates (which keeps float32 accurate). Returns the projected perturbation (shape of d).
     */
    static Tensor projectL1Box(Tensor x0, Tensor d, double eps, double lo, double hi) {
        int n = d.size(0), dim = d.numel() / n;
        Tensor y = d.reshape(n, dim), base = x0.reshape(n, dim);
        Tensor a = y.abs();
        Tensor room = y.gt(0.0).mul(base.neg().add(hi)).add(y.lt(0.0).mul(base.sub(lo)));
        Tensor low = a.sub(room);
        Tensor points = Tensor.concat(1, low, a);
        Tensor order = points.argsort(1, false);
        Tensor sorted = points.gather(1, order);
        Tensor marks = Tensor.concat(1, a.onesLike(), a.onesLike().neg()).gather(1, order);
        Tensor active = marks.cumsum(1); // coordinates strictly between their breakpoints, right of each sorted breakpoint
        Tensor total = room.sum(new int[] {1}, true); // the L1 norm left of every breakpoint: every coordinate at its room
        Tensor gaps = sorted.slice(1, 1, 2 * dim).sub(sorted.slice(1, 0, 2 * dim - 1));
        Tensor norms = Tensor.concat(1, total, total.sub(gaps.mul(active.slice(1, 0, 2 * dim - 1)).cumsum(1)));
        Tensor above = norms.gt(eps).sum(new int[] {1}, true); // the norm is nonincreasing: breakpoints [0, above) exceed eps
        Tensor seg = above.sub(1.0).maximum(0.0).to(DType.INT32);
        Tensor lambda = sorted.gather(1, seg).add(norms.gather(1, seg).sub(eps).div(active.gather(1, seg).maximum(1.0)));
        lambda = Tensor.where(above.gt(0.0), lambda, lambda.zerosLike());
        // refine: solve the linear equation of lambda's segment from sums over the coordinates
        Tensor inside = a.gt(lambda).mul(low.lt(lambda));
        Tensor capped = low.ge(lambda).mul(room);
        Tensor count = inside.sum(new int[] {1}, true);
        Tensor refined = inside.mul(a).sum(new int[] {1}, true).add(capped.sum(new int[] {1}, true)).sub(eps).div(count.maximum(1.0));
        lambda = Tensor.where(count.gt(0.0).mul(above.gt(0.0)), refined, lambda).maximum(0.0);
        Tensor out = y.sign().mul(a.sub(lambda).maximum(0.0).minimum(room));
        return out.reshape(d.shape());
    }
}

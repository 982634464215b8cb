package dev.brink.robust.attack;

import dev.brink.engine.Autograd;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.TensorScope;
import dev.brink.engine.backend.RandomKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The projected-gradient-ascent base of BIM, PGD and the second-order attacks (Foolbox 3's BaseGradientDescent):
 * an optional random start in the ball, then {@code steps} times {@code x <- project(step(direction, x))}.
 * Hooks: {@link #direction} (default: the loss gradient), {@link #step} (default: a step of length {@code step}
 * along the threat norm's steepest direction: the signed step for L-inf and the L2 step for L2, both the engine's
 * fused ops, and for L1 the sparse step on the top {@code l1Sparsity} fraction of coordinates, unit L1),
 * {@link #randomStart} (uniform in the L-inf box, uniform in the L2 or L1 ball). The projection is
 * {@link Projections#project} (the engine's fused projection ops).
 *
 * <p>Every iterate is evaluated (the gradient's forward pass gives its loss and prediction for free), and each
 * sample keeps its best iterate over all steps and restarts: a successful one first, else the highest loss. A
 * sample stops once successful when {@code earlyStop} (it cannot improve on success; finished samples leave the
 * batch). Restarts after the first only attack samples not yet successful (all samples without early stop).
 * {@link #lastGradientNormTrace()} holds, per iteration of the last run's first restart, the mean L2 norm of the
 * loss gradient over the samples still attacked (Li et al. Figure 1; disable early stop for the whole batch).
 */
public abstract class GradientDescent extends Attack {
    /** Shared configuration: loss, steps, absolute step (NaN: relStep * eps), random start, restarts, early stop, L1 sparsity. */
    public record Config(AttackLoss loss, int steps, double step, double relStep, boolean randomStart, int restarts, boolean earlyStop, double l1Sparsity) {
        public Config {
            if (loss == null) throw new IllegalArgumentException("loss is missing");
            if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            if (!(step >= 0) && !Double.isNaN(step) || Double.isInfinite(step)) throw new IllegalArgumentException("step must be finite and >= 0, got " + step);
            if (!(relStep >= 0) || Double.isInfinite(relStep)) throw new IllegalArgumentException("rel-step must be finite and >= 0, got " + relStep);
            if (restarts < 1) throw new IllegalArgumentException("restarts must be >= 1, got " + restarts);
            if (!(l1Sparsity > 0 && l1Sparsity <= 1)) throw new IllegalArgumentException("l1-sparsity must be in (0, 1], got " + l1Sparsity);
        }
    }

    /** The iterate of the rows still attacked: their sub-problem, inputs and loss gradient (null if not computed). */
    protected record Point(Problem problem, Tensor x, Tensor grad) {}

    protected final Config config;
    private double[] trace = new double[0];

    protected GradientDescent(Config config) {
        this.config = config;
    }

    /** Mean per-sample L2 norm of the loss gradient at each iteration of the last run (see the class comment). */
    public double[] lastGradientNormTrace() {
        return trace.clone();
    }

    /** The ascent direction at the point (any scale). */
    protected Tensor direction(Point pt) {
        return pt.grad();
    }

    /** Whether the base computes the loss gradient at each iterate (a subclass that finds its own direction may not need it). */
    protected boolean needsGradient() {
        return true;
    }

    /**
     * The iterate after one step of length {@code alpha} from x along the threat norm's steepest-ascent direction
     * for d (before the projection): {@code x + alpha sign(d)} for L-inf ({@link F#signStep}), {@code x + alpha d /
     * ||d||_2} for L2 ({@link F#l2Step}), and for L1 x plus alpha times the sparse unit-L1 direction. Called in a
     * no-grad scope; d and x are {@code [n, ...]} of one dtype.
     */
    protected Tensor step(Tensor d, Tensor x, ThreatModel t, double alpha) {
        return switch (t.norm()) {
            case LINF -> F.signStep(x, d, alpha);
            case L2 -> F.l2Step(x, d, alpha);
            case L1 -> x.add(sparseL1Direction(d, x, t).mul(alpha));
            case L0 -> x.add(Projections.steepestDirection(d, Norm.L0).mul(alpha));
        };
    }

    /** The sparse L1 step direction: the top fraction of |d| among coordinates that can still move that way inside the box, unit L1. */
    private Tensor sparseL1Direction(Tensor d, Tensor x, ThreatModel t) {
        int n = d.size(0);
        Tensor flat = d.reshape(n, -1), xf = x.reshape(n, -1);
        Tensor blocked = flat.gt(0.0).mul(xf.ge(t.upper())).add(flat.lt(0.0).mul(xf.le(t.lower())));
        Tensor abs = flat.abs().mul(blocked.neg().add(1.0));
        int k = Math.max(1, (int) Math.ceil(config.l1Sparsity() * flat.size(1)));
        Tensor kth = abs.topk(k, 1).slice(1, k - 1, k);
        Tensor dir = flat.sign().mul(abs.ge(kth)).mul(abs.gt(0.0));
        return dir.div(Projections.perSample(F.l1Norm(dir).maximum(1e-12), dir)).reshape(d.shape());
    }

    /** A random point of the ball around x0 (before projection onto the box). */
    protected Tensor randomStart(Tensor x0, ThreatModel t, Generator gen) {
        int n = x0.size(0);
        double eps = t.eps();
        Tensor u = Tensor.random(x0.backend(), RandomKind.UNIFORM, gen, x0.dtype(), x0.shape());
        if (t.norm() == Norm.LINF) return x0.add(u.mul(2 * eps).sub(eps));
        int dim = x0.numel() / n;
        Tensor dir;
        if (t.norm() == Norm.L2) {
            dir = Tensor.random(x0.backend(), RandomKind.NORMAL, gen, x0.dtype(), x0.shape());
            dir = dir.div(Projections.perSample(F.l2Norm(dir).maximum(1e-12), dir));
        } else { // L1: Laplace coordinates normalized give the uniform direction on the L1 sphere
            Tensor expo = u.neg().add(1.0).maximum(1e-300).log().neg();
            Tensor sign = Tensor.random(x0.backend(), RandomKind.UNIFORM, gen, x0.dtype(), x0.shape()).sub(0.5).sign();
            dir = expo.mul(sign);
            dir = dir.div(Projections.perSample(F.l1Norm(dir).maximum(1e-12), dir));
        }
        Tensor radius = Tensor.random(x0.backend(), RandomKind.UNIFORM, gen, x0.dtype(), n).pow(1.0 / dim).mul(eps);
        return x0.add(dir.mul(Projections.perSample(radius, dir)));
    }

    /** Step size for a threat model. */
    protected double stepSize(ThreatModel t) {
        return Double.isNaN(config.step()) ? config.relStep() * t.eps() : config.step();
    }

    @Override
    protected final Outcome perturb(Problem p) {
        int n = p.x().size(0);
        ThreatModel t = p.threat();
        int[] iters = new int[n];
        trace = new double[0];
        if (t.eps() == 0) return new Outcome(p.x(), iters);
        double alpha = stepSize(t);
        Tensor best = p.x();
        double[] bestLoss = new double[n];
        Arrays.fill(bestLoss, Double.NEGATIVE_INFINITY);
        boolean[] bestOk = new boolean[n];
        List<Double> tr = new ArrayList<>();
        for (int r = 0; r < config.restarts(); r++) {
            int[] idx = Rows.all(n);
            if (config.earlyStop()) {
                boolean[] open = new boolean[n];
                for (int i = 0; i < n; i++) open[i] = !bestOk[i];
                idx = Rows.where(open);
            }
            if (idx.length == 0) break;
            Problem sp = Rows.select(p, idx);
            Tensor x = config.randomStart() ? Projections.project(randomStart(sp.x(), t, p.gen()), sp.x(), t) : sp.x();
            for (int s = 0; s <= config.steps(); s++) {
                boolean last = s == config.steps();
                Tensor[] lg = evaluate(sp, x, !last && needsGradient());
                double[] l = lg[0].toDoubleArray();
                boolean[] ok = succeeded(lg[1], sp);
                boolean[] better = new boolean[idx.length];
                for (int j = 0; j < idx.length; j++) {
                    int i = idx[j];
                    if ((ok[j] && !bestOk[i]) || (ok[j] == bestOk[i] && l[j] > bestLoss[i])) {
                        better[j] = true;
                        bestOk[i] = ok[j];
                        bestLoss[i] = l[j];
                    }
                }
                best = Rows.put(best, idx, x, better);
                if (last) break;
                Tensor grad = lg[2];
                if (r == 0 && grad != null) tr.add(F.l2Norm(grad).mean().item());
                if (config.earlyStop()) {
                    boolean[] keep = new boolean[idx.length];
                    for (int j = 0; j < idx.length; j++) keep[j] = !ok[j];
                    int[] local = Rows.where(keep);
                    if (local.length == 0) break;
                    if (local.length < idx.length) {
                        idx = Rows.compose(idx, local);
                        sp = Rows.select(p, idx);
                        x = Rows.select(x, local);
                        if (grad != null) grad = Rows.select(grad, local);
                    }
                }
                for (int i : idx) iters[i]++;
                Tensor d = direction(new Point(sp, x, grad));
                try (GradMode.Scope g = GradMode.noGrad()) {
                    x = Projections.project(step(d, x, t, alpha), sp.x(), t);
                }
            }
        }
        trace = tr.stream().mapToDouble(Double::doubleValue).toArray();
        // bestOk is the success of each sample's kept iterate, evaluated when it was reached: run() need not
        // evaluate the model again on the returned batch
        return new Outcome(best, iters, bestOk);
    }

    /** {loss [n], logits [n, K], gradient of the summed loss or null} at x; the model's activations are released. */
    private Tensor[] evaluate(Problem sp, Tensor x, boolean withGrad) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor[] r = evaluateIn(sp, x, withGrad);
            for (Tensor t : r) if (t != null) scope.keep(t);
            return r;
        }
    }

    private Tensor[] evaluateIn(Problem sp, Tensor x, boolean withGrad) {
        if (!withGrad) {
            try (GradMode.Scope g = GradMode.noGrad()) {
                Tensor z = sp.model().logits(x);
                return new Tensor[] {config.loss().value(z, sp.classes(), sp.targeted()), z, null};
            }
        }
        Tensor xv = x.detach().requiresGrad(true);
        try (GradMode.Scope g = GradMode.enableGrad()) {
            Tensor z = sp.model().logits(xv);
            Tensor l = config.loss().value(z, sp.classes(), sp.targeted());
            Tensor grad = Autograd.grad(l.sum(), xv)[0];
            return new Tensor[] {l.detach(), z.detach(), grad};
        }
    }
}

package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The Square attack (Andriushchenko, Croce, Flammarion and Hein 2020), a black-box random search in an L-inf or L2
 * ball, with the constants, schedule and updates of the version AutoAttack (Croce and Hein 2020) runs. It uses
 * forward passes only (no gradients), so it is not fooled by masked or obfuscated gradients.
 *
 * <p>Each run starts from a point on the ball's surface and then, once per query, proposes a change localized in a
 * random square window of side {@code s} (the same for all channels of a point); the proposal replaces the point's
 * best iterate when it lowers the loss or breaks the point. The window covers about a fraction {@code p} of the
 * pixels, {@code s = round(sqrt(p * H * W))}, and p falls with the query index i by the schedule of the authors:
 * {@code p-init} for {@code i <= 10}, then halved at i = 10, 50, 200, 500, 1000, 2000, 4000, 6000 and 8000 (so
 * {@code p-init / 512} after 8000; see {@link #pSchedule}). With {@code rescale-schedule} the index is stretched to a
 * 10000-query budget first, {@code i -> floor(i / queries * 10000)}; AutoAttack runs Square without that stretch
 * (5000 queries, the schedule read as for 10000), which is this class's default.
 * <ul>
 *   <li>L-inf: the start is vertical stripes, {@code x + eps * sign} with one random sign per point, channel and
 *       column; a proposal sets the window of each channel to {@code x + eps} or {@code x - eps} (one random sign
 *       per point and channel), {@code s >= 1}.</li>
 *   <li>L2: the start tiles the image with a centred grid of squares of side {@code s0 = max(1, min(H, W) / 5)},
 *       {@code H / s0} by {@code W / s0} of them (five by five for sides of 25 pixels and more, the reference's
 *       grid; on smaller images the reference's grid overruns the image, this one covers it), each holding the authors' two-lobed pattern (nested rectangles with
 *       weights {@code 1/(k+1)^2}, positive in the top half and negative in the bottom half, unit L2, transposed
 *       with probability 1/2) times a random sign per channel, scaled to L2 norm eps. A proposal draws two windows
 *       of odd side {@code s >= 3}: the perturbation's mass in both (per channel) plus the budget left in the ball
 *       ({@code (eps^2 - ||delta||^2) / C}) is moved into the first, as a fresh pattern with a random sign per
 *       channel added to the first window's old content (normalized), and the second window is emptied; the result
 *       is rescaled to norm eps. The side is capped by {@code min(H, W)}.</li>
 * </ul>
 * Every position, sign and orientation is drawn per point, as in the authors' algorithm (AutoAttack's PyTorch code
 * shares each query's window positions and pattern orientation, and for L-inf its signs, across the batch), from
 * the Problem's {@link Generator}; a window's top-left corner is uniform over all {@code H - s + 1} rows and
 * {@code W - s + 1} columns (the reference draws from {@code [0, H - s)}, so that single-pixel windows never reach
 * the last row and column). Proposals are clipped to the box.
 *
 * <p>Losses (minimized as in the reference; this class maximizes the negation): for untargeted goals the margin
 * {@code z_y - max_{j != y} z_j} (default) or minus the cross-entropy of the label; for targeted goals the
 * cross-entropy of the target (default) or {@code max_{j != t} z_j - z_t}. A point stops as soon as it is broken
 * (the goal's success, read from the argmax). With {@code targets = k > 0} (untargeted goals only) the attack runs
 * targeted Square at each point's k most likely classes other than its label (from the clean logits, most likely
 * first), each run only on the points not yet broken, as AutoAttack's targeted attacks do; success is still leaving
 * the label.
 *
 * <p>Queries: one forward pass of the whole clean batch first (points already broken there are returned unchanged
 * and cost no queries); then each run spends at most {@code queries} forward evaluations per point, the start
 * included (the reference spends {@code queries + 1}). {@link Outcome#iterations()} holds the queries per point over
 * all runs; each query is one batched forward pass over the points still attacked. Restarts after the first, and
 * every targeted run, attack only points not yet broken. A point never broken returns the iterate with the lowest
 * margin of the goal found over its runs.
 *
 * <p>Inputs: images {@code [N, C, H, W]}; {@code [N, H, W]} is read as one channel and {@code [N, D]} as a
 * one-pixel-high image {@code [N, 1, 1, D]} (the windows then cover single features: a coordinate-wise random
 * search without the spatial prior). Other ranks are refused.
 *
 * <p>Options: {@code queries} 5000, {@code p-init} 0.8, {@code restarts} 1, {@code loss} auto (margin or ce),
 * {@code targets} 0, {@code rescale-schedule} false.
 */
public final class SquareAttack extends Attack {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("queries", "5000", "forward evaluations per point and run, the start included"),
            new Attacks.Option("p-init", "0.8", "initial fraction of the pixels a square covers"),
            new Attacks.Option("restarts", "1", "runs from a fresh start for the points not yet broken"),
            new Attacks.Option("loss", "auto", "auto (margin untargeted, ce targeted), margin or ce"),
            new Attacks.Option("targets", "0", "k > 0: targeted runs at the k most likely non-true classes (untargeted goals only)"),
            new Attacks.Option("rescale-schedule", "false", "stretch the p schedule to the budget (i -> i / queries * 10000); AutoAttack does not"));

    /** The loss searched: the reference's default per goal, or a fixed one. */
    public enum LossChoice {
        /** The margin for untargeted runs, the cross-entropy for targeted ones (the reference's choice). */
        AUTO,
        /** The margin between the label (or target) and the best other class. */
        MARGIN,
        /** The cross-entropy of the label (ascended) or of the target (descended). */
        CE
    }

    private final int queries;
    private final double pInit;
    private final int restarts;
    private final LossChoice loss;
    private final int targets;
    private final boolean rescale;

    /**
     * @param queries forward evaluations per point and run, the start included (>= 1)
     * @param pInit initial fraction of the pixels a window covers, in (0, 1]
     * @param restarts runs per target (>= 1)
     * @param loss the loss ({@link LossChoice#AUTO}: margin untargeted, cross-entropy targeted)
     * @param targets 0, or the number of most likely non-true classes attacked in targeted runs
     * @param rescale stretch the p schedule to the budget
     */
    public SquareAttack(int queries, double pInit, int restarts, LossChoice loss, int targets, boolean rescale) {
        if (queries < 1) throw new IllegalArgumentException("square: queries must be >= 1, got " + queries);
        if (!(pInit > 0 && pInit <= 1)) throw new IllegalArgumentException("square: p-init must be in (0, 1], got " + pInit);
        if (restarts < 1) throw new IllegalArgumentException("square: restarts must be >= 1, got " + restarts);
        if (loss == null) throw new IllegalArgumentException("square: loss is missing");
        if (targets < 0) throw new IllegalArgumentException("square: targets must be >= 0, got " + targets);
        this.queries = queries;
        this.pInit = pInit;
        this.restarts = restarts;
        this.loss = loss;
        this.targets = targets;
        this.rescale = rescale;
    }

    /** AutoAttack's settings: 5000 queries, p-init 0.8, one run, the default loss, no stretched schedule. */
    public SquareAttack() {
        this(5000, 0.8, 1, LossChoice.AUTO, 0, false);
    }

    static SquareAttack fromOptions(Attacks.Options o) {
        LossChoice l = switch (o.choice("loss", "auto", "margin", "ce")) {
            case "margin" -> LossChoice.MARGIN;
            case "ce" -> LossChoice.CE;
            default -> LossChoice.AUTO;
        };
        return new SquareAttack(o.integer("queries"), o.real("p-init"), o.integer("restarts"), l, o.integer("targets"), o.bool("rescale-schedule"));
    }

    @Override
    public String name() {
        return "square";
    }

    @Override
    public Set<Norm> supportedNorms() {
        return EnumSet.of(Norm.LINF, Norm.L2);
    }

    /**
     * The fraction p of the pixels a window covers at query index {@code it} (0 for the first query after the start),
     * as the authors schedule it: {@code pInit} up to 10, halved after 10, 50, 200, 500, 1000, 2000, 4000, 6000 and
     * 8000. With {@code rescale}, {@code it} is first mapped to {@code floor(it / budget * 10000)}.
     */
    public static double pSchedule(int it, int budget, double pInit, boolean rescale) {
        int i = rescale ? (int) ((double) it / budget * 10000) : it;
        int[] bounds = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};
        int halvings = 0;
        for (int b : bounds) if (i > b) halvings++;
        return pInit / (1 << halvings);
    }

    /** The side of the L-inf window at fraction p: {@code round(sqrt(p * H * W))}, at least 1, at most {@code min(H, W)}. */
    static int sideLinf(double p, int h, int w) {
        return Math.min(Math.max((int) Math.round(Math.sqrt(p * h * w)), 1), Math.min(h, w));
    }

    /** The side of the L2 windows at fraction p: {@code round(sqrt(p * H * W))}, at least 3, made odd, at most {@code min(H, W)}. */
    static int sideL2(double p, int h, int w) {
        int s = Math.max((int) Math.round(Math.sqrt(p * h * w)), 3);
        if (s % 2 == 0) s++;
        return Math.min(s, Math.min(h, w));
    }

    // ------------------------------------------------------------------ the attack

    /** The inputs viewed as images: {C, H, W}. */
    private static int[] imageShape(Tensor x) {
        int[] s = x.shape();
        return switch (s.length) {
            case 2 -> new int[] {1, 1, s[1]};
            case 3 -> new int[] {1, s[1], s[2]};
            case 4 -> new int[] {s[1], s[2], s[3]};
            default -> throw new IllegalArgumentException("square: inputs must be images [N, C, H, W] (or [N, H, W], or [N, D] read as [N, 1, 1, D]), got "
                    + Shape.str(s));
        };
    }

    @Override
    protected Outcome perturb(Problem p) {
        Tensor x0 = p.x();
        int n = x0.size(0);
        int[] chw = imageShape(x0);
        if (targets > 0 && p.targeted())
            throw new IllegalArgumentException("square: targets=" + targets + " applies to untargeted goals; this goal already names the target classes");
        int[] used = new int[n];
        if (p.threat().eps() == 0) return new Outcome(x0, used);
        Tensor clean;
        try (GradMode.Scope g = GradMode.noGrad()) {
            clean = p.model().logits(x0);
        }
        State st = new State(x0, succeeded(clean, p), used);
        if (targets == 0) {
            for (int r = 0; r < restarts && st.open().length > 0; r++) run(p, st, chw, p.classes(), p.targeted());
        } else {
            int k = clean.size(1);
            if (targets > k - 1)
                throw new IllegalArgumentException("square: targets=" + targets + " needs more classes than the model's " + k + " (at most " + (k - 1) + ")");
            for (int t = 1; t <= targets; t++) {
                Tensor target = otherClass(clean, p.labels(), t);
                for (int r = 0; r < restarts && st.open().length > 0; r++) run(p, st, chw, target, true);
            }
        }
        return new Outcome(st.result, used);
    }

    /** Per point, the t-th most likely class other than its label (t >= 1) under the clean logits, int32 {@code [N]}. */
    static Tensor otherClass(Tensor logits, Tensor labels, int t) {
        int n = logits.size(0), k = logits.size(1);
        double[] z = logits.toDoubleArray();
        int[] y = labels.toIntArray();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            final int row = i;
            Integer[] order = new Integer[k];
            for (int j = 0; j < k; j++) order[j] = j;
            Arrays.sort(order, (a, b) -> Double.compare(z[row * k + b], z[row * k + a])); // stable: ties keep the lower class first
            int seen = 0;
            for (int j : order) {
                if (j == y[i]) continue;
                if (++seen == t) {
                    out[i] = j;
                    break;
                }
            }
        }
        return Tensor.fromHost(labels.backend(), labels.dtype(), out, n);
    }

    /** What the runs share: the batch to return, which points are broken, the best goal margin of the others, queries. */
    private static final class State {
        Tensor result;
        final boolean[] broken;
        final double[] bestScore;
        final int[] used;

        State(Tensor x0, boolean[] broken, int[] used) {
            this.result = x0;
            this.broken = broken;
            this.bestScore = new double[broken.length];
            Arrays.fill(bestScore, Double.NEGATIVE_INFINITY);
            this.used = used;
        }

        int[] open() {
            boolean[] o = new boolean[broken.length];
            for (int i = 0; i < o.length; i++) o[i] = !broken[i];
            return Rows.where(o);
        }

        /** Records the final iterates {@code rows} of points {@code idx[j]} where {@code which[j]}. */
        void record(int[] idx, Tensor rows, boolean[] ok, double[] score, boolean[] which) {
            boolean[] take = new boolean[idx.length];
            boolean any = false;
            for (int j = 0; j < idx.length; j++) {
                if (!which[j]) continue;
                int i = idx[j];
                if (ok[j] || score[j] > bestScore[i]) {
                    take[j] = true;
                    any = true;
                    broken[i] |= ok[j];
                    bestScore[i] = Math.max(bestScore[i], score[j]);
                }
            }
            if (any) result = Rows.put(result, idx, rows, take);
        }
    }

    /** One evaluation of the points still attacked: the loss to maximize, the goal's success and its margin. */
    private record Eval(double[] value, boolean[] ok, double[] score) {}

    private Eval evaluate(Problem sp, Tensor cls, boolean targeted, AttackLoss l, Tensor candidate) {
        try (GradMode.Scope g = GradMode.noGrad()) {
            Tensor z = sp.model().logits(candidate);
            return new Eval(l.value(z, cls, targeted).toDoubleArray(), succeeded(z, sp),
                    AttackLoss.CW_MARGIN.value(z, sp.classes(), sp.targeted()).toDoubleArray());
        }
    }

    /** One run of the random search on the points not yet broken, against classes {@code cls} (targeted or not). */
    private void run(Problem p, State st, int[] chw, Tensor clsAll, boolean targeted) {
        ThreatModel t = p.threat();
        AttackLoss l = switch (loss) {
            case MARGIN -> AttackLoss.CW_MARGIN;
            case CE -> AttackLoss.CROSS_ENTROPY;
            case AUTO -> targeted ? AttackLoss.CROSS_ENTROPY : AttackLoss.CW_MARGIN;
        };
        int c = chw[0], h = chw[1], w = chw[2];
        int[] idx = st.open();
        Problem sp = Rows.select(p, idx);
        Tensor cls = Rows.select(clsAll, idx);
        Tensor x = sp.x();
        int[] rowShape = x.shape();
        Tensor best;
        try (GradMode.Scope g = GradMode.noGrad()) {
            best = start(x.reshape(idx.length, c, h, w), t, p.gen()).reshape(rowShape);
        }
        Eval e = evaluate(sp, cls, targeted, l, best);
        for (int i : idx) st.used[i]++;
        double[] bestValue = e.value(), bestScore = e.score();
        boolean[] ok = e.ok();
        for (int it = 0; it < queries - 1; it++) {
            // points broken so far leave the search
            boolean[] keep = new boolean[idx.length];
            for (int j = 0; j < idx.length; j++) keep[j] = !ok[j];
            int[] local = Rows.where(keep);
            if (local.length < idx.length) {
                st.record(idx, best, ok, bestScore, ok);
                if (local.length == 0) return;
                idx = Rows.compose(idx, local);
                sp = Rows.select(p, idx);
                cls = Rows.select(clsAll, idx);
                x = sp.x();
                best = Rows.select(best, local);
                bestValue = pick(bestValue, local);
                bestScore = pick(bestScore, local);
                ok = new boolean[local.length];
                rowShape = x.shape();
            }
            int m = idx.length;
            Tensor cand;
            try (GradMode.Scope g = GradMode.noGrad()) {
                double frac = pSchedule(it, queries, pInit, rescale);
                Tensor x4 = x.reshape(m, c, h, w), b4 = best.reshape(m, c, h, w);
                cand = (t.norm() == Norm.LINF ? proposeLinf(x4, b4, sideLinf(frac, h, w), t, p.gen())
                        : proposeL2(x4, b4, sideL2(frac, h, w), t, p.gen())).reshape(rowShape);
            }
            e = evaluate(sp, cls, targeted, l, cand);
            for (int i : idx) st.used[i]++;
            boolean[] better = new boolean[m];
            boolean anyBetter = false;
            for (int j = 0; j < m; j++) {
                if (e.value()[j] > bestValue[j] || e.ok()[j]) {
                    better[j] = true;
                    anyBetter = true;
                    bestValue[j] = Math.max(bestValue[j], e.value()[j]);
                    bestScore[j] = e.score()[j];
                    ok[j] = e.ok()[j];
                }
            }
            if (anyBetter) best = Tensor.where(Rows.mask(best, better), cand, best);
        }
        boolean[] all = new boolean[idx.length];
        Arrays.fill(all, true);
        st.record(idx, best, ok, bestScore, all);
    }

    private static double[] pick(double[] a, int[] local) {
        double[] out = new double[local.length];
        for (int j = 0; j < local.length; j++) out[j] = a[local[j]];
        return out;
    }

    /** {@code k} uniform draws in [0, 1) per point from the generator, on the host: {@code [m][k]}. */
    private static double[][] draws(Generator gen, int m, int k) {
        long first = gen.reserve((long) m * k);
        double[][] u = new double[m][k];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < k; j++) u[i][j] = Generator.uniform(gen.seed(), first + (long) i * k + j);
        return u;
    }

    /** A uniform integer in {@code [0, bound)} from a uniform draw. */
    private static int uniformInt(double u, int bound) {
        return Math.min((int) (u * bound), bound - 1);
    }

    private static double sign(double u) {
        return u < 0.5 ? -1 : 1;
    }

    /** The starting point of a run for images {@code x [m, C, H, W]}. */
    static Tensor start(Tensor x, ThreatModel t, Generator gen) {
        int m = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        double eps = t.eps();
        if (t.norm() == Norm.LINF) {
            double[][] u = draws(gen, m, c * w);
            double[] s = new double[m * c * w];
            for (int i = 0; i < m; i++) for (int j = 0; j < c * w; j++) s[i * c * w + j] = sign(u[i][j]);
            return x.add(x.newTensor(s, m, c, 1, w).mul(eps)).clamp(t.lower(), t.upper());
        }
        int s0 = Math.max(1, Math.min(h, w) / 5);
        int nh = h / s0, nw = w / s0; // five by five from 25 pixels up, where the reference's grid is the same
        int startH = (h - nh * s0) / 2, startW = (w - nw * s0) / 2;
        double[] eta = eta(s0), etaT = transpose(eta, s0);
        double[][] u = draws(gen, m, nh * nw * (1 + c));
        Tensor delta = x.zerosLike();
        for (int a = 0; a < nh; a++) {
            for (int b = 0; b < nw; b++) {
                int tile = a * nw + b, top = startH + a * s0, left = startW + b * s0;
                Tensor placed = x.newTensor(place(eta, s0, top, left, h, w), 1, 1, h, w);
                Tensor placedT = x.newTensor(place(etaT, s0, top, left, h, w), 1, 1, h, w);
                double[] coin = new double[m], sg = new double[m * c];
                for (int i = 0; i < m; i++) {
                    double[] ui = u[i];
                    coin[i] = ui[tile * (1 + c)] > 0.5 ? 1 : 0;
                    for (int ch = 0; ch < c; ch++) sg[i * c + ch] = sign(ui[tile * (1 + c) + 1 + ch]);
                }
                Tensor pattern = Tensor.where(x.newTensor(coin, m, 1, 1, 1), placedT, placed);
                delta = delta.add(pattern.mul(x.newTensor(sg, m, c, 1, 1)));
            }
        }
        return x.add(unitL2(delta).mul(eps)).clamp(t.lower(), t.upper());
    }

    /** {@code d / (||d||_2 + 1e-12)} per point. */
    private static Tensor unitL2(Tensor d) {
        return d.div(Projections.perSample(F.l2Norm(d).add(1e-12), d));
    }

    /** {@code s x s} pattern placed at (top, left) in an {@code H x W} zero image, row-major. */
    private static double[] place(double[] pattern, int s, int top, int left, int h, int w) {
        double[] out = new double[h * w];
        for (int a = 0; a < s; a++) System.arraycopy(pattern, a * s, out, (top + a) * w + left, s);
        return out;
    }

    private static double[] transpose(double[] a, int s) {
        double[] t = new double[s * s];
        for (int i = 0; i < s; i++) for (int j = 0; j < s; j++) t[j * s + i] = a[i * s + j];
        return t;
    }

    /**
     * The authors' L2 window pattern of side s, row-major: the top {@code s/2} rows hold {@link #rectangles} of that
     * height, the bottom rows minus the rectangles of the remaining height, the whole scaled to unit L2 norm.
     */
    static double[] eta(int s) {
        double[] d = new double[s * s];
        double[] top = rectangles(s / 2, s), bottom = rectangles(s - s / 2, s);
        System.arraycopy(top, 0, d, 0, top.length);
        for (int i = 0; i < bottom.length; i++) d[top.length + i] = -bottom[i];
        return normalize(d);
    }

    /**
     * Nested rectangles centred at {@code (r/2, c/2)} on an {@code r x c} grid: the k-th (k = 0, 1, ...) spans rows
     * {@code r/2 - k .. r/2 + k} and columns {@code c/2 - k .. c/2 + k} (clipped) and adds {@code 1/(k+1)^2};
     * {@code max(r/2, c/2) + 1} of them, scaled to unit L2 norm (left zero when empty).
     */
    static double[] rectangles(int r, int c) {
        double[] d = new double[r * c];
        int cr = r / 2, cc = c / 2;
        for (int k = 0; k <= Math.max(cr, cc); k++) {
            double v = 1.0 / ((k + 1.0) * (k + 1.0));
            for (int i = Math.max(cr - k, 0); i < Math.min(cr + k + 1, r); i++)
                for (int j = Math.max(cc - k, 0); j < Math.min(cc + k + 1, c); j++) d[i * c + j] += v;
        }
        return normalize(d);
    }

    private static double[] normalize(double[] d) {
        double s = 0;
        for (double v : d) s += v * v;
        if (s == 0) return d;
        double inv = 1 / Math.sqrt(s);
        for (int i = 0; i < d.length; i++) d[i] *= inv;
        return d;
    }

    /** Per point, a 0/1 window mask {@code [m, 1, H, W]} of side s at the given top-left corners. */
    private static Tensor window(Tensor like, int[] top, int[] left, int s, int h, int w) {
        int m = top.length;
        double[] rows = new double[m * h], cols = new double[m * w];
        for (int i = 0; i < m; i++) {
            for (int a = 0; a < s; a++) {
                rows[i * h + top[i] + a] = 1;
                cols[i * w + left[i] + a] = 1;
            }
        }
        return like.newTensor(rows, m, 1, h, 1).mul(like.newTensor(cols, m, 1, 1, w));
    }

    /** L-inf proposal: the window of each channel set to {@code x +- eps} (one sign per point and channel), clipped to the box. */
    static Tensor proposeLinf(Tensor x, Tensor best, int s, ThreatModel t, Generator gen) {
        int m = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        double[][] u = draws(gen, m, 2 + c);
        int[] top = new int[m], left = new int[m];
        double[] sg = new double[m * c];
        for (int i = 0; i < m; i++) {
            top[i] = uniformInt(u[i][0], h - s + 1);
            left[i] = uniformInt(u[i][1], w - s + 1);
            for (int ch = 0; ch < c; ch++) sg[i * c + ch] = sign(u[i][2 + ch]);
        }
        Tensor step = window(x, top, left, s, h, w).mul(x.newTensor(sg, m, c, 1, 1)).mul(2 * t.eps());
        return F.projectLinf(best.add(step), x, t.eps(), t.lower(), t.upper());
    }

    /**
     * L2 proposal: the mass of the perturbation in windows 1 and 2 (per channel) plus the budget left in the ball
     * goes into window 1 as a fresh signed pattern plus window 1's old content (normalized); window 2 is emptied;
     * the result is rescaled to norm eps and clipped to the box.
     */
    static Tensor proposeL2(Tensor x, Tensor best, int s, ThreatModel t, Generator gen) {
        int m = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), ss = s * s;
        double eps = t.eps();
        double[][] u = draws(gen, m, 5 + c);
        int[] top1 = new int[m], left1 = new int[m], top2 = new int[m], left2 = new int[m];
        double[] coin = new double[m], sg = new double[m * c], index = new double[m * ss];
        for (int i = 0; i < m; i++) {
            top1[i] = uniformInt(u[i][0], h - s + 1);
            left1[i] = uniformInt(u[i][1], w - s + 1);
            top2[i] = uniformInt(u[i][2], h - s + 1);
            left2[i] = uniformInt(u[i][3], w - s + 1);
            coin[i] = u[i][4] > 0.5 ? 1 : 0;
            for (int ch = 0; ch < c; ch++) sg[i * c + ch] = sign(u[i][5 + ch]);
            for (int a = 0; a < s; a++)
                for (int b = 0; b < s; b++) index[i * ss + a * s + b] = (top1[i] + a) * w + left1[i] + b;
        }
        Tensor ix = Tensor.fromHost(x.backend(), DType.INT32, index, m, 1, ss).expand(m, c, ss).contiguous();
        Tensor m1 = window(x, top1, left1, s, h, w), m2 = window(x, top2, left2, s, h, w);
        Tensor delta = best.sub(x);
        Tensor flat = delta.reshape(m, c, h * w);
        Tensor old = flat.gather(2, ix);                                                        // [m, C, s*s]
        Tensor oldNorm = old.square().sum(new int[] {2}, true).sqrt();                          // [m, C, 1]
        Tensor imageNorm = F.l2Norm(delta).reshape(m, 1, 1);
        Tensor bothNorm = delta.mul(m1.maximum(m2)).reshape(m, c, h * w).square().sum(new int[] {2}, true).sqrt();
        double[] eta = eta(s);
        Tensor e = Tensor.where(x.newTensor(coin, m, 1, 1), x.newTensor(transpose(eta, s), 1, 1, ss), x.newTensor(eta, 1, 1, ss));
        Tensor fresh = e.mul(x.newTensor(sg, m, c, 1)).add(old.div(oldNorm.add(1e-12)));
        Tensor mass = imageNorm.square().neg().add(eps * eps).maximum(0.0).div(c).add(bothNorm.square()).sqrt();
        fresh = fresh.div(fresh.square().sum(new int[] {2}, true).sqrt().add(1e-12)).mul(mass);
        Tensor emptied = delta.mul(m2.neg().add(1.0));
        Tensor current = emptied.reshape(m, c, h * w).gather(2, ix);
        Tensor updated = emptied.add(F.scatterAdd(fresh.sub(current), 2, ix, new int[] {m, c, h * w}).reshape(m, c, h, w));
        return x.add(unitL2(updated).mul(eps)).clamp(t.lower(), t.upper());
    }
}

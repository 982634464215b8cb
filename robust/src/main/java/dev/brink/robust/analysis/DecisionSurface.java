package dev.brink.robust.analysis;

import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.AttackLoss;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.FgmL2;
import dev.brink.robust.attack.GradientDescent;
import dev.brink.robust.attack.Goal;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.Pgd;
import dev.brink.robust.attack.ThreatModel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Yu et al.'s decision surface (Figs. 3-7): {@code d(x') = z_y(x') - max_{j != y} z_j(x')} and the cross-entropy
 * loss on the plane {@code x' = x + alpha u + beta v} through one evaluation point x, over a {@code grid x grid}
 * square of half-width {@code range} (L2 units of the input; the plane is not clipped to the pixel box, so the
 * function is drawn also where no image lies). u is one of:
 * <ul>
 *   <li>{@code random}: a seeded Gaussian direction;</li>
 *   <li>{@code ce}: the untargeted cross-entropy ascent direction (one L2 fast-gradient step, {@link FgmL2});</li>
 *   <li>{@code ll}: the step toward the least-likely class (FGM with {@link Goal#LEAST_LIKELY});</li>
 *   <li>{@code cw}: the perturbation Carlini and Wagner's L2 attack finds;</li>
 * </ul>
 * and v a seeded Gaussian direction orthogonalized to u; both have unit L2 norm. Beside each grid, the trajectory
 * of L2 PGD (no random start, {@code steps} steps of {@code 2.5 range / steps} in the ball of radius {@code range},
 * with the direction's loss: CE, least-likely CE or the C&amp;W margin) projected onto the plane, with the distance
 * of each iterate from the plane. Summary: the distance along +u to the first grid point with d &lt;= 0 (the
 * length of Yu et al.'s arrows).
 */
public final class DecisionSurface implements Analysis {
    public static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("index", "0", "evaluation point through which the plane passes"),
            new Attacks.Option("directions", "random/ce/ll/cw", "u directions, /-separated: random, ce, ll, cw"),
            new Attacks.Option("range", "4", "half-width of the plotted square in L2 input units"),
            new Attacks.Option("grid", "41", "grid points per axis (odd puts x at the centre)"),
            new Attacks.Option("steps", "10", "PGD iterates drawn as the trajectory (0: none)"));

    private final int index, grid, steps;
    private final double range;
    private final List<String> directions;

    public DecisionSurface(int index, List<String> directions, double range, int grid, int steps) {
        if (index < 0) throw new IllegalArgumentException("surface: index must be >= 0, got " + index);
        if (!(range > 0) || Double.isInfinite(range)) throw new IllegalArgumentException("surface: range must be positive, got " + range);
        if (grid < 2 || grid > 401) throw new IllegalArgumentException("surface: grid must be in [2, 401], got " + grid);
        if (steps < 0) throw new IllegalArgumentException("surface: steps must be >= 0, got " + steps);
        for (String d : directions)
            if (!List.of("random", "ce", "ll", "cw").contains(d))
                throw new IllegalArgumentException("surface: unknown direction '" + d + "' (known: random, ce, ll, cw)");
        if (directions.isEmpty()) throw new IllegalArgumentException("surface: no directions");
        this.index = index;
        this.directions = List.copyOf(directions);
        this.range = range;
        this.grid = grid;
        this.steps = steps;
    }

    static Analysis fromOptions(Attacks.Options o) {
        return new DecisionSurface(o.integer("index"), List.of(o.string("directions").split("/")), o.real("range"), o.integer("grid"), o.integer("steps"));
    }

    /**
     * The plane's unit directions u (the attack's) and v (random, orthogonal to u), flattened; {@code attackLength} is
     * the L2 length of the attack's perturbation (0 for a random u, or where the attack did not move and u fell back
     * to a random axis).
     */
    public record Plane(double[] u, double[] v, double attackLength) {}

    /** d and the loss over the grid: {@code decision[i][j]} at {@code alpha = axis[j], beta = axis[i]}. */
    public record Surface(double[] axis, double[][] decision, double[][] loss) {}

    /** The plane of a direction kind at {@code x [1, ...]} with label {@code y}. */
    public static Plane plane(Module model, Tensor x, int y, String kind, long seed) {
        int d = x.numel();
        Random r = new Random(seed);
        double[] u;
        double length = 0;
        if (kind.equals("random")) {
            u = gaussian(r, d);
        } else {
            Classifier c = new Classifier(model::forward);
            Tensor labels = Tensor.ofInts(new int[] {y}, 1);
            Attack a;
            Goal g = Goal.UNTARGETED;
            ThreatModel t = ThreatModel.of(Norm.L2, 1.0);
            switch (kind) {
                case "ce" -> a = new FgmL2(AttackLoss.CROSS_ENTROPY);
                case "ll" -> { a = new FgmL2(AttackLoss.CROSS_ENTROPY); g = Goal.LEAST_LIKELY; }
                case "cw" -> { a = Attacks.create("cw-l2", Map.of()); t = ThreatModel.of(Norm.L2, 1e3); }
                default -> throw new IllegalArgumentException("unknown direction " + kind);
            }
            u = a.run(c, x, labels, t, g, new Generator(seed)).adversarial().sub(x).toDoubleArray();
            length = Lanczos.norm(u);
            if (length == 0) u = gaussian(r, d); // the attack did not move: fall back to a random axis
        }
        scale(u, 1 / Lanczos.norm(u));
        double[] v = gaussian(r, d);
        double p = Lanczos.dot(u, v);
        for (int i = 0; i < d; i++) v[i] -= p * u[i];
        scale(v, 1 / Lanczos.norm(v));
        return new Plane(u, v, length);
    }

    /** Evaluates d and the cross-entropy over the grid, in batches of {@code batch} points. */
    public static Surface surface(Module model, Tensor x, int y, Plane p, double range, int grid, int batch) {
        double[] axis = new double[grid];
        for (int i = 0; i < grid; i++) axis[i] = -range + 2 * range * i / (grid - 1);
        double[] x0 = x.toDoubleArray();
        int d = x0.length, total = grid * grid;
        double[][] dec = new double[grid][grid], loss = new double[grid][grid];
        int[] shape = x.shape().clone();
        for (int start = 0; start < total; start += batch) {
            int m = Math.min(batch, total - start);
            double[] buf = new double[m * d];
            for (int k = 0; k < m; k++) {
                double a = axis[(start + k) % grid], b = axis[(start + k) / grid];
                for (int e = 0; e < d; e++) buf[k * d + e] = x0[e] + a * p.u()[e] + b * p.v()[e];
            }
            shape[0] = m;
            double[][] z = InputFunctions.logits(model, x.newTensor(buf, shape));
            for (int k = 0; k < m; k++) {
                int i = (start + k) / grid, j = (start + k) % grid;
                dec[i][j] = InputFunctions.decision(z[k], y);
                loss[i][j] = InputFunctions.crossEntropy(z[k], y);
            }
        }
        return new Surface(axis, dec, loss);
    }

    /**
     * PGD's iterates 0..steps at x projected onto the plane: rows {@code (alpha, beta, distance from the plane)}.
     * Iterate k is the result of the same deterministic PGD run for k steps (no random start, no early stop).
     */
    public static double[][] trajectory(Module model, Tensor x, int y, Plane p, String kind, double radius, int steps, long seed) {
        double[][] out = new double[steps + 1][];
        out[0] = new double[] {0, 0, 0};
        Classifier c = new Classifier(model::forward);
        Tensor labels = Tensor.ofInts(new int[] {y}, 1);
        AttackLoss loss = kind.equals("cw") ? AttackLoss.CW_MARGIN : AttackLoss.CROSS_ENTROPY;
        Goal goal = kind.equals("ll") ? Goal.LEAST_LIKELY : Goal.UNTARGETED;
        double[] x0 = x.toDoubleArray();
        for (int k = 1; k <= steps; k++) {
            Pgd pgd = new Pgd(Norm.L2, new GradientDescent.Config(loss, k, 2.5 * radius / steps, 0, false, 1, false, 0.01));
            double[] delta = pgd.run(c, x, labels, ThreatModel.of(Norm.L2, radius), goal, new Generator(seed)).adversarial().toDoubleArray();
            for (int e = 0; e < delta.length; e++) delta[e] -= x0[e];
            double a = Lanczos.dot(delta, p.u()), b = Lanczos.dot(delta, p.v());
            double off = Math.sqrt(Math.max(0, Lanczos.dot(delta, delta) - a * a - b * b));
            out[k] = new double[] {a, b, off};
        }
        return out;
    }

    @Override
    public void run(AnalysisInput in, AnalysisOutput out) throws IOException {
        if (index >= in.data().size())
            throw new IllegalArgumentException("surface: index " + index + " is outside the " + in.data().size() + " evaluation points");
        Batch b = InputFunctions.first(in.data().subset(new int[] {index}), 1);
        Tensor x = b.x();
        int y = b.y().toIntArray()[0];
        double[] z = InputFunctions.logits(in.model(), x)[0];
        out.summary("index", index);
        out.summary("label", y);
        out.summary("decision_at_x", InputFunctions.decision(z, y));
        var bar = in.progress("surface", directions.size());
        int done = 0;
        for (String kind : directions) {
            long seed = in.seed() * 31 + kind.hashCode();
            Plane p = plane(in.model(), x, y, kind, seed);
            Surface s = surface(in.model(), x, y, p, range, grid, Math.max(1, in.batchSize()));
            double[][] t = steps > 0 ? trajectory(in.model(), x, y, p, kind, range, steps, seed) : new double[0][];
            List<List<?>> rows = new ArrayList<>();
            for (int i = 0; i < grid; i++)
                for (int j = 0; j < grid; j++) rows.add(List.of(s.axis()[j], s.axis()[i], s.decision()[i][j], s.loss()[i][j]));
            out.csv("surface-" + kind + ".csv", "d and cross-entropy on the plane x + alpha u + beta v, u: " + kind + " direction",
                    List.of("alpha", "beta", "decision", "loss"), rows);
            List<List<?>> tr = new ArrayList<>();
            for (int k = 0; k < t.length; k++) tr.add(List.of(k, t[k][0], t[k][1], t[k][2]));
            if (t.length > 0)
                out.csv("trajectory-" + kind + ".csv", "L2 PGD iterates projected onto the " + kind + " plane, with their distance from it",
                        List.of("step", "alpha", "beta", "off_plane"), tr);
            out.summary("boundary_distance_" + kind, boundaryDistance(s));
            if (!kind.equals("random")) out.summary("attack_l2_" + kind, p.attackLength());
            Figures.surface(out, kind, s, t);
            bar.update(++done, done, kind);
        }
    }

    /** The smallest alpha > 0 on the beta = 0 row (nearest it) where d <= 0; infinity when none in range. */
    static double boundaryDistance(Surface s) {
        int g = s.axis().length, row = 0;
        for (int i = 0; i < g; i++) if (Math.abs(s.axis()[i]) < Math.abs(s.axis()[row])) row = i;
        for (int j = 0; j < g; j++) if (s.axis()[j] >= 0 && s.decision()[row][j] <= 0) return s.axis()[j];
        return Double.POSITIVE_INFINITY;
    }

    private static double[] gaussian(Random r, int d) {
        double[] v = new double[d];
        for (int i = 0; i < d; i++) v[i] = r.nextGaussian();
        return v;
    }

    private static void scale(double[] a, double s) {
        for (int i = 0; i < a.length; i++) a[i] *= s;
    }
}

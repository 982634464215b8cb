package dev.brink.robust.attack;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.layer.Activation;
import dev.brink.nn.layer.Flatten;
import dev.brink.nn.layer.Linear;
import dev.brink.nn.layer.Sequential;
import dev.brink.nn.optim.Adam;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * FAB (Croce and Hein): the box-constrained hyperplane projection against brute force; exact distances to the
 * decision boundary of linear models; AutoAttack's within-eps bookkeeping; and on a small trained MLP, FAB against
 * DeepFool.
 */
class FastAdaptiveBoundaryTest {
    private static final Norm[] NORMS = {Norm.L2, Norm.LINF, Norm.L1};

    // ---------------------------------------------------------------- the projection onto a hyperplane in a box

    /** Brute-force minimum of ||delta||_p over w.(t + delta) = b in [0, 1]^D; NaN where the box cannot reach it. */
    private static double bruteForce(double[] t, double[] w, double b, Norm norm) {
        int d = t.length;
        double need = b - dot(w, t);                                     // w . delta must equal need
        double best = Double.NaN;
        switch (norm) {
            case L2 -> { // every face of the box: coordinates at 0, at 1, or free with delta_F the min-norm solution
                int[] a = new int[d];
                for (int code = 0; code < Math.pow(3, d); code++) {
                    int rest = code;
                    for (int i = 0; i < d; i++) { a[i] = rest % 3; rest /= 3; }
                    double r = need, wf = 0;
                    double[] delta = new double[d];
                    for (int i = 0; i < d; i++) {
                        if (a[i] == 1) delta[i] = -t[i];
                        else if (a[i] == 2) delta[i] = 1 - t[i];
                        if (a[i] != 0) r -= w[i] * delta[i];
                        else wf += w[i] * w[i];
                    }
                    if (wf == 0 && Math.abs(r) > 1e-12) continue;
                    boolean ok = true;
                    for (int i = 0; i < d; i++) {
                        if (a[i] != 0) continue;
                        delta[i] = wf == 0 ? 0 : r * w[i] / wf;
                        if (t[i] + delta[i] < -1e-12 || t[i] + delta[i] > 1 + 1e-12) ok = false;
                    }
                    if (ok) best = Double.isNaN(best) ? norm2(delta) : Math.min(best, norm2(delta));
                }
            }
            case L1 -> { // LP vertices: every coordinate at -t, 0 or 1 - t except one, which solves the constraint
                int[] a = new int[d];
                for (int free = 0; free < d; free++) {
                    if (w[free] == 0) continue;
                    for (int code = 0; code < Math.pow(3, d - 1); code++) {
                        int rest = code;
                        double r = need, l1 = 0;
                        for (int i = 0; i < d; i++) {
                            if (i == free) continue;
                            a[i] = rest % 3;
                            rest /= 3;
                            double di = a[i] == 0 ? 0 : a[i] == 1 ? -t[i] : 1 - t[i];
                            r -= w[i] * di;
                            l1 += Math.abs(di);
                        }
                        double df = r / w[free];
                        if (t[free] + df < -1e-12 || t[free] + df > 1 + 1e-12) continue;
                        l1 += Math.abs(df);
                        best = Double.isNaN(best) ? l1 : Math.min(best, l1);
                    }
                }
            }
            default -> { // L-inf: bisection on the radius; the reachable values of w . delta form an interval
                double lo = 0, hi = 1;
                if (!reachable(t, w, need, hi)) return Double.NaN;
                for (int it = 0; it < 200; it++) {
                    double mid = (lo + hi) / 2;
                    if (reachable(t, w, need, mid)) hi = mid;
                    else lo = mid;
                }
                best = hi;
            }
        }
        return best;
    }

    private static boolean reachable(double[] t, double[] w, double need, double lambda) {
        double min = 0, max = 0;
        for (int i = 0; i < t.length; i++) {
            double l = Math.max(-t[i], -lambda), u = Math.min(1 - t[i], lambda);
            min += Math.min(w[i] * l, w[i] * u);
            max += Math.max(w[i] * l, w[i] * u);
        }
        return min <= need && need <= max;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double norm2(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static double normOf(double[] a, Norm n) {
        double s = 0;
        for (double v : a) s = n == Norm.LINF ? Math.max(s, Math.abs(v)) : n == Norm.L1 ? s + Math.abs(v) : s + v * v;
        return n == Norm.L2 ? Math.sqrt(s) : s;
    }

    private static double[] row(double[] flat, int i, int d) {
        return Arrays.copyOfRange(flat, i * d, (i + 1) * d);
    }

    @Test
    void theProjectionMatchesBruteForceIncludingWhereTheBoxBindsAndWhereItCannotReachThePlane() {
        Random rnd = new Random(7);
        int n = 300, d = 4;
        double[] t = new double[n * d], w = new double[n * d], b = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double u = rnd.nextDouble();
                t[i * d + j] = u < 0.1 ? 0 : u < 0.2 ? 1 : rnd.nextDouble();        // some coordinates on the faces
                w[i * d + j] = rnd.nextDouble() < 0.1 ? 0 : rnd.nextGaussian();      // some zero normals
            }
            // the plane from just beside the point to far outside the box's reach
            b[i] = dot(row(w, i, d), row(t, i, d)) + rnd.nextGaussian() * Math.pow(10, -2 + 3 * rnd.nextDouble());
        }
        int bound = 0, unreachable = 0;
        for (Norm norm : NORMS) {
            double[] delta = HyperplaneProjection.project(Tensor.of(t, n, d), Tensor.of(w, n, d), Tensor.of(b, n), norm, 0, 1).toDoubleArray();
            for (int i = 0; i < n; i++) {
                double[] ti = row(t, i, d), wi = row(w, i, d), di = row(delta, i, d);
                for (int j = 0; j < d; j++) assertTrue(ti[j] + di[j] >= -1e-12 && ti[j] + di[j] <= 1 + 1e-12, norm + " case " + i + ": inside the box");
                double expected = bruteForce(ti, wi, b[i], norm);
                if (Double.isNaN(expected)) { // out of reach: the corner that moves w . x furthest toward b
                    unreachable++;
                    double s = Math.signum(b[i] - dot(wi, ti));
                    for (int j = 0; j < d; j++) {
                        double corner = wi[j] * s > 0 ? 1 - ti[j] : wi[j] * s < 0 ? -ti[j] : 0;
                        assertEquals(corner, di[j], 1e-12, norm + " case " + i + ": corner");
                    }
                    continue;
                }
                assertEquals(b[i], dot(wi, ti) + dot(wi, di), 1e-9 * (1 + Math.abs(b[i])), norm + " case " + i + ": on the plane");
                assertEquals(expected, normOf(di, norm), 1e-9 * (1 + expected), norm + " case " + i + ": minimal");
                double free = norm == Norm.L2 ? norm2(wi) : norm == Norm.LINF ? normOf(wi, Norm.L1) : normOf(wi, Norm.LINF);
                if (expected > Math.abs(b[i] - dot(wi, ti)) / free * (1 + 1e-9)) bound++;
            }
        }
        assertTrue(bound > 100 && unreachable > 50, "the cases exercise the box: " + bound + " bound, " + unreachable + " out of reach");
    }

    @Test
    void theProjectionHasTheClosedFormsInsideTheBoxAndAWorkedExampleWhereItBinds() {
        // inside: L2 moves along w, L-inf along sign(w) by |c| / ||w||_1, L1 the largest |w_i| alone by |c| / |w_i|
        double[] t = {0.5, 0.4, 0.6}, w = {1, -2, 0.5};
        double c = dot(w, t) - 0.1, b = 0.1;
        Tensor tt = Tensor.of(t, 1, 3), wt = Tensor.of(w, 1, 3), bt = Tensor.of(new double[] {b}, 1);
        double[] l2 = HyperplaneProjection.project(tt, wt, bt, Norm.L2, 0, 1).toDoubleArray();
        double[] li = HyperplaneProjection.project(tt, wt, bt, Norm.LINF, 0, 1).toDoubleArray();
        double[] l1 = HyperplaneProjection.project(tt, wt, bt, Norm.L1, 0, 1).toDoubleArray();
        for (int j = 0; j < 3; j++) {
            assertEquals(-c * w[j] / 5.25, l2[j], 1e-15);
            assertEquals(-c * Math.signum(w[j]) / 3.5, li[j], 1e-15);
            assertEquals(j == 1 ? -c / w[1] : 0, l1[j], 1e-15);
        }
        // t = (0.9, 0.5), w = (1, 1), b = 1.9: the free L2 and L-inf steps (0.25, 0.25) leave the box; the first
        // coordinate stops at its face and the second carries the rest, (0.1, 0.4); L1 needs 0.5 in total either way
        tt = Tensor.of(new double[] {0.9, 0.5}, 1, 2);
        wt = Tensor.of(new double[] {1, 1}, 1, 2);
        bt = Tensor.of(new double[] {1.9}, 1);
        assertArrayEquals(new double[] {0.1, 0.4}, HyperplaneProjection.project(tt, wt, bt, Norm.L2, 0, 1).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0.1, 0.4}, HyperplaneProjection.project(tt, wt, bt, Norm.LINF, 0, 1).toDoubleArray(), 1e-15);
        double[] d1 = HyperplaneProjection.project(tt, wt, bt, Norm.L1, 0, 1).toDoubleArray();
        assertEquals(0.5, Math.abs(d1[0]) + Math.abs(d1[1]), 1e-15);
        assertEquals(0.5, d1[0] + d1[1], 1e-15);
        // another box: [-1, 2] lets the free steps through
        assertArrayEquals(new double[] {0.25, 0.25}, HyperplaneProjection.project(tt, wt, bt, Norm.L2, -1, 2).toDoubleArray(), 1e-15);
        // float32 rows get the same answer to float precision
        assertArrayEquals(new float[] {0.1f, 0.4f}, HyperplaneProjection.project(tt.to(DType.FLOAT32), wt.to(DType.FLOAT32), bt.to(DType.FLOAT32), Norm.LINF, 0, 1).toFloatArray(), 1e-6f);
    }

    // ---------------------------------------------------------------- linear models: the exact distance

    /**
     * The ratio FAB reaches on a linear model, from its update alone: along the segment from x to its nearest
     * boundary point (length 1), the iterate at u has d1 = (1 - u), d2 = 1, alpha = min(|1 - u| / (|1 - u| + 1), alpha-max),
     * moves to (u + eta (1 - u))(1 - alpha) + eta alpha, and is pulled back to beta u once past 1; the best of the
     * adversarial positions is the answer.
     */
    static double fabRatio(double eta, double beta, double alphaMax, int steps) {
        double u = 0, best = Double.POSITIVE_INFINITY;
        for (int it = 0; it < steps; it++) {
            double a1 = Math.max(Math.abs(1 - u), 1e-8), alpha = Math.min(a1 / (a1 + 1), alphaMax);
            u = (u + eta * (1 - u)) * (1 - alpha) + eta * alpha;
            if (u > 1) {
                best = Math.min(best, u);
                u *= beta;
            }
        }
        return best;
    }

    /** Distance of each input to each class's boundary against the label, in the norm's dual. */
    static double[][] classDistances(LinearModels.Linear lin, Tensor x, int[] y, Norm norm) {
        int k = lin.w().size(0);
        double[] z = lin.classifier().logits(x).toDoubleArray();
        double[][] out = new double[y.length][k];
        Norm dual = norm == Norm.L2 ? Norm.L2 : norm == Norm.LINF ? Norm.L1 : Norm.LINF;
        for (int i = 0; i < y.length; i++) {
            double[] wy = lin.row(y[i]);
            for (int j = 0; j < k; j++) {
                double[] diff = lin.row(j);
                for (int e = 0; e < diff.length; e++) diff[e] -= wy[e];
                out[i][j] = j == y[i] ? Double.POSITIVE_INFINITY : Math.abs(z[i * k + y[i]] - z[i * k + j]) / normOf(diff, dual);
            }
        }
        return out;
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElseThrow();
    }

    /** W random, biases placing the boundaries near the box's center, and inputs in [0.45, 0.55]. */
    static LinearModels.Linear centered(long seed, int k, int d) {
        Generator g = new Generator(seed);
        Tensor w = Tensor.randn(g, DType.FLOAT64, k, d);
        Tensor b = w.sum(new int[] {1}, false).mul(-0.5).add(Tensor.randn(g, DType.FLOAT64, k).mul(0.05));
        return new LinearModels.Linear(w, b);
    }

    /**
     * Class k weighs its own block of 3 features by 3 (plus a row shared by all classes, which no boundary sees): every
     * pair of classes has the same ||w_y - w_j|| in every norm, so the nearest boundary is the most likely other class.
     */
    static LinearModels.Linear blocks(long seed, int k) {
        Generator g = new Generator(seed);
        double[] w = new double[k * 3 * k];
        for (int c = 0; c < k; c++) for (int e = 0; e < 3; e++) w[c * 3 * k + c * 3 + e] = 3;
        Tensor shared = Tensor.randn(g, DType.FLOAT64, 1, 3 * k);
        Tensor wt = Tensor.of(w, k, 3 * k).add(shared);
        Tensor b = wt.sum(new int[] {1}, false).mul(-0.5).add(Tensor.randn(g, DType.FLOAT64, k).mul(0.05));
        return new LinearModels.Linear(wt, b);
    }

    static Tensor near(long seed, int n, int d) {
        return Tensor.rand(new Generator(seed), DType.FLOAT64, n, d).mul(0.1).add(0.45);
    }

    @Test
    void onLinearModelsFabReachesTheBoundaryDistanceTimesTheRatioItsUpdateImplies() {
        double rho = fabRatio(1.05, 0.9, 0.1, 100);
        assertTrue(rho > 1 && rho < 1.006, "the defaults end within 0.6% of the boundary: " + rho);
        Object[][] fixtures = {{"random, 2 classes", centered(3, 2, 12)}, {"random, 5 classes", centered(4, 5, 12)}, {"blocks, 4 classes", blocks(5, 4)}};
        for (Object[] fx : fixtures) {
            LinearModels.Linear lin = (LinearModels.Linear) fx[1];
            Classifier model = lin.classifier();
            Tensor x = near(6, 8, 12);
            Tensor y = model.logits(x).argmax(1);
            boolean twoClasses = lin.w().size(0) == 2, blocks = ((String) fx[0]).startsWith("blocks");
            for (Norm norm : NORMS) {
                double[][] per = classDistances(lin, x, y.toIntArray(), norm);
                for (String name : new String[] {"fab", "fab-t"}) {
                    if (name.equals("fab-t") && !twoClasses && !blocks) continue; // fab-t's first target need not be the nearest boundary
                    AttackResult r = Attacks.create(name).run(model, x, y, ThreatModel.of(norm, 10), Goal.UNTARGETED, new Generator(0));
                    for (int i = 0; i < per.length; i++) {
                        double dist = min(per[i]);
                        if (norm == Norm.L1) assertTrue(dist * rho < 0.44, "fixture: the L1 step stays inside the box");
                        String what = fx[0] + " " + name + " " + norm + " sample " + i;
                        assertTrue(r.success()[i], what);
                        assertEquals(rho * dist, r.norms().of(norm)[i], 1e-9 * dist, what);
                    }
                }
            }
        }
    }

    @Test
    void withASmallOvershootFabFindsTheExactBoundaryDistanceInEveryNormUntargetedAndTargeted() {
        Map<String, String> tight = Map.of("eta", "1.00001");
        Object[][] fixtures = {{"random, 5 classes", centered(8, 5, 12)}, {"blocks, 4 classes", blocks(9, 4)}};
        for (Object[] fx : fixtures) {
            LinearModels.Linear lin = (LinearModels.Linear) fx[1];
            Classifier model = lin.classifier();
            Tensor x = near(10, 8, 12);
            Tensor y = model.logits(x).argmax(1);
            for (Norm norm : NORMS) {
                double[][] per = classDistances(lin, x, y.toIntArray(), norm);
                for (String name : new String[] {"fab", "fab-t"}) {
                    if (name.equals("fab-t") && !((String) fx[0]).startsWith("blocks")) continue;
                    AttackResult r = Attacks.create(name, tight).run(model, x, y, ThreatModel.of(norm, 10), Goal.UNTARGETED, new Generator(0));
                    for (int i = 0; i < per.length; i++) {
                        double dist = min(per[i]), got = r.norms().of(norm)[i];
                        String what = fx[0] + " " + name + " " + norm + " sample " + i + ": " + got + " vs " + dist;
                        assertTrue(r.success()[i], what);
                        assertTrue(got >= dist * (1 - 1e-12) && got <= dist * (1 + 1e-4), what);
                    }
                }
            }
        }
    }

    @Test
    void fabTTargetsTheMostLikelyOtherClassesInTurnAndATargetedGoalReachesItsClass() {
        // 4 block classes: the second most likely class is the nearest boundary, so fab-t limited to one target
        // already breaks every point; the goal's own target is reached at that target's boundary distance
        LinearModels.Linear lin = blocks(11, 4);
        Classifier model = lin.classifier();
        Tensor x = near(12, 6, 12);
        Tensor logits = model.logits(x);
        Tensor y = logits.argmax(1);
        int[] ranked1 = new int[6];
        int[][] ranked = FastAdaptiveBoundary.rankedOtherClasses(logits.toDoubleArray(), y.toIntArray(), 4);
        for (int i = 0; i < 6; i++) ranked1[i] = ranked[i][0];
        Map<String, String> one = Map.of("targets", "1", "eta", "1.00001");
        for (Norm norm : NORMS) {
            double[][] per = classDistances(lin, x, y.toIntArray(), norm);
            AttackResult r = Attacks.create("fab-t", one).run(model, x, y, ThreatModel.of(norm, 10), Goal.UNTARGETED, new Generator(0));
            for (int i = 0; i < 6; i++) {
                assertEquals(per[i][ranked1[i]], min(per[i]), 0, "fixture: the most likely other class is the nearest");
                assertTrue(r.success()[i]);
                assertEquals(per[i][ranked1[i]], r.norms().of(norm)[i], 1e-4 * per[i][ranked1[i]], norm + " sample " + i);
            }
        }
        // a random 5-class model whose rows differ in scale, so the most likely other class is often not the nearest
        // boundary: at an eps that the first target leaves some points beyond, the later targets break more, each run
        // only on the points left
        LinearModels.Linear c5 = centered(30, 5, 12);
        Tensor scale = Tensor.of(new double[] {1, 6, 1, 0.3, 2}, 5, 1);
        LinearModels.Linear lin5 = new LinearModels.Linear(c5.w().mul(scale), c5.b().mul(scale.reshape(5)));
        Classifier model5 = lin5.classifier();
        Tensor x5 = near(31, 30, 12), y5 = model5.logits(x5).argmax(1);
        double[][] per5 = classDistances(lin5, x5, y5.toIntArray(), Norm.L2);
        double[] nearest = new double[30];
        for (int i = 0; i < 30; i++) nearest[i] = min(per5[i]);
        double eps = Arrays.stream(nearest).sorted().toArray()[15] * 1.02;
        ThreatModel t5 = ThreatModel.of(Norm.L2, eps);
        AttackResult first = Attacks.create("fab-t", Map.of("targets", "1", "steps", "20")).run(model5, x5, y5, t5, Goal.UNTARGETED, new Generator(0));
        AttackResult all = Attacks.create("fab-t", Map.of("steps", "20")).run(model5, x5, y5, t5, Goal.UNTARGETED, new Generator(0));
        int more = 0;
        for (int i = 0; i < 30; i++) {
            if (first.success()[i]) {
                assertTrue(all.success()[i], "sample " + i);
                assertEquals(20, all.iterations()[i], "broken by the first target's run: " + i);
            } else {
                assertTrue(all.iterations()[i] > 20 && all.iterations()[i] % 20 == 0 && all.iterations()[i] <= 80, "runs at the next targets: " + i);
                if (all.success()[i]) more++;
                else assertEquals(80, all.iterations()[i], "unbroken: all 4 targets tried");
            }
        }
        assertTrue(more > 0, "a later target breaks a point the first left");
        // a targeted goal at the least likely class of random 4-class models: success means reaching it, never closer
        // than its own boundary; the target region is an intersection of half-spaces, which single-hyperplane steps
        // can circle where two constraints meet at a narrow angle, so most (not all) points get there
        for (Norm norm : NORMS) {
            int reached = 0, total = 0;
            for (int seed = 0; seed < 3; seed++) {
                LinearModels.Linear lin2 = centered(20 + seed, 4, 12);
                Classifier model2 = lin2.classifier();
                Tensor x2 = near(21 + seed, 6, 12), logits2 = model2.logits(x2), y2 = logits2.argmax(1);
                double[][] per2 = classDistances(lin2, x2, y2.toIntArray(), norm);
                AttackResult t = Attacks.create("fab").run(model2, x2, y2, ThreatModel.of(norm, 10), Goal.LEAST_LIKELY, new Generator(0));
                int[] ll = logits2.argmin(1).toIntArray(), pred = model2.logits(t.adversarial()).argmax(1).toIntArray();
                for (int i = 0; i < 6; i++) {
                    total++;
                    assertEquals(pred[i] == ll[i], t.success()[i], norm + " sample " + i);
                    if (!t.success()[i]) continue;
                    reached++;
                    assertTrue(t.norms().of(norm)[i] >= per2[i][ll[i]] * (1 - 1e-12), "never closer than the target's own boundary");
                }
            }
            assertTrue(reached >= total - 2, norm + ": " + reached + " of " + total + " reach the least likely class");
        }
        assertThrows(IllegalArgumentException.class, () -> Attacks.create("fab-t", Map.of("targets", "-1")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("fab", Map.of("eta", "0.9")));
        assertTrue(e.getMessage().contains("eta") && e.getMessage().contains("0.9"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("fab", Map.of("beta", "1.5")));
        assertTrue(e.getMessage().contains("beta"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("fab", Map.of("norm", "l0")));
        assertTrue(e.getMessage().contains("linf, l2 or l1"), e.getMessage());
        assertEquals("fab-t-l2", Attacks.create("fab-t", Map.of("norm", "l2")).name());
        assertEquals(java.util.Set.of(Norm.L1), Attacks.create("fab", Map.of("norm", "l1")).supportedNorms());
    }

    // ---------------------------------------------------------------- AutoAttack's bookkeeping

    @Test
    void aPointIsBrokenOnlyWithinEpsOtherwiseReturnedCleanAndRestartsRunOnlyOnTheRest() {
        LinearModels.Linear lin = centered(13, 3, 12);
        Classifier model = lin.classifier();
        Tensor x = near(14, 10, 12);
        Tensor y = model.logits(x).argmax(1);
        double rho = fabRatio(1.05, 0.9, 0.1, 20);
        double[][] per = classDistances(lin, x, y.toIntArray(), Norm.L2);
        double[] dist = new double[per.length];
        for (int i = 0; i < dist.length; i++) dist[i] = min(per[i]);
        double[] sorted = dist.clone();
        Arrays.sort(sorted);
        double eps = Double.NaN; // between one point's FAB distance and the next point's boundary
        for (int i = 2; i < sorted.length - 2 && Double.isNaN(eps); i++) if (sorted[i + 1] > rho * sorted[i] * 1.01) eps = (rho * sorted[i] + sorted[i + 1]) / 2;
        assertFalse(Double.isNaN(eps), "fixture: a gap between the distances");
        int steps = 20, restarts = 3;
        AttackResult r = Attacks.create("fab", Map.of("steps", "" + steps, "restarts", "" + restarts)).run(model, x, y, ThreatModel.of(Norm.L2, eps), Goal.UNTARGETED, new Generator(1));
        double[] xs = x.toDoubleArray(), adv = r.adversarial().toDoubleArray();
        int broken = 0;
        for (int i = 0; i < dist.length; i++) {
            boolean within = rho * dist[i] <= eps;
            assertEquals(within, r.success()[i], "sample " + i);
            if (within) {
                broken++;
                assertEquals(rho * dist[i], r.norms().l2()[i], 1e-9 * dist[i]);
                assertEquals(steps, r.iterations()[i], "broken by the first run");
            } else {
                assertArrayEquals(row(xs, i, 12), row(adv, i, 12), 0, "returned clean");
                assertEquals(steps * restarts, r.iterations()[i], "every run attacks it");
            }
        }
        assertTrue(broken > 0 && broken < dist.length);
    }

    @Test
    void pointsAlreadyMisclassifiedAreReturnedUnchangedAndCountAsBrokenAndTheSeedFixesTheResult() {
        LinearModels.Linear lin = centered(15, 4, 12);
        Classifier model = lin.classifier();
        Tensor x = near(16, 6, 12);
        int[] y = model.logits(x).argmax(1).toIntArray();
        y[1] = (y[1] + 1) % 4;
        y[4] = (y[4] + 2) % 4;
        Tensor labels = Tensor.ofInts(y, 6);
        double[] xs = x.toDoubleArray();
        for (String name : new String[] {"fab", "fab-t"}) {
            for (Norm norm : NORMS) {
                AttackResult r = Attacks.create(name, Map.of("steps", "10")).run(model, x, labels, ThreatModel.of(norm, 10), Goal.UNTARGETED, new Generator(2));
                for (int i = 0; i < 6; i++) {
                    assertTrue(r.success()[i], name + " " + norm + " sample " + i);
                    boolean wrong = i == 1 || i == 4;
                    if (wrong) {
                        assertArrayEquals(row(xs, i, 12), row(r.adversarial().toDoubleArray(), i, 12), 0, "unchanged");
                        assertEquals(0, r.iterations()[i], "no work on a point already wrong");
                    } else {
                        assertTrue(r.norms().of(norm)[i] > 0);
                    }
                }
            }
        }
        // restarts from random starts on a nonlinear model, at an eps that leaves points unbroken: same seed, same result
        Generator g = new Generator(17);
        Sequential mlp = new Sequential(new Flatten(), new Linear(12, 16, true, g), new Activation(Activation.Kind.TANH), new Linear(16, 4, true, g));
        mlp.to(DType.FLOAT64);
        Classifier net = Classifier.of(mlp);
        Tensor xr = Tensor.rand(new Generator(18), DType.FLOAT64, 8, 12);
        Tensor yr = net.logits(xr).argmax(1);
        for (Norm norm : NORMS) {
            double eps = norm == Norm.L1 ? 0.3 : norm == Norm.L2 ? 0.1 : 0.02;
            Attack a = Attacks.create("fab", Map.of("steps", "15", "restarts", "3"));
            AttackResult r1 = a.run(net, xr, yr, ThreatModel.of(norm, eps), Goal.UNTARGETED, new Generator(19));
            AttackResult r2 = a.run(net, xr, yr, ThreatModel.of(norm, eps), Goal.UNTARGETED, new Generator(19));
            assertArrayEquals(r1.adversarial().toDoubleArray(), r2.adversarial().toDoubleArray(), 0, norm.label());
            assertTrue(Arrays.stream(r1.iterations()).anyMatch(v -> v == 45), norm + ": some point saw all three runs");
        }
    }

    // ---------------------------------------------------------------- a small trained model: FAB against DeepFool

    private static Classifier model;
    private static Tensor testX, testY;

    private static Tensor[] data(Tensor prototypes, int n, Generator g) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = (int) (Generator.uniform(g.seed(), g.reserve(1)) * 10);
        Tensor labels = Tensor.ofInts(y, n);
        Tensor x = F.oneHot(labels, 10, DType.FLOAT32).matmul(prototypes).add(Tensor.randn(g, DType.FLOAT32, n, 144).mul(0.3)).clamp(0, 1);
        return new Tensor[] {x.reshape(n, 1, 12, 12), labels};
    }

    /** A two-hidden-layer ReLU MLP (curved enough that DeepFool's linearization is visibly off) on noisy prototypes. */
    @BeforeAll
    static void train() {
        Generator g = new Generator(2025);
        Sequential mlp = new Sequential(new Flatten(), new Linear(144, 64, true, g), new Activation(Activation.Kind.RELU),
                new Linear(64, 64, true, g), new Activation(Activation.Kind.RELU), new Linear(64, 10, true, g));
        Tensor prototypes = Tensor.rand(g, DType.FLOAT32, 10, 144).gt(0.5).mul(0.3).add(0.35);
        Map<String, Tensor> params = mlp.trainableParameters();
        Adam opt = new Adam(params, 3e-3);
        mlp.train();
        for (int step = 0; step < 600; step++) {
            Tensor[] b = data(prototypes, 64, g);
            try (GradMode.Scope s = GradMode.enableGrad()) {
                Tensor loss = F.crossEntropy(mlp.forward(b[0]), b[1]);
                opt.step(Autograd.grad(loss, params.values().toArray(new Tensor[0])));
            }
        }
        model = Classifier.of(mlp);
        Tensor[] test = data(prototypes, 100, g);
        testX = test[0];
        testY = test[1];
    }

    private static double accuracy(Tensor x) {
        int[] p = model.logits(x).argmax(1).toIntArray(), y = testY.toIntArray();
        int c = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == y[i]) c++;
        return (double) c / p.length;
    }

    @Test
    void onATrainedModelFabFindsPerturbationsNoLargerThanDeepFoolsAndBreaksAtLeastAsManyPointsAtEachEps() {
        assertTrue(accuracy(testX) > 0.9, "the model learned the task");
        StringBuilder log = new StringBuilder();
        for (Norm norm : new Norm[] {Norm.L2, Norm.LINF}) {
            ThreatModel wide = ThreatModel.of(norm, norm == Norm.L2 ? 20 : 1);
            AttackResult df = Attacks.create("deepfool").run(model, testX, testY, wide, Goal.UNTARGETED, new Generator(0));
            AttackResult fab = Attacks.create("fab").run(model, testX, testY, wide, Goal.UNTARGETED, new Generator(0));
            double sumD = 0, sumF = 0;
            int both = 0;
            double[] dn = df.norms().of(norm), fn = fab.norms().of(norm);
            for (int i = 0; i < dn.length; i++) {
                if (!df.success()[i] || !fab.success()[i] || dn[i] == 0) continue;
                both++;
                sumD += dn[i];
                sumF += fn[i];
            }
            log.append(String.format(" %s: deepfool mean %.4f, fab mean %.4f over %d;", norm.label(), sumD / both, sumF / both, both));
            assertTrue(both > 80, log.toString());
            assertTrue(sumF <= 1.03 * sumD, "FAB's perturbations are no larger than DeepFool's:" + log);
            // at the quartiles of DeepFool's distances FAB leaves no more points robust (one FAB run is the same at
            // every eps, which only decides what counts: a point is broken where its distance is within eps)
            double[] sorted = Arrays.stream(dn).filter(v -> v > 0).sorted().toArray();
            for (double q : new double[] {0.25, 0.5, 0.75}) {
                double eps = sorted[(int) (q * sorted.length)];
                ThreatModel t = ThreatModel.of(norm, eps);
                double aD = accuracy(Attacks.create("deepfool").run(model, testX, testY, t, Goal.UNTARGETED, new Generator(0)).adversarial());
                double aF = 0;
                for (int i = 0; i < fn.length; i++) if (!fab.success()[i] || fn[i] > eps) aF += 1.0 / fn.length;
                log.append(String.format(" eps %.4f: deepfool %.2f fab %.2f", eps, aD, aF));
                assertTrue(aF <= aD + 1e-9, "robust accuracy under FAB at most DeepFool's:" + log);
                if (norm == Norm.L2 && q == 0.5) { // FAB-T at its eps: 9 targeted runs on the points left
                    AttackResult ft = Attacks.create("fab-t").run(model, testX, testY, t, Goal.UNTARGETED, new Generator(0));
                    double aT = accuracy(ft.adversarial());
                    log.append(String.format(" fab-t %.2f", aT));
                    assertTrue(aT <= aD, "robust accuracy under FAB-T at most DeepFool's:" + log);
                    for (double v : ft.norms().l2()) assertTrue(v <= eps * (1 + 1e-6), "within eps");
                }
                log.append(';');
            }
        }
        System.out.println("FAB vs DeepFool:" + log);
    }
}

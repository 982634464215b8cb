package dev.brink.robust.attack;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Square attack (Andriushchenko et al.): it breaks a model whose gradients are exactly zero where PGD cannot,
 * succeeds on a linear model wherever the boundary is well inside the ball and never where it lies outside,
 * respects its query budget, is reproducible from its seed, and follows the authors' p schedule.
 */
class SquareAttackTest {
    // ------------------------------------------------------------------ obfuscated gradients

    /**
     * A binary quantizer (pixels above 0.5 become 1, the others 0, built from sign, whose derivative is 0) followed
     * by the hand-built rule "class 1 when more than half the quantized pixels are on": the loss gradient is
     * exactly zero everywhere.
     */
    private static Tensor quantizedMajority(Tensor x) {
        int n = x.size(0);
        Tensor q = x.sub(0.5).sign().add(1.0).mul(0.5);
        return q.reshape(n, -1).mean(new int[] {1}, true).sub(0.5).mul(20.0); // one logit: class 1 where positive
    }

    /**
     * 16 images 1x16x16, pixels at 0.3 (off) or 0.7 (on), exactly 154 of 256 on for class 1 and 102 for class 0, at
     * random positions: every image is classified correctly with a margin of 26 pixels.
     */
    private static Tensor[] binaryImages(long seed) {
        Generator g = new Generator(seed);
        int n = 16, d = 256;
        double[] x = new double[n * d], y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            int on = i % 2 == 1 ? 154 : 102;
            Integer[] order = new Integer[d];
            double[] key = new double[d];
            for (int j = 0; j < d; j++) {
                order[j] = j;
                key[j] = Generator.uniform(g.seed(), g.reserve(1));
            }
            Arrays.sort(order, (a, b) -> Double.compare(key[a], key[b]));
            for (int j = 0; j < d; j++) x[i * d + order[j]] = j < on ? 0.7 : 0.3;
        }
        return new Tensor[] {Tensor.of(x, n, 1, 16, 16), Tensor.ofInts(Arrays.stream(y).mapToInt(v -> (int) v).toArray(), n)};
    }

    private static int correct(Classifier model, Tensor x, Tensor y) {
        int[] p = model.logits(x).argmax(1).toIntArray(), t = y.toIntArray();
        int c = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == t[i]) c++;
        return c;
    }

    @Test
    void squareBreaksAModelWithZeroGradientsThatPgdCannot() {
        Classifier model = new Classifier(SquareAttackTest::quantizedMajority);
        Tensor[] data = binaryImages(11);
        Tensor x = data[0], y = data[1];
        assertEquals(16, correct(model, x, y), "clean accuracy");
        // the gradient of the loss is exactly zero: the gradient attack has nothing to follow
        Tensor xv = x.detach().requiresGrad(true);
        try (GradMode.Scope s = GradMode.enableGrad()) {
            Tensor g = Autograd.grad(AttackLoss.CROSS_ENTROPY.value(model.logits(xv), y, false).sum(), xv)[0];
            assertEquals(0.0, g.abs().amax().item(), 0.0);
        }
        // eps 0.21 lets any pixel cross the threshold (0.3 + 0.21 > 0.5), a random start flips about 2% of them
        ThreatModel t = ThreatModel.of(Norm.LINF, 0.21);
        AttackResult pgd = Attacks.create("pgd").run(model, x, y, t, Goal.UNTARGETED, new Generator(1));
        assertEquals(16, correct(model, pgd.adversarial(), y), "PGD-40 leaves robust accuracy at the clean accuracy");
        AttackResult sq = Attacks.create("square", Map.of("queries", "500")).run(model, x, y, t, Goal.UNTARGETED, new Generator(1));
        int robust = correct(model, sq.adversarial(), y);
        assertTrue(robust <= 2, "Square breaks most points: " + robust + " of 16 still correct, queries " + Arrays.toString(sq.iterations()));
        assertTrue(sq.norms().linf().length == 16 && Arrays.stream(sq.norms().linf()).max().getAsDouble() <= 0.21 + 1e-12);
    }

    // ------------------------------------------------------------------ a linear model with known distances

    /** A binary linear model on 1x8x8 images with the boundary through the constant image 0.5. */
    private static final int D = 64;
    private static final LinearModels.Linear LIN = centred();

    private static LinearModels.Linear centred() {
        Tensor w = Tensor.randn(new Generator(21), DType.FLOAT64, 2, D);
        double[] wd = w.toDoubleArray();
        double sum = 0;
        for (int i = 0; i < D; i++) sum += wd[D + i] - wd[i];
        return new LinearModels.Linear(w, Tensor.of(new double[] {0, -0.5 * sum}, 2));
    }

    private static double[] wDiff() {
        double[] w0 = LIN.row(0), w1 = LIN.row(1), d = new double[D];
        for (int i = 0; i < D; i++) d[i] = w1[i] - w0[i];
        return d;
    }

    /**
     * Points at given signed distances (in the norm) from the boundary: 0.5 plus small noise, moved along the
     * norm's steepest direction for the margin (sign(w) for L-inf, w / ||w||_2 for L2) until the margin is
     * {@code dist * ||w||_dual}. Every point is well inside the box, so the box never binds within the balls used.
     */
    private static Tensor pointsAt(double[] dist, Norm norm) {
        double[] wd = wDiff();
        double dual = 0;
        for (double v : wd) dual += norm == Norm.LINF ? Math.abs(v) : v * v;
        if (norm == Norm.L2) dual = Math.sqrt(dual);
        double[] noise = Tensor.rand(new Generator(22), DType.FLOAT64, dist.length, D).toDoubleArray();
        double[] x = new double[dist.length * D];
        for (int i = 0; i < dist.length; i++) {
            double margin = 0;
            for (int k = 0; k < D; k++) {
                x[i * D + k] = 0.5 + 0.04 * (noise[i * D + k] - 0.5);
                margin += wd[k] * (x[i * D + k] - 0.5);
            }
            double tau = (dist[i] * dual - margin) / dual; // along the unit direction u with w . u = ||w||_dual
            for (int k = 0; k < D; k++) x[i * D + k] += tau * (norm == Norm.LINF ? Math.signum(wd[k]) : wd[k] / dual);
        }
        return Tensor.of(x, dist.length, 1, 8, 8);
    }

    private static void linearCase(Norm norm, double eps, double[] near, double[] far, Map<String, String> options) {
        double[] dist = new double[near.length + far.length];
        for (int i = 0; i < near.length; i++) dist[i] = (i % 2 == 0 ? 1 : -1) * near[i] * eps;
        for (int i = 0; i < far.length; i++) dist[near.length + i] = (i % 2 == 0 ? 1 : -1) * far[i] * eps;
        Tensor x = pointsAt(dist, norm);
        assertTrue(x.amin().item() > eps && x.amax().item() < 1 - eps, "the box never binds: every ball lies inside it");
        Classifier model = LIN.classifier();
        Tensor y = model.logits(x).argmax(1);
        int[] yi = y.toIntArray();
        for (int i = 0; i < dist.length; i++) assertEquals(dist[i] > 0 ? 1 : 0, yi[i], "point " + i + " lies on its side");
        ThreatModel t = ThreatModel.of(norm, eps);
        SquareAttack sq = (SquareAttack) Attacks.create("square", options);
        // the attack's own output (before Attack.run's projection) already lies in the ball and the box
        Attack.Problem p = new Attack.Problem(model, x, y, y, false, t, new Generator(3));
        Tensor raw = sq.perturb(p).adversarial();
        double[] rn = Projections.norm(raw.sub(x), norm).toDoubleArray();
        for (double v : rn) assertTrue(v <= eps * (1 + 1e-6), norm + ": raw perturbation " + v + " > eps " + eps);
        assertTrue(raw.amin().item() >= 0 && raw.amax().item() <= 1, "raw output in the box");
        AttackResult r = sq.run(model, x, y, t, Goal.UNTARGETED, new Generator(3));
        for (int i = 0; i < near.length; i++)
            assertTrue(r.success()[i], norm + ": the boundary at " + near[i] + " eps is found (queries " + r.iterations()[i] + ")");
        for (int i = 0; i < far.length; i++)
            assertFalse(r.success()[near.length + i], norm + ": the boundary at " + far[i] + " eps is out of reach");
        for (double v : r.norms().of(norm)) assertTrue(v <= eps * (1 + 1e-6), norm + ": " + v);
        assertTrue(r.adversarial().amin().item() >= 0 && r.adversarial().amax().item() <= 1);
    }

    @Test
    void onALinearModelSquareFindsBoundariesWellInsideTheLinfBallAndNoneOutside() {
        linearCase(Norm.LINF, 0.1, new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, new double[] {1.05, 1.2, 1.5, 2}, Map.of("queries", "2000"));
    }

    @Test
    void onALinearModelSquareFindsBoundariesWellInsideTheL2BallAndNoneOutside() {
        linearCase(Norm.L2, 0.3, new double[] {0.1, 0.2, 0.3, 0.4}, new double[] {1.05, 1.2, 1.5, 2}, Map.of("queries", "2000"));
    }

    // ------------------------------------------------------------------ queries and seeds

    @Test
    void queriesAreCountedPerPointAndNeverExceedTheBudget() {
        double eps = 0.1;
        // points 0-1 near the boundary, 2-3 far from it, 4 labelled wrongly (broken at the clean point)
        Tensor x = pointsAt(new double[] {0.3 * eps, -0.3 * eps, 3 * eps, -3 * eps, 0.5 * eps}, Norm.LINF);
        Classifier model = LIN.classifier();
        Tensor y = Tensor.ofInts(new int[] {1, 0, 1, 0, 0}, 5);
        for (Norm norm : new Norm[] {Norm.LINF, Norm.L2}) {
            int budget = 40;
            AttackResult r = Attacks.create("square", Map.of("queries", "" + budget)).run(model, x, y, ThreatModel.of(norm, norm == Norm.LINF ? eps : 0.3),
                    Goal.UNTARGETED, new Generator(5));
            int[] q = r.iterations();
            assertEquals(0, q[4], norm + ": broken at the clean point, no queries");
            assertArrayEquals(x.slice(0, 4, 5).toDoubleArray(), r.adversarial().slice(0, 4, 5).toDoubleArray(), 0, "returned unchanged");
            assertTrue(r.success()[4]);
            for (int i = 0; i < 4; i++) assertTrue(q[i] >= 1 && q[i] <= budget, norm + ": point " + i + " used " + q[i]);
            assertEquals(budget, q[2], norm + ": a point never broken spends the whole budget");
            assertEquals(budget, q[3]);
            // one batched forward pass for the clean check, one per query for the points still attacked, and
            // Attack.run's final check
            assertEquals(1 + budget + 1, r.modelCalls(), norm + ": calls");
        }
        // restarts spend a budget per run on the points still unbroken
        AttackResult r = Attacks.create("square", Map.of("queries", "30", "restarts", "3")).run(model, x, y, ThreatModel.of(Norm.LINF, eps),
                Goal.UNTARGETED, new Generator(5));
        assertEquals(90, r.iterations()[2]);
        assertEquals(0, r.iterations()[4]);
    }

    @Test
    void theSameSeedGivesTheSameResultAndAnotherSeedAnotherTrajectory() {
        double eps = 0.1;
        Tensor x = pointsAt(new double[] {0.6 * eps, -0.7 * eps, 1.5 * eps, -2 * eps}, Norm.LINF);
        Classifier model = LIN.classifier();
        Tensor y = model.logits(x).argmax(1);
        for (Norm norm : new Norm[] {Norm.LINF, Norm.L2}) {
            ThreatModel t = ThreatModel.of(norm, norm == Norm.LINF ? eps : 0.3);
            Attack sq = Attacks.create("square", Map.of("queries", "200"));
            AttackResult a = sq.run(model, x, y, t, Goal.UNTARGETED, new Generator(7));
            AttackResult b = sq.run(model, x, y, t, Goal.UNTARGETED, new Generator(7));
            AttackResult c = sq.run(model, x, y, t, Goal.UNTARGETED, new Generator(8));
            assertArrayEquals(a.adversarial().toDoubleArray(), b.adversarial().toDoubleArray(), 0, norm + ": same seed");
            assertArrayEquals(a.iterations(), b.iterations(), norm + ": same seed, same queries");
            // the far points are never broken: their best iterates differ from one seed's search to the other's
            assertFalse(Arrays.equals(a.adversarial().slice(0, 2, 4).toDoubleArray(), c.adversarial().slice(0, 2, 4).toDoubleArray()), norm + ": another seed");
        }
    }

    // ------------------------------------------------------------------ schedule, pattern, options

    @Test
    void thePScheduleHalvesAtTheAuthorsQueryCounts() {
        double p0 = 0.8;
        // unstretched (AutoAttack): the index is the query count
        int[] its = {0, 10, 11, 50, 51, 200, 201, 500, 501, 1000, 1001, 2000, 2001, 4000, 4001, 6000, 6001, 8000, 8001, 9999};
        double[] want = {0.8, 0.8, 0.4, 0.4, 0.2, 0.2, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125, 0.00625, 0.00625, 0.003125, 0.003125,
                0.0015625, 0.0015625};
        for (int i = 0; i < its.length; i++) assertEquals(want[i], SquareAttack.pSchedule(its[i], 5000, p0, false), 1e-15, "it " + its[i]);
        // stretched to 5000 queries: i -> floor(i / 5000 * 10000) = 2i
        assertEquals(0.8, SquareAttack.pSchedule(5, 5000, p0, true), 0);    // 10
        assertEquals(0.4, SquareAttack.pSchedule(6, 5000, p0, true), 0);    // 12
        assertEquals(0.4, SquareAttack.pSchedule(25, 5000, p0, true), 0);   // 50
        assertEquals(0.2, SquareAttack.pSchedule(26, 5000, p0, true), 0);   // 52
        assertEquals(0.8 / 256, SquareAttack.pSchedule(4000, 5000, p0, true), 0); // 8000
        assertEquals(0.8 / 512, SquareAttack.pSchedule(4001, 5000, p0, true), 0); // 8002
        // stretched to 1000 queries: i -> 10 i; and 10000 queries leave the index alone
        assertEquals(0.8, SquareAttack.pSchedule(1, 1000, p0, true), 0);     // 10
        assertEquals(0.4, SquareAttack.pSchedule(2, 1000, p0, true), 0);     // 20
        assertEquals(0.8 / 16, SquareAttack.pSchedule(100, 1000, p0, true), 0); // 1000
        assertEquals(0.8 / 32, SquareAttack.pSchedule(101, 1000, p0, true), 0); // 1010
        for (int it : its) assertEquals(SquareAttack.pSchedule(it, 10000, p0, false), SquareAttack.pSchedule(it, 10000, p0, true), 0);
        // window sides: CIFAR-10 at p 0.8 covers round(sqrt(0.8 * 1024)) = 29 pixels; the L2 side is odd and >= 3
        assertEquals(29, SquareAttack.sideLinf(0.8, 32, 32));
        assertEquals(1, SquareAttack.sideLinf(0.8 / 512, 32, 32));
        assertEquals(7, SquareAttack.sideL2(0.05, 28, 28)); // sqrt(39.2) = 6.26 -> 6 -> 7
        assertEquals(3, SquareAttack.sideL2(0.001, 28, 28));
        assertEquals(1, SquareAttack.sideL2(0.8, 1, 64)); // [N, D] read as one row: single features
    }

    @Test
    void theL2PatternIsTheAuthorsTwoLobedSquare() {
        // side 3: top row the rectangles of a 1x3 grid, [1/4, 5/4, 1/4]; bottom two rows minus those of a 2x3 grid
        double a = 1 / Math.sqrt(2 * (2 * 0.0625 + 1.5625)), b = 1 / Math.sqrt(2 * (5 * 0.0625 + 1.5625));
        double[] want = {0.25 * a, 1.25 * a, 0.25 * a, -0.25 * b, -0.25 * b, -0.25 * b, -0.25 * b, -1.25 * b, -0.25 * b};
        assertArrayEquals(want, SquareAttack.eta(3), 1e-15);
        for (int s : new int[] {1, 2, 5, 6, 29}) {
            double n = 0;
            for (double v : SquareAttack.eta(s)) n += v * v;
            assertEquals(1, n, 1e-12, "unit norm at side " + s);
        }
    }

    @Test
    void theLinfStartIsVerticalStripesAndAProposalOneSignedSquare() {
        int c = 2, h = 5, w = 7;
        double eps = 0.1;
        ThreatModel t = ThreatModel.of(Norm.LINF, eps);
        Tensor x = LinearModels.midBox(40, DType.FLOAT64, 3, c, h, w);
        double[] d = SquareAttack.start(x, t, new Generator(41)).sub(x).toDoubleArray();
        for (int i = 0; i < 3; i++)
            for (int ch = 0; ch < c; ch++)
                for (int col = 0; col < w; col++) {
                    double top = d[((i * c + ch) * h) * w + col];
                    assertEquals(eps, Math.abs(top), 1e-12);
                    for (int r = 1; r < h; r++) assertEquals(top, d[((i * c + ch) * h + r) * w + col], 1e-12, "one sign per column");
                }
        // a proposal of side 3 from the clean point: one 3x3 window per point, x +- eps in it, one sign per channel
        double[] q = SquareAttack.proposeLinf(x, x, 3, t, new Generator(42)).sub(x).toDoubleArray();
        for (int i = 0; i < 3; i++) {
            for (int ch = 0; ch < c; ch++) {
                int changed = 0, minR = h, minC = w;
                double sign = 0;
                for (int r = 0; r < h; r++)
                    for (int col = 0; col < w; col++) {
                        double v = q[((i * c + ch) * h + r) * w + col];
                        if (v == 0) continue;
                        changed++;
                        minR = Math.min(minR, r);
                        minC = Math.min(minC, col);
                        assertEquals(eps, Math.abs(v), 1e-12);
                        if (sign == 0) sign = Math.signum(v);
                        assertEquals(sign, Math.signum(v), "one sign per channel");
                    }
                assertEquals(9, changed);
                for (int r = minR; r < minR + 3; r++)
                    for (int col = minC; col < minC + 3; col++) assertNotEquals(0.0, q[((i * c + ch) * h + r) * w + col], "a square");
            }
        }
    }

    @Test
    void theL2StartTilesFiveByFiveAndTheUpdateMovesMassBetweenTwoWindows() {
        int h = 28, s0 = 5;
        double eps = 1.0;
        ThreatModel t = ThreatModel.of(Norm.L2, eps);
        Tensor x = LinearModels.midBox(43, DType.FLOAT64, 2, 1, h, h);
        Tensor st = SquareAttack.start(x, t, new Generator(44));
        double[] d = st.sub(x).toDoubleArray();
        double[] norm = Projections.norm(st.sub(x), Norm.L2).toDoubleArray();
        double[] eta = SquareAttack.eta(s0);
        for (int i = 0; i < 2; i++) {
            assertEquals(eps, norm[i], 1e-9, "the start lies on the sphere");
            // the reference's grid on 28 pixels: five tiles of 5 from row and column 1; rows and columns 0, 26, 27 untouched
            for (int k = 0; k < h; k++)
                for (int e : new int[] {0, 26, 27}) {
                    assertEquals(0, d[(i * h + e) * h + k], 0);
                    assertEquals(0, d[(i * h + k) * h + e], 0);
                }
            // each tile is +-eta or +-eta transposed, all with the same scale (eps over the norm of 25 unit tiles)
            for (int a = 0; a < 5; a++)
                for (int b = 0; b < 5; b++) {
                    double[] tile = new double[s0 * s0];
                    for (int r = 0; r < s0; r++) for (int col = 0; col < s0; col++) tile[r * s0 + col] = d[(i * h + 1 + a * s0 + r) * h + 1 + b * s0 + col] * 5 / eps;
                    assertTrue(matchesUpToSign(tile, eta, false) || matchesUpToSign(tile, eta, true), "tile " + a + "," + b);
                }
        }
        // from the clean point the whole budget goes into window 1: +-eta (or its transpose) times eps / sqrt(C) per channel
        int c = 3, s = 5, w = 9;
        Tensor x3 = LinearModels.midBox(45, DType.FLOAT64, 4, c, w, w);
        double[] q = SquareAttack.proposeL2(x3, x3, s, t, new Generator(46)).sub(x3).toDoubleArray();
        for (int i = 0; i < 4; i++) {
            for (int ch = 0; ch < c; ch++) {
                int minR = w, minC = w, changed = 0;
                for (int r = 0; r < w; r++)
                    for (int col = 0; col < w; col++)
                        if (q[((i * c + ch) * w + r) * w + col] != 0) {
                            changed++;
                            minR = Math.min(minR, r);
                            minC = Math.min(minC, col);
                        }
                assertTrue(changed <= s * s && changed > 0);
                double[] win = new double[s * s];
                for (int r = 0; r < s; r++)
                    for (int col = 0; col < s; col++)
                        if (minR + r < w && minC + col < w) win[r * s + col] = q[((i * c + ch) * w + minR + r) * w + minC + col] * Math.sqrt(c) / eps;
                assertTrue(matchesUpToSign(win, SquareAttack.eta(s), false) || matchesUpToSign(win, SquareAttack.eta(s), true), "point " + i + " channel " + ch);
            }
        }
        // from a point on the sphere: the norm stays eps and only the two windows change (at most 2 s^2 per channel)
        Tensor x4 = LinearModels.midBox(47, DType.FLOAT64, 4, c, w, w);
        Tensor b4 = SquareAttack.start(x4, t, new Generator(48));
        Tensor cand = SquareAttack.proposeL2(x4, b4, 3, t, new Generator(49));
        for (double v : Projections.norm(cand.sub(x4), Norm.L2).toDoubleArray()) assertEquals(eps, v, 1e-9);
        double[] moved = cand.sub(b4).toDoubleArray();
        for (int i = 0; i < 4; i++)
            for (int ch = 0; ch < c; ch++) {
                int changed = 0;
                for (int k = 0; k < w * w; k++) if (Math.abs(moved[(i * c + ch) * w * w + k]) > 1e-12) changed++;
                assertTrue(changed <= 18, "point " + i + " channel " + ch + ": " + changed + " features moved");
            }
    }

    /** Whether v is +pattern or -pattern (transposed when asked), to 1e-9. */
    private static boolean matchesUpToSign(double[] v, double[] pattern, boolean transposed) {
        int s = (int) Math.round(Math.sqrt(pattern.length));
        for (double sign : new double[] {1, -1}) {
            boolean ok = true;
            for (int r = 0; r < s && ok; r++)
                for (int col = 0; col < s && ok; col++) ok = Math.abs(v[r * s + col] - sign * pattern[transposed ? col * s + r : r * s + col]) < 1e-9;
            if (ok) return true;
        }
        return false;
    }

    @Test
    void targetedRunsAimAtTheMostLikelyOtherClassesInTurn() {
        // the t-th most likely class other than the label, from the clean logits
        Tensor z = Tensor.of(new double[][] {{1, 5, 3, 4}, {9, 2, 7, 8}});
        Tensor lab = Tensor.ofInts(new int[] {1, 3}, 2);
        assertArrayEquals(new int[] {3, 0}, SquareAttack.otherClass(z, lab, 1).toIntArray());
        assertArrayEquals(new int[] {2, 2}, SquareAttack.otherClass(z, lab, 2).toIntArray());
        assertArrayEquals(new int[] {0, 1}, SquareAttack.otherClass(z, lab, 3).toIntArray());

        // two classes: the one targeted run (cross-entropy of the other class) is the targeted goal at the other
        // class, draw for draw, and the untargeted search with the cross-entropy loss
        double eps = 0.1;
        Tensor x = pointsAt(new double[] {0.2 * eps, -0.3 * eps, 0.9 * eps, -2 * eps}, Norm.LINF);
        Classifier model = LIN.classifier();
        Tensor y = model.logits(x).argmax(1);
        ThreatModel t = ThreatModel.of(Norm.LINF, eps);
        AttackResult tr = Attacks.create("square", Map.of("queries", "300", "targets", "1")).run(model, x, y, t, Goal.UNTARGETED, new Generator(4));
        AttackResult ce = Attacks.create("square", Map.of("queries", "300", "loss", "ce")).run(model, x, y, t, Goal.UNTARGETED, new Generator(4));
        AttackResult tg = Attacks.create("square", Map.of("queries", "300")).run(model, x, y, t, Goal.targeted(Tensor.ofInts(Arrays.stream(y.toIntArray()).map(c -> 1 - c).toArray(), 4)), new Generator(4));
        assertArrayEquals(tg.adversarial().toDoubleArray(), tr.adversarial().toDoubleArray(), 0);
        assertArrayEquals(tr.iterations(), tg.iterations());
        // the two cross-entropies are monotone in the same margin, equal decisions up to rounding ties
        assertArrayEquals(ce.adversarial().toDoubleArray(), tr.adversarial().toDoubleArray(), 1e-12);
        assertArrayEquals(ce.iterations(), tr.iterations());
        assertTrue(tr.success()[0] && tr.success()[1] && !tr.success()[3], Arrays.toString(tr.success()));
        // the margin loss takes another path
        AttackResult mg = Attacks.create("square", Map.of("queries", "300")).run(model, x, y, t, Goal.UNTARGETED, new Generator(4));
        assertFalse(Arrays.equals(mg.adversarial().toDoubleArray(), tr.adversarial().toDoubleArray()));

        // four classes, three targets: a point out of reach spends a budget per target, the others stop when broken
        LinearModels.Linear lin = LinearModels.random(31, 4, 36, DType.FLOAT64);
        Classifier four = lin.classifier();
        Tensor x4 = LinearModels.midBox(32, DType.FLOAT64, 6, 1, 6, 6);
        Tensor y4 = four.logits(x4).argmax(1);
        AttackResult small = Attacks.create("square", Map.of("queries", "50", "targets", "3")).run(four, x4, y4, ThreatModel.of(Norm.LINF, 1e-4), Goal.UNTARGETED,
                new Generator(1));
        for (int q : small.iterations()) assertEquals(150, q, "three runs of 50 queries: " + Arrays.toString(small.iterations()));
        AttackResult big = Attacks.create("square", Map.of("queries", "50", "targets", "3")).run(four, x4, y4, ThreatModel.of(Norm.LINF, 0.3), Goal.UNTARGETED,
                new Generator(1));
        for (int i = 0; i < 6; i++) assertTrue(big.success()[i] && big.iterations()[i] <= 50, "broken in the first targeted run: " + Arrays.toString(big.iterations()));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("square", Map.of("targets", "4"))
                .run(four, x4, y4, t, Goal.UNTARGETED, new Generator(1)));
        assertTrue(e.getMessage().contains("targets=4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("square", Map.of("targets", "1"))
                .run(four, x4, y4, t, Goal.LEAST_LIKELY, new Generator(1)));
        assertTrue(e.getMessage().contains("untargeted goals"), e.getMessage());
    }

    @Test
    void badOptionsAndInputsAreClearErrors() {
        Map<String, String> bad = new HashMap<>();
        bad.put("queries", "0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("square", bad));
        assertTrue(e.getMessage().contains("queries"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("square", Map.of("p-init", "1.5")));
        assertTrue(e.getMessage().contains("p-init"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("square", Map.of("loss", "dlr")));
        assertTrue(e.getMessage().contains("loss") && e.getMessage().contains("margin"), e.getMessage());
        Classifier model = new Classifier(x -> x.reshape(x.size(0), -1).sum(new int[] {1}, true));
        Tensor x5 = Tensor.rand(new Generator(1), DType.FLOAT64, 2, 1, 2, 2, 2);
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("square").run(model, x5, Tensor.ofInts(new int[] {0, 0}, 2),
                ThreatModel.of(Norm.LINF, 0.1), Goal.UNTARGETED, new Generator(1)));
        assertTrue(e.getMessage().contains("[N, C, H, W]"), e.getMessage());
    }

    @Test
    void flatInputsAreSearchedFeatureByFeature() {
        // [N, D] is read as [N, 1, 1, D]: the windows are single features, and a linear model still falls
        Classifier model = LIN.classifier();
        double eps = 0.1;
        Tensor x = pointsAt(new double[] {0.3 * eps, -0.3 * eps}, Norm.LINF).reshape(2, D);
        Tensor y = model.logits(x).argmax(1);
        AttackResult r = Attacks.create("square", Map.of("queries", "1000")).run(model, x, y, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(2));
        assertTrue(r.success()[0] && r.success()[1], Arrays.toString(r.iterations()));
        assertArrayEquals(new int[] {2, D}, r.adversarial().shape());
    }
}

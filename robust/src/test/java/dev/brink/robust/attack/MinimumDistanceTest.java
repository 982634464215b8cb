package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import dev.brink.engine.Autograd;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.GradOptions;

import static org.junit.jupiter.api.Assertions.*;

/**
 * DeepFool and C&amp;W with their default options: on linear models, where the distance to the decision boundary is
 * known in closed form, and DeepFool against a re-implementation of the authors' algorithm on a trained MLP.
 */
class MinimumDistanceTest {
    /** min over k != c of |z_c - z_k| / ||w_c - w_k||_q (q = 2, or 1 for the L-inf distance). */
    static double[] boundaryDistance(LinearModels.Linear lin, Tensor x, Tensor y, boolean linf) {
        int k = lin.w().size(0);
        double[] z = lin.classifier().logits(x).toDoubleArray();
        int[] c = y.toIntArray();
        double[] out = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            double best = Double.POSITIVE_INFINITY;
            double[] wc = lin.row(c[i]);
            for (int j = 0; j < k; j++) {
                if (j == c[i]) continue;
                double[] wj = lin.row(j);
                double norm = 0;
                for (int d = 0; d < wc.length; d++) norm += linf ? Math.abs(wc[d] - wj[d]) : (wc[d] - wj[d]) * (wc[d] - wj[d]);
                best = Math.min(best, Math.abs(z[i * k + c[i]] - z[i * k + j]) / (linf ? norm : Math.sqrt(norm)));
            }
            out[i] = best;
        }
        return out;
    }

    @Test
    void deepFoolFindsTheExactDistanceToTheBoundaryOfBinaryAndMultiClassLinearModels() {
        for (int k : new int[] {2, 5}) {
            LinearModels.Linear lin = LinearModels.random(10 + k, k, 12, DType.FLOAT64);
            Classifier model = lin.classifier();
            Tensor x = LinearModels.midBox(20, DType.FLOAT64, 6, 12);
            Tensor y = model.logits(x).argmax(1);
            for (Norm n : new Norm[] {Norm.L2, Norm.LINF}) {
                double[] dist = boundaryDistance(lin, x, y, n == Norm.LINF);
                AttackResult r = Attacks.create("deepfool").run(model, x, y, ThreatModel.of(n, 10), Goal.UNTARGETED, new Generator(0));
                double[] got = r.norms().of(n);
                for (int i = 0; i < dist.length; i++) {
                    assertTrue(r.success()[i]);
                    // one step of length dist + xi (the authors' 1e-4 in the [0, 1] box), scaled by 1 + overshoot
                    assertEquals(1.02 * (dist[i] + 1e-4), got[i], 1e-9 * dist[i], k + " classes, " + n + ", sample " + i);
                    assertEquals(1, r.iterations()[i], "one step on a linear model");
                }
            }
        }
    }

    @Test
    void carliniWagnerWithItsDefaultsComesWithinOnePercentOfTheBoundaryDistance() {
        for (int k : new int[] {2, 4}) {
            LinearModels.Linear lin = LinearModels.random(30 + k, k, 12, DType.FLOAT64);
            Classifier model = lin.classifier();
            Tensor x = LinearModels.midBox(21, DType.FLOAT64, 6, 12);
            Tensor y = model.logits(x).argmax(1);
            double[] dist = boundaryDistance(lin, x, y, false);
            AttackResult r = Attacks.create("cw-l2").run(model, x, y, ThreatModel.of(Norm.L2, 10), Goal.UNTARGETED, new Generator(0));
            for (int i = 0; i < dist.length; i++) {
                assertTrue(r.success()[i]);
                double l2 = r.norms().l2()[i];
                assertTrue(l2 >= dist[i] * (1 - 1e-9), "never inside the boundary: " + l2 + " vs " + dist[i]);
                assertTrue(l2 <= dist[i] * 1.01, k + " classes, sample " + i + ": " + l2 + " vs " + dist[i]);
            }
        }
    }

    /**
     * Moosavi-Dezfooli et al.'s DeepFool as their reference code runs it, one sample at a time in double precision,
     * with each iterate clipped to the box [0, 1] (as Foolbox does): at most 50 steps; each linearizes every class
     * k != y at the current point, {@code w_k = grad z_k - grad z_y}, {@code f_k = z_k - z_y}, picks the k of least
     * {@code |f_k| / ||w_k||_q} (q = 2, or 1 for L-inf), adds {@code (|f_k| / ||w_k||_q + 1e-4)} times the unit step
     * direction ({@code w_k / ||w_k||_2}, or {@code sign(w_k)}) to r_total, and moves to
     * {@code clip(x + 1.02 r_total)}; it stops once the prediction leaves y. With {@code leaveOutBlocked} the
     * coordinates the box blocks in w_k's direction are dropped from w_k (what Brink's DeepFool once did). Returns
     * the final iterates, {@code [N, D]} row-major.
     */
    static double[] authorsDeepFool(Classifier model, Tensor x, Tensor y, boolean linf, boolean leaveOutBlocked) {
        int n = x.size(0), d = x.numel() / n;
        double[] x0 = x.toDoubleArray(), cur = x0.clone(), total = new double[n * d];
        int[] label = y.toIntArray();
        boolean[] done = new boolean[n];
        for (int it = 0; it <= 50; it++) {
            Tensor xv = Tensor.fromHost(x.backend(), x.dtype(), cur, x.shape()).requiresGrad(true);
            double[] z;
            double[][] g;
            int k;
            try (GradMode.Scope s = GradMode.enableGrad()) {
                Tensor logits = model.logits(xv);
                k = logits.size(1);
                g = new double[k][];
                for (int c = 0; c < k; c++) {
                    Tensor seed = F.oneHot(Tensor.full(logits.backend(), DType.INT32, c, n), k, logits.dtype());
                    g[c] = Autograd.grad(logits, xv, GradOptions.defaults().gradOutputs(seed).retainGraph(c < k - 1))[0].toDoubleArray();
                }
                z = logits.detach().toDoubleArray();
            }
            boolean active = false;
            for (int i = 0; i < n; i++) {
                if (done[i]) continue;
                int yi = label[i], pred = 0;
                for (int c = 1; c < k; c++) if (z[i * k + c] > z[i * k + pred]) pred = c;
                if (pred != yi || it == 50) {
                    done[i] = true;
                    continue;
                }
                active = true;
                double best = Double.POSITIVE_INFINITY;
                double[] bestW = null;
                for (int c = 0; c < k; c++) {
                    if (c == yi) continue;
                    double[] w = new double[d];
                    double norm = 0;
                    for (int j = 0; j < d; j++) {
                        double wj = g[c][i * d + j] - g[yi][i * d + j], xj = cur[i * d + j];
                        if (leaveOutBlocked && (wj > 0 && xj >= 1 || wj < 0 && xj <= 0)) wj = 0;
                        w[j] = wj;
                        norm += linf ? Math.abs(wj) : wj * wj;
                    }
                    double dist = Math.abs(z[i * k + c] - z[i * k + yi]) / (linf ? norm : Math.sqrt(norm));
                    if (dist < best) {
                        best = dist;
                        bestW = w;
                    }
                }
                double l2 = 0;
                for (double v : bestW) l2 += v * v;
                l2 = Math.sqrt(l2);
                for (int j = 0; j < d; j++) {
                    total[i * d + j] += (best + 1e-4) * (linf ? Math.signum(bestW[j]) : bestW[j] / l2);
                    cur[i * d + j] = Math.min(1, Math.max(0, x0[i * d + j] + 1.02 * total[i * d + j]));
                }
            }
            if (!active) break;
        }
        return cur;
    }

    /** Mean norm of the perturbation over the samples the batch {@code adv} misclassifies, and their count. */
    private static double[] meanOverFooled(SmallMlp f, double[] adv, Norm norm) {
        Tensor a = Tensor.fromHost(f.x.backend(), f.x.dtype(), adv, f.x.shape());
        double[] v = Projections.norm(a.sub(f.x), norm).toDoubleArray();
        int[] pred = f.model.logits(a).argmax(1).toIntArray(), y = f.y.toIntArray();
        double sum = 0;
        int fooled = 0;
        for (int i = 0; i < v.length; i++) {
            if (pred[i] != y[i]) {
                sum += v[i];
                fooled++;
            }
        }
        return new double[] {sum / fooled, fooled};
    }

    @Test
    void deepFoolIsAsCloseAsTheAuthorsAlgorithmOnATrainedMlpWhereLeavingOutBoxBlockedCoordinatesIsNot() {
        SmallMlp f = SmallMlp.get();
        for (Norm n : new Norm[] {Norm.L2, Norm.LINF}) {
            AttackResult r = Attacks.create("deepfool").run(f.model, f.x, f.y, ThreatModel.of(n, 100), Goal.UNTARGETED, new Generator(0));
            double[] brink = meanOverFooled(f, r.adversarial().toDoubleArray(), n);
            double[] authors = meanOverFooled(f, authorsDeepFool(f.model, f.x, f.y, n == Norm.LINF, false), n);
            double[] leftOut = meanOverFooled(f, authorsDeepFool(f.model, f.x, f.y, n == Norm.LINF, true), n);
            String what = n + ": mean norm brink " + brink[0] + " (" + brink[1] + " fooled), authors' " + authors[0] + " (" + authors[1]
                    + "), blocked coordinates left out " + leftOut[0] + " (" + leftOut[1] + ")";
            assertEquals(SmallMlp.N, authors[1], what);
            assertEquals(SmallMlp.N, brink[1], what);
            assertTrue(brink[0] <= authors[0] * 1.002, what);
            // the cause of the gap users saw: leaving the box-blocked coordinates out ends farther away on this model
            assertTrue(leftOut[0] >= authors[0] * 1.01, what);
        }
    }
}

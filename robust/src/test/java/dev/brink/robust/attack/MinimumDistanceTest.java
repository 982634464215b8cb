package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** DeepFool and C&W on linear models, where the distance to the decision boundary is known in closed form. */
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
                    assertEquals(1.02 * dist[i], got[i], 1e-9 * dist[i], k + " classes, " + n + ", sample " + i);
                    assertEquals(1, r.iterations()[i], "one step on a linear model");
                }
            }
        }
    }

    @Test
    void carliniWagnerComesWithinOnePercentOfTheBoundaryDistance() {
        for (int k : new int[] {2, 4}) {
            LinearModels.Linear lin = LinearModels.random(30 + k, k, 12, DType.FLOAT64);
            Classifier model = lin.classifier();
            Tensor x = LinearModels.midBox(21, DType.FLOAT64, 6, 12);
            Tensor y = model.logits(x).argmax(1);
            double[] dist = boundaryDistance(lin, x, y, false);
            AttackResult r = Attacks.create("cw-l2", Map.of("steps", "300", "binary-steps", "9")).run(model, x, y, ThreatModel.of(Norm.L2, 10), Goal.UNTARGETED, new Generator(0));
            for (int i = 0; i < dist.length; i++) {
                assertTrue(r.success()[i]);
                double l2 = r.norms().l2()[i];
                assertTrue(l2 >= dist[i] * (1 - 1e-9), "never inside the boundary: " + l2 + " vs " + dist[i]);
                assertTrue(l2 <= dist[i] * 1.01, k + " classes, sample " + i + ": " + l2 + " vs " + dist[i]);
            }
        }
    }
}

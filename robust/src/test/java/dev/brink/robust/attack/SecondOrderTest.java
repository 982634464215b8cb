package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seed 002's second-order attack: exact power iteration on a known quadratic, and both variants on a linear model,
 * under L2 (the paper's L2-normalized step) and L-inf (the signed step by default).
 */
class SecondOrderTest {
    private static final int D = 6;
    private static final double[] EIGEN = {5, -2, 1.5, 1, 0.5, 0.1};

    /** Orthonormal columns q_k (Gram-Schmidt of a random matrix) and A = sum_k lambda_k q_k q_k^T. */
    private static double[][] basis() {
        double[][] q = new double[D][];
        double[] r = Tensor.randn(new Generator(42), DType.FLOAT64, D, D).toDoubleArray();
        for (int k = 0; k < D; k++) {
            double[] v = java.util.Arrays.copyOfRange(r, k * D, k * D + D);
            for (int j = 0; j < k; j++) {
                double dot = 0;
                for (int i = 0; i < D; i++) dot += v[i] * q[j][i];
                for (int i = 0; i < D; i++) v[i] -= dot * q[j][i];
            }
            double nrm = 0;
            for (double a : v) nrm += a * a;
            for (int i = 0; i < D; i++) v[i] /= Math.sqrt(nrm);
            q[k] = v;
        }
        return q;
    }

    private static Tensor matrix(double[][] q) {
        double[] a = new double[D * D];
        for (int k = 0; k < D; k++) for (int i = 0; i < D; i++) for (int j = 0; j < D; j++) a[i * D + j] += EIGEN[k] * q[k][i] * q[k][j];
        return Tensor.of(a, D, D);
    }

    private static double cos(double[] a, int off, double[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < D; i++) {
            dot += a[off + i] * b[i];
            na += a[off + i] * a[off + i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void exactPowerIterationRecoversTheTopEigenvectorOfAQuadraticLoss() {
        double[][] q = basis();
        Tensor a = matrix(q);
        Function<Tensor, Tensor> loss = x -> x.matmul(a).mul(x).sum().mul(0.5); // per-sample 0.5 x^T A x, summed
        Tensor x = Tensor.randn(new Generator(1), DType.FLOAT64, 3, D);
        double[] e = SecondOrderExact.topEigenvector(loss, x, 40, new Generator(2)).toDoubleArray();
        for (int s = 0; s < 3; s++) assertTrue(Math.abs(cos(e, s * D, q[0])) > 0.999, "sample " + s + ": |cos| " + Math.abs(cos(e, s * D, q[0])));
        // at a stationary point the attack direction is the top eigenvector itself
        Tensor zero = x.zerosLike();
        double[] dir = SecondOrderExact.direction(loss, zero, zero, 40, 0.1, new Generator(3)).toDoubleArray();
        for (int s = 0; s < 3; s++) assertTrue(Math.abs(cos(dir, s * D, q[0])) > 0.999);
        // elsewhere it is grad + xi * lambda_1 * e, with e signed along the gradient
        Tensor grad = x.matmul(a);
        double[] got = SecondOrderExact.direction(loss, x, grad, 40, 0.1, new Generator(4)).toDoubleArray(), g = grad.toDoubleArray();
        for (int s = 0; s < 3; s++) {
            double dot = 0;
            for (int i = 0; i < D; i++) dot += g[s * D + i] * q[0][i];
            for (int i = 0; i < D; i++) assertEquals(g[s * D + i] + 0.1 * EIGEN[0] * Math.signum(dot) * q[0][i], got[s * D + i], 1e-6);
        }
    }

    @Test
    void bothVariantsReachTheL2OptimumOfALinearModelAndTraceTheGradientNorm() {
        LinearModels.Linear lin = LinearModels.random(5, 2, 12, DType.FLOAT64);
        Classifier model = lin.classifier();
        Tensor x = LinearModels.midBox(6, DType.FLOAT64, 4, 12);
        Tensor y = model.logits(x).argmax(1);
        double[] w0 = lin.row(0), w1 = lin.row(1);
        double l2 = 0;
        for (int i = 0; i < w0.length; i++) l2 += (w1[i] - w0[i]) * (w1[i] - w0[i]);
        double eps = 0.2;
        double[] before = AttackLoss.margin(model.logits(x), y).toDoubleArray();
        for (String name : new String[] {"second-order", "second-order-exact"}) {
            GradientDescent a = (GradientDescent) Attacks.create(name, name.equals("second-order")
                    ? Map.of("steps", "20", "random-start", "false", "early-stop", "false", "trace", "true", "samples", "4")
                    : Map.of("steps", "20", "random-start", "false", "early-stop", "false"));
            AttackResult r = a.run(model, x, y, ThreatModel.of(Norm.L2, eps), Goal.UNTARGETED, new Generator(7));
            double[] after = AttackLoss.margin(model.logits(r.adversarial()), y).toDoubleArray();
            for (int i = 0; i < before.length; i++) assertEquals(before[i] - eps * Math.sqrt(l2), after[i], 1e-9, name + " sample " + i);
            double[] trace = a.lastGradientNormTrace();
            assertEquals(20, trace.length, name);
            for (int t = 1; t < trace.length; t++) assertTrue(trace[t] >= trace[t - 1] - 1e-12, "the CE gradient grows as the margin falls: " + name);
        }
    }

    @Test
    void underLinfTheDefaultStepIsTheSignedStepAndReachesTheLinfOptimumWhereTheL2StepBarelyMoves() {
        int d = 400;
        LinearModels.Linear lin = LinearModels.random(8, 2, d, DType.FLOAT64);
        Classifier model = lin.classifier();
        Tensor x = LinearModels.midBox(9, DType.FLOAT64, 4, d);
        Tensor y = model.logits(x).argmax(1);
        double[] w0 = lin.row(0), w1 = lin.row(1);
        double l1 = 0;
        for (int i = 0; i < d; i++) l1 += Math.abs(w1[i] - w0[i]);
        double eps = 0.05;
        double[] before = AttackLoss.margin(model.logits(x), y).toDoubleArray();
        for (String name : new String[] {"second-order", "second-order-exact"}) {
            // defaults but for early stop, so that every sample goes on to the corner of the box
            AttackResult r = Attacks.create(name, Map.of("early-stop", "false")).run(model, x, y, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(7));
            double[] after = AttackLoss.margin(model.logits(r.adversarial()), y).toDoubleArray();
            for (int i = 0; i < before.length; i++) assertEquals(before[i] - eps * l1, after[i], 1e-9, name + " sample " + i + ": the L-inf optimum, as PGD");
            // the L2-normalized step of PGD's length covers 2.5 / sqrt(D) of the half-width: here under a quarter of the way
            AttackResult l2 = Attacks.create(name, Map.of("early-stop", "false", "normalize", "l2")).run(model, x, y, ThreatModel.of(Norm.LINF, eps), Goal.UNTARGETED, new Generator(7));
            double[] short_ = AttackLoss.margin(model.logits(l2.adversarial()), y).toDoubleArray();
            for (int i = 0; i < before.length; i++) assertTrue(before[i] - short_[i] < 0.25 * eps * l1, name + " normalize=l2 sample " + i + ": " + (before[i] - short_[i]) + " of " + eps * l1);
        }
    }
}

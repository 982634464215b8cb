package dev.brink.robust.analysis;

import dev.brink.engine.DType;
import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.layer.Activation;
import dev.brink.nn.layer.Linear;
import dev.brink.nn.layer.Sequential;
import dev.brink.nn.optim.Adam;
import dev.brink.robust.train.EffectiveMargins;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The analyses against answers known in closed form (linear models, quadratics) or by an independent method. */
class AnalysesKnownAnswersTest {
    private static Linear linear(int in, int out, long seed) {
        Linear l = new Linear(in, out, true, new Generator(seed));
        l.to(DType.FLOAT64);
        l.eval();
        return l;
    }

    private static Tensor rand(long seed, int... shape) {
        return Tensor.rand(new Generator(seed), DType.FLOAT64, shape);
    }

    @Test
    void decisionSurfaceOfATwoClassLinearModelIsThePlaneWithItsKnownZeroLine() {
        int d = 6;
        Linear m = linear(d, 2, 1);
        Tensor x = rand(2, 1, d);
        double[] w = m.namedParameters().get("weight").toDoubleArray(), b = m.namedParameters().get("bias").toDoubleArray();
        double[] g = new double[d];
        for (int i = 0; i < d; i++) g[i] = w[i] - w[d + i]; // grad of z_0 - z_1
        double[] x0 = x.toDoubleArray();
        double d0 = b[0] - b[1];
        for (int i = 0; i < d; i++) d0 += g[i] * x0[i];
        int y = d0 > 0 ? 0 : 1;
        double sign = y == 0 ? 1 : -1;
        DecisionSurface.Plane p = DecisionSurface.plane(m, x, y, "random", 3);
        assertEquals(1, Lanczos.norm(p.u()), 1e-12);
        assertEquals(0, Lanczos.dot(p.u(), p.v()), 1e-12);
        DecisionSurface.Surface s = DecisionSurface.surface(m, x, y, p, 2, 21, 50);
        double gu = sign * Lanczos.dot(g, p.u()), gv = sign * Lanczos.dot(g, p.v());
        for (int i = 0; i < 21; i++)
            for (int j = 0; j < 21; j++)
                assertEquals(sign * d0 + s.axis()[j] * gu + s.axis()[i] * gv, s.decision()[i][j], 1e-9, "d at grid (" + i + ", " + j + ")");
        // the zero line: beta = -(d0' + alpha gu) / gv; d changes sign across it at every alpha
        for (int j = 0; j < 21; j++) {
            double a = s.axis()[j], beta0 = -(sign * d0 + a * gu) / gv;
            assertEquals(0, sign * d0 + a * gu + beta0 * gv, 1e-12);
        }
        // along the CE direction (the gradient of the loss, parallel to -g for two classes) the boundary is at |d0| / ||g||
        DecisionSurface.Plane ce = DecisionSurface.plane(m, x, y, "ce", 3);
        double exact = Math.abs(d0) / Lanczos.norm(g);
        DecisionSurface.Surface sc = DecisionSurface.surface(m, x, y, ce, 2 * exact, 201, 100);
        if (Arrays.stream(x0).allMatch(v -> v > 0.05 && v < 0.95) && exact < 0.04) // the FGM step is not clipped by the box
            assertEquals(exact, DecisionSurface.boundaryDistance(sc), 2 * 2 * exact / 200 + 1e-9);
        assertTrue(DecisionSurface.boundaryDistance(sc) >= exact - 2 * exact / 200, "no boundary nearer than the exact distance along any direction");
    }

    @Test
    void effectiveMarginOfALinearClassifierIsItsExactDistanceToTheBoundary() {
        int d = 5, k = 4;
        Linear m = linear(d, k, 4);
        Tensor x = rand(5, 8, d);
        double[][] z = InputFunctions.logits(m, x);
        int[] y = new int[8];
        for (int i = 0; i < 8; i++) y[i] = InputFunctions.runnerUp(z[i], -1); // the predicted class
        double[] margins = EffectiveMargins.of(m, x, Tensor.ofInts(y, 8));
        double[] w = m.namedParameters().get("weight").toDoubleArray();
        double[] xs = x.toDoubleArray();
        for (int i = 0; i < 8; i++) {
            // exact distance: the nearest point where the prediction changes, found by bisection along each pairwise normal
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                if (j == y[i]) continue;
                double[] n = new double[d];
                for (int e = 0; e < d; e++) n[e] = w[j * d + e] - w[y[i] * d + e];
                double nn = Lanczos.norm(n), lo = 0, hi = 100;
                for (int it = 0; it < 200; it++) {
                    double t = (lo + hi) / 2;
                    double[] p = new double[d];
                    for (int e = 0; e < d; e++) p[e] = xs[i * d + e] + t * n[e] / nn;
                    double[] zp = InputFunctions.logits(m, x.newTensor(p, 1, d))[0];
                    if (zp[j] >= zp[y[i]]) hi = t; else lo = t;
                }
                best = Math.min(best, hi);
            }
            assertEquals(best, margins[i], 1e-9 * Math.max(1, best), "sample " + i);
        }
    }

    /** A = Q diag(lambda) Q^T with a seeded random orthogonal Q. */
    private static double[][] quadratic(double[] lambda, long seed) {
        int n = lambda.length;
        Random r = new Random(seed);
        double[][] g = new double[n][n];
        for (double[] row : g) for (int j = 0; j < n; j++) row[j] = r.nextGaussian();
        RealMatrix q = new QRDecomposition(new Array2DRowRealMatrix(g)).getQ();
        RealMatrix a = q.multiply(new Array2DRowRealMatrix(diag(lambda))).multiply(q.transpose());
        return a.getData();
    }

    private static double[][] diag(double[] v) {
        double[][] m = new double[v.length][v.length];
        for (int i = 0; i < v.length; i++) m[i][i] = v[i];
        return m;
    }

    @Test
    void hessianSpectrumOfAQuadraticIsKnownAndLanczosFindsItsExtremes() {
        double[] lambda = {9, -4, 2.5, 1, 0.5, 0, 0, -0.25, 3, 7, 0.1, -1};
        int n = lambda.length;
        double[][] a = quadratic(lambda, 7);
        double[] flat = new double[n * n];
        for (int i = 0; i < n; i++) System.arraycopy(a[i], 0, flat, i * n, n);
        Tensor am = Tensor.of(flat, n, n);
        java.util.function.Function<Tensor, Tensor> f = t -> t.matmul(am).mul(t).sum().mul(0.5); // x^T A x / 2 on [1, n]
        Tensor x = rand(8, 1, n);
        double[] h = Derivatives.sampleHessians(f, x).toDoubleArray();
        double[][] hm = new double[n][n];
        for (int i = 0; i < n; i++) System.arraycopy(h, i * n, hm[i], 0, n);
        double[] full = Lanczos.byMagnitude(new EigenDecomposition(new Array2DRowRealMatrix(hm)).getRealEigenvalues());
        double[] known = Lanczos.byMagnitude(lambda);
        assertArrayEquals(known, full, 1e-9);
        double[] ritz = Lanczos.ritzValues(v -> Derivatives.hvp(f, x, x.newTensor(v, 1, n)).toDoubleArray(), n, n, 1);
        assertArrayEquals(Arrays.copyOf(known, 5), Arrays.copyOf(ritz, 5), 1e-8);
        // fewer steps than the dimension: the largest-magnitude eigenvalue (an extreme of the spectrum) already converges
        double[] few = Lanczos.ritzValues(v -> Derivatives.hvp(f, x, x.newTensor(v, 1, n)).toDoubleArray(), n, 8, 1);
        assertEquals(9, few[0], 1e-3);
    }

    private static Sequential mlp(int in, int hidden, int out, Activation.Kind act, long seed) {
        Generator g = new Generator(seed);
        Sequential s = new Sequential(new Linear(in, hidden, true, g), new Activation(act), new Linear(hidden, hidden, true, g), new Activation(act),
                new Linear(hidden, out, true, g));
        s.to(DType.FLOAT64);
        s.eval();
        return s;
    }

    @Test
    void lanczosAgreesWithTheFullEigenDecompositionOnASmallModel() {
        Sequential m = mlp(16, 12, 3, Activation.Kind.TANH, 11);
        Tensor x = rand(12, 2, 16);
        int[] y = {0, 2};
        var samples = InputDerivatives.compute(m, x, y, true, 16, true, 5, null);
        for (var s : samples) {
            assertEquals(16, s.spectrum().length);
            for (int k = 0; k < 4; k++) assertEquals(s.spectrum()[k], s.lanczos()[k], 1e-8 * Math.abs(s.spectrum()[0]), "eigenvalue " + k);
            assertTrue(Math.abs(s.spectrum()[0]) > 1e-6, "a tanh network's loss Hessian is not zero");
        }
        // the Jacobian of the loss agrees with a finite difference
        Tensor labels = Tensor.ofInts(y, 2);
        double[] g = samples.get(0).lossGrad();
        double[] xs = x.toDoubleArray();
        double h = 1e-6;
        xs[3] += h;
        double up = ParameterSurface.lossAndAccuracy(m, new Batch(x.newTensor(xs, 2, 16), labels, new int[] {0, 1}))[0];
        xs[3] -= 2 * h;
        double down = ParameterSurface.lossAndAccuracy(m, new Batch(x.newTensor(xs, 2, 16), labels, new int[] {0, 1}))[0];
        assertEquals(g[3], (up - down) / (2 * h) * 2, 1e-5); // lossAndAccuracy averages over the 2 samples
    }

    @Test
    void lipschitzBoundOfALinearLayerIsItsLargestSingularValue() {
        Linear m = linear(9, 5, 21);
        double[] w = m.namedParameters().get("weight").toDoubleArray();
        double[][] wm = new double[5][9];
        for (int i = 0; i < 5; i++) System.arraycopy(w, i * 9, wm[i], 0, 9);
        double sigma = new SingularValueDecomposition(new Array2DRowRealMatrix(wm)).getNorm();
        LipschitzBound.Result r = LipschitzBound.of(new Sequential(m, new Activation(Activation.Kind.RELU)), rand(1, 1, 9), 500, 0, 3);
        assertEquals(sigma, r.bound(), 1e-5 * sigma);
        assertTrue(r.bound() <= sigma * (1 + 1e-12), "power iteration approaches from below");
        assertEquals(2, r.layers().size());
        // two linear layers in a row are bounded as one operator: the norm of their product
        Linear m2 = linear(5, 4, 22);
        double[] w2 = m2.namedParameters().get("weight").toDoubleArray();
        double[][] w2m = new double[4][5];
        for (int i = 0; i < 4; i++) System.arraycopy(w2, i * 5, w2m[i], 0, 5);
        double sigma2 = new SingularValueDecomposition(new Array2DRowRealMatrix(w2m).multiply(new Array2DRowRealMatrix(wm))).getNorm();
        LipschitzBound.Result r2 = LipschitzBound.of(new Sequential(m, m2), rand(1, 1, 9), 500, 0, 3);
        assertEquals(sigma2, r2.bound(), 1e-5 * sigma2);
        assertEquals(1, r2.layers().size());
    }

    @Test
    void certifiedRadiusNeverExceedsTheDistanceDeepFoolFindsOnATrainedMlp() {
        int n = 64, d = 8;
        Sequential m = mlp(d, 16, 3, Activation.Kind.RELU, 31);
        Tensor x = rand(32, n, d);
        double[] xs = x.toDoubleArray();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = xs[i * d] + xs[i * d + 1] < 0.8 ? 0 : xs[i * d + 2] > 0.5 ? 1 : 2;
        Tensor labels = Tensor.ofInts(y, n);
        m.train();
        Adam opt = new Adam(m.trainableParameters(), 0.02);
        for (int it = 0; it < 150; it++) {
            opt.zeroGrad();
            F.crossEntropy(m.forward(x), labels).backward();
            opt.step();
        }
        m.eval();
        double acc = ParameterSurface.lossAndAccuracy(m, new Batch(x, labels, new int[n]))[1];
        assertTrue(acc > 0.8, "the MLP learned its task: accuracy " + acc);
        CertifiedMargins.Result r = CertifiedMargins.compute(m, new Batch(x, labels, new int[n]), 300, 1.0, 2, 16, 9, null);
        int checked = 0;
        for (CertifiedMargins.Point p : r.points()) {
            if (p.logitMargin() <= 0) continue;
            assertTrue(p.certified() > 0);
            assertTrue(p.certified() <= p.deepfool(), "certified " + p.certified() + " > DeepFool's " + p.deepfool());
            assertTrue(p.certified() <= p.effective() + 1e-9, "certified " + p.certified() + " > effective margin " + p.effective());
            checked++;
        }
        assertTrue(checked > n / 2, checked + " points checked");
    }

    @Test
    void parameterSurfaceRestoresTheWeightsAndIsFilterNormalized() {
        Sequential m = mlp(6, 8, 3, Activation.Kind.RELU, 41);
        Map<String, double[]> before = new java.util.LinkedHashMap<>();
        m.namedParameters().forEach((k, v) -> before.put(k, v.toDoubleArray()));
        Tensor x = rand(42, 10, 6);
        Batch b = new Batch(x, Tensor.ofInts(new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, 10), new int[10]);
        Map<String, Tensor> d1 = ParameterSurface.filterNormalizedDirection(m, new Generator(1));
        double[] w0 = m.namedParameters().get("0.weight").toDoubleArray(), r0 = d1.get("0.weight").toDoubleArray();
        for (int f = 0; f < 8; f++) {
            double nw = 0, nr = 0;
            for (int i = f * 6; i < (f + 1) * 6; i++) { nw += w0[i] * w0[i]; nr += r0[i] * r0[i]; }
            assertEquals(Math.sqrt(nw), Math.sqrt(nr), 1e-12, "filter " + f);
        }
        assertEquals(0, Lanczos.norm(d1.get("0.bias").toDoubleArray()));
        double[][] v = ParameterSurface.evaluate(m, b, d1, null, new double[] {-1, 0, 1}, new double[3]);
        assertTrue(v[0][0] != v[1][0], "the loss moved off theta");
        double[] at0 = ParameterSurface.lossAndAccuracy(m, b);
        assertEquals(at0[0], v[1][0], 1e-12);
        m.namedParameters().forEach((k, t) -> assertArrayEquals(before.get(k), t.toDoubleArray(), 0, k));
        // restored also when the run fails halfway
        Map<String, Tensor> broken = new java.util.LinkedHashMap<>(d1);
        broken.put("2.weight", Tensor.zeros(DType.FLOAT64, 3, 3)); // wrong shape: assign fails
        try {
            ParameterSurface.evaluate(m, b, broken, null, new double[] {0.5}, new double[1]);
        } catch (RuntimeException expected) {
            // fine
        }
        m.namedParameters().forEach((k, t) -> assertArrayEquals(before.get(k), t.toDoubleArray(), 0, k));
    }
}

package dev.brink.robust.train;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Batch;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * On a linear model {@code z = W x + b} the Jacobian rows are the rows of W whatever x, so every regularizer has a
 * closed form: the input gradient of CE is {@code W^T (softmax(z) - e_y)}, that of the margin d is
 * {@code W_y - W_j*} (j* the runner-up), exact EMR is {@code sum_j ||W_j||^2}, approximate EMR
 * {@code ||sum_j p_j W_j||^2}, and the effective margin {@code min_j (z_y - z_j) / ||W_y - W_j||}.
 */
class GradientObjectivesKnownAnswerTest {
    static final int N = 5, D = 4, K = 3;

    final SpecModel model = linear();
    final double[] w = weight(model);
    final double[] bias = biasOf(model);
    final double[] x = Tensor.rand(new Generator(4), DType.FLOAT64, N * D).toDoubleArray();
    final int[] y = {0, 1, 2, 1, 0};
    final Batch batch = new Batch(Tensor.of(x, N, D), Tensor.ofInts(y, N), new int[] {0, 1, 2, 3, 4});

    static SpecModel linear() {
        SpecModel m = ModelSpec.build("{\"input\":[4],\"layers\":[{\"type\":\"linear\",\"out\":3}]}", new Generator(21));
        m.to(DType.FLOAT64);
        return m;
    }

    static double[] weight(SpecModel m) {
        for (Tensor t : m.trainableParameters().values()) if (t.dim() == 2) return t.toDoubleArray();
        throw new AssertionError("no weight");
    }

    static double[] biasOf(SpecModel m) {
        for (Tensor t : m.trainableParameters().values()) if (t.dim() == 1) return t.toDoubleArray();
        throw new AssertionError("no bias");
    }

    double[] logits(int i) {
        double[] z = new double[K];
        for (int k = 0; k < K; k++) {
            z[k] = bias[k];
            for (int d = 0; d < D; d++) z[k] += w[k * D + d] * x[i * D + d];
        }
        return z;
    }

    static double[] softmax(double[] z, double t) {
        double m = Double.NEGATIVE_INFINITY, s = 0;
        for (double v : z) m = Math.max(m, v / t);
        double[] p = new double[z.length];
        for (int k = 0; k < z.length; k++) s += p[k] = Math.exp(z[k] / t - m);
        for (int k = 0; k < z.length; k++) p[k] /= s;
        return p;
    }

    /** sum_k c[k] W_k, a vector of length D. */
    double[] combine(double[] c) {
        double[] g = new double[D];
        for (int k = 0; k < K; k++) for (int d = 0; d < D; d++) g[d] += c[k] * w[k * D + d];
        return g;
    }

    static double sq(double[] v) {
        double s = 0;
        for (double a : v) s += a * a;
        return s;
    }

    double reg(String spec) {
        return Objectives.parse(spec, ObjectiveSetup.NONE).apply(model, batch, ObjectiveTestKit.context(0)).regularizer().item();
    }

    @Test
    void inputGradientIsWTransposeTimesSoftmaxMinusOneHot() {
        double expected = 0;
        for (int i = 0; i < N; i++) {
            double[] c = softmax(logits(i), 1);
            c[y[i]] -= 1;
            expected += sq(combine(c)) / N;
        }
        assertEquals(expected, reg("input-gradient:lambda=1"), 1e-12);
    }

    @Test
    void marginGradientIsTheDifferenceOfTwoRows() {
        double l1 = 0, l2 = 0, linf = 0;
        for (int i = 0; i < N; i++) {
            double[] z = logits(i);
            int r = -1;
            for (int k = 0; k < K; k++) if (k != y[i] && (r < 0 || z[k] > z[r])) r = k;
            double[] c = new double[K];
            c[y[i]] = 1;
            c[r] = -1;
            double[] g = combine(c);
            double a = 0, m = 0;
            for (double v : g) {
                a += Math.abs(v);
                m = Math.max(m, Math.abs(v));
            }
            l1 += a / N;
            l2 += Math.sqrt(sq(g)) / N;
            linf += m / N;
        }
        assertEquals(l1, reg("jacobian-reg:lambda=1,norm=l1"), 1e-12);
        assertEquals(l2, reg("jacobian-reg:lambda=1,norm=l2"), 1e-12);
        assertEquals(linf, reg("jacobian-reg:lambda=1,norm=linf"), 1e-12);
    }

    @Test
    void exactEmrIsTheSquaredFrobeniusNormOfW() {
        assertEquals(sq(w), reg("emr:lambda=1,method=exact"), 1e-12);
    }

    @Test
    void approximateEmrIsTheSoftmaxWeightedRowSquared() {
        for (double t : new double[] {0.5, 1, 40}) {
            double expected = 0;
            for (int i = 0; i < N; i++) expected += sq(combine(softmax(logits(i), t))) / N;
            assertEquals(expected, reg("emr:lambda=1,method=approx,t=" + t), 1e-12, "t=" + t);
        }
    }

    @Test
    void effectiveMarginsAreDistancesToTheLinearBoundaries() {
        double[] m = EffectiveMargins.of(model, batch.x(), batch.y());
        for (int i = 0; i < N; i++) {
            double[] z = logits(i);
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < K; j++) {
                if (j == y[i]) continue;
                double[] c = new double[K];
                c[y[i]] = 1;
                c[j] = -1;
                best = Math.min(best, (z[y[i]] - z[j]) / Math.sqrt(sq(combine(c))));
            }
            assertEquals(best, m[i], 1e-12, "sample " + i);
        }
    }
}

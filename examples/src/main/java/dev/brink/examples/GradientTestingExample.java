package dev.brink.examples;

import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.engine.check.ArrayCheckReport;
import dev.brink.engine.check.ArrayGradCheck;

import java.util.function.Function;

/**
 * Brink as the reference for someone else's gradient code (docs/gradient-testing.md): a small MLP loss and its
 * gradient written by hand in plain arrays, the way another engine or a hand-derived formula would be, checked with
 * {@link ArrayGradCheck} against central differences and against Brink's autodiff of the same loss. The
 * hand-written gradient has a deliberate off-by-one bug, which the check finds and names.
 */
public final class GradientTestingExample {
    /** The two checks: of the buggy gradient and of the fixed one. */
    public record Result(ArrayCheckReport buggy, ArrayCheckReport fixed) {}

    /**
     * The code under test: a 4-3-3 MLP with tanh, {@code L = mean cross-entropy(tanh(x W1^T + b1) W2^T + b2, y)} over
     * four samples, and its gradient with respect to W1 [3, 4] derived by hand.
     */
    public static final class HandWrittenMlp {
        static final int N = 4, D = 4, H = 3, K = 3;
        final double[][] x = {{0.5, -1.2, 0.3, 0.8}, {-0.4, 0.9, 1.1, -0.6}, {1.3, 0.2, -0.7, 0.4}, {-0.9, -0.3, 0.6, 1.0}};
        final int[] y = {0, 2, 1, 2};
        final double[] b1 = {0.1, -0.2, 0.05};
        final double[][] w2 = {{0.7, -0.4, 0.2}, {-0.3, 0.8, 0.5}, {0.6, 0.1, -0.9}};
        final double[] b2 = {0.0, 0.1, -0.1};
        final boolean bug;

        /** @param bug whether the gradient keeps its off-by-one bug */
        public HandWrittenMlp(boolean bug) {
            this.bug = bug;
        }

        /** L as a function of W1, flat [3, 4] row-major. */
        public double loss(double[] w1) {
            double total = 0;
            for (int n = 0; n < N; n++) {
                double[] z = logits(w1, n, hidden(w1, n));
                double max = Math.max(z[0], Math.max(z[1], z[2])), sum = 0;
                for (double v : z) sum += StrictMath.exp(v - max);
                total += max + StrictMath.log(sum) - z[y[n]];
            }
            return total / N;
        }

        /** dL/dW1 by backpropagation written out by hand, flat [3, 4]. */
        public double[] gradW1(double[] w1) {
            double[] g = new double[H * D];
            for (int n = 0; n < N; n++) {
                double[] h = hidden(w1, n), z = logits(w1, n, h);
                double max = Math.max(z[0], Math.max(z[1], z[2])), sum = 0;
                double[] p = new double[K];
                for (int k = 0; k < K; k++) sum += p[k] = StrictMath.exp(z[k] - max);
                for (int j = 0; j < H; j++) {
                    double dh = 0; // dL/dh_j = sum_k (p_k - [k == y]) W2[k][j] / N
                    for (int k = 0; k < K; k++) dh += (p[k] / sum - (k == y[n] ? 1 : 0)) * w2[k][j] / N;
                    double da = dh * (1 - h[j] * h[j]); // through tanh
                    int inputs = bug ? D - 1 : D; // the bug: the last input column is never visited
                    for (int i = 0; i < inputs; i++) g[j * D + i] += da * x[n][i];
                }
            }
            return g;
        }

        private double[] hidden(double[] w1, int n) {
            double[] h = new double[H];
            for (int j = 0; j < H; j++) {
                double a = b1[j];
                for (int i = 0; i < D; i++) a += w1[j * D + i] * x[n][i];
                h[j] = StrictMath.tanh(a);
            }
            return h;
        }

        private double[] logits(double[] w1, int n, double[] h) {
            double[] z = new double[K];
            for (int k = 0; k < K; k++) {
                z[k] = b2[k];
                for (int j = 0; j < H; j++) z[k] += w2[k][j] * h[j];
            }
            return z;
        }

        /** The same loss as a Brink expression of W1 [3, 4]. */
        public Function<Tensor, Tensor> asBrinkExpression() {
            Tensor xs = Tensor.of(x), w2s = Tensor.of(w2), b1s = Tensor.of(b1, H), b2s = Tensor.of(b2, K);
            Tensor labels = Tensor.ofInts(y, N);
            return w1 -> F.crossEntropy(xs.matmul(w1.transpose(0, 1)).add(b1s).tanh().matmul(w2s.transpose(0, 1)).add(b2s), labels);
        }
    }

    /** The point W1 at which the gradient is checked. */
    static final double[] W1 = {0.2, -0.5, 0.4, 0.1, -0.3, 0.6, 0.2, -0.7, 0.5, 0.1, -0.4, 0.3};

    /** Checks the buggy and the fixed gradient. */
    public static Result run() {
        HandWrittenMlp mlp = new HandWrittenMlp(true);
        double[] w1 = W1.clone();

        ArrayCheckReport report = ArrayGradCheck.at(w1, 3, 4)   // the point: W1, shape [3, 4]
                .named("dL/dW1")
                .brink(mlp.asBrinkExpression())                  // optional: Brink's autodiff of the same loss
                .gradient(mlp::loss, mlp.gradW1(w1));            // the function and the claimed gradient
        System.out.println(report.message());

        HandWrittenMlp fixedMlp = new HandWrittenMlp(false);
        ArrayCheckReport fixed = ArrayGradCheck.at(w1, 3, 4).named("dL/dW1").brink(fixedMlp.asBrinkExpression())
                .gradient(fixedMlp::loss, fixedMlp.gradW1(w1));
        fixed.assertPassed(); // throws AssertionError with the message if an element is off
        Checks.check(!report.passed() && report.failures().size() == 3, "the off-by-one bug should show in 3 elements:\n" + report.message());
        return new Result(report, fixed);
    }

    /** Runs the example and prints both messages. */
    public static void main(String[] args) {
        Result r = run();
        System.out.println(r.fixed().message());
    }
}

package dev.brink.engine.check;

import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link ArrayGradCheck} on functions with closed-form derivatives, written as plain Java the way another engine's
 * code would be: a wrong element is caught and named, correct ones pass, with and without a Brink expression.
 */
class ArrayGradCheckTest {
    // f(x) = sum(tanh(x W)) + 0.1 sum(exp(x)) for x [3, 4], W [4, 2]
    private static final double[][] W = {{0.8, -0.5}, {0.2, 0.9}, {-0.6, 0.1}, {0.4, 0.3}};
    private static final double[] X = {0.3, -0.2, 0.5, 0.1, -0.7, 0.4, 0.05, -0.3, 0.9, 0.2, -0.45, 0.6};
    private static final Tensor WT = Tensor.of(W);
    private static final Function<Tensor, Tensor> BRINK = x -> x.matmul(WT).tanh().sum().add(x.exp().mul(0.1).sum());

    private static double f(double[] x) {
        double s = 0;
        for (int r = 0; r < 3; r++) {
            for (int k = 0; k < 2; k++) s += Math.tanh(z(x, r, k));
            for (int i = 0; i < 4; i++) s += 0.1 * Math.exp(x[r * 4 + i]);
        }
        return s;
    }

    private static double z(double[] x, int r, int k) {
        double z = 0;
        for (int i = 0; i < 4; i++) z += x[r * 4 + i] * W[i][k];
        return z;
    }

    private static double[] grad(double[] x) {
        double[] g = new double[12];
        for (int r = 0; r < 3; r++)
            for (int i = 0; i < 4; i++) {
                double s = 0.1 * Math.exp(x[r * 4 + i]);
                for (int k = 0; k < 2; k++) {
                    double t = Math.tanh(z(x, r, k));
                    s += (1 - t * t) * W[i][k];
                }
                g[r * 4 + i] = s;
            }
        return g;
    }

    private static double[] hvp(double[] x, double[] v) {
        double[] h = new double[12];
        for (int r = 0; r < 3; r++)
            for (int i = 0; i < 4; i++) {
                double s = 0.1 * Math.exp(x[r * 4 + i]) * v[r * 4 + i];
                for (int k = 0; k < 2; k++) {
                    double t = Math.tanh(z(x, r, k));
                    s += -2 * t * (1 - t * t) * z(v, r, k) * W[i][k];
                }
                h[r * 4 + i] = s;
            }
        return h;
    }

    @Test
    void aCorrectGradientPasses() {
        ArrayCheckReport r = ArrayGradCheck.at(X, 3, 4).named("f").brink(BRINK).gradient(ArrayGradCheckTest::f, grad(X));
        assertTrue(r.passed(), r.message());
        assertEquals(12, r.elements().size());
        assertTrue(r.message().startsWith("gradient of f [3, 4]: passed, 12 elements within tolerance"), r.message());
        r.assertPassed();
        // the references agree with the closed form far inside the tolerance
        for (ArrayCheckReport.Element e : r.elements()) {
            assertEquals(e.claimed(), e.brink(), 1e-14);
            assertEquals(e.claimed(), e.finiteDifference(), 1e-9);
        }
    }

    @Test
    void oneElementOffBy1e3IsCaughtAndNamed() {
        for (boolean withBrink : new boolean[] {false, true}) {
            double[] g = grad(X);
            g[6] += 1e-3; // element [1, 2]
            ArrayGradCheck c = ArrayGradCheck.at(X, 3, 4).named("f");
            if (withBrink) c = c.brink(BRINK);
            ArrayCheckReport r = c.gradient(ArrayGradCheckTest::f, g);
            assertFalse(r.passed());
            assertEquals(1, r.failures().size(), r.message());
            ArrayCheckReport.Element e = r.failures().get(0);
            assertEquals(6, e.flatIndex());
            assertArrayEquals(new int[] {1, 2}, e.index());
            assertEquals(1e-3, e.error(), 1e-8);
            String m = r.message();
            assertTrue(m.startsWith("gradient of f [3, 4]: FAILED, 1 of 12 elements off\n  [1, 2]: claimed "), m);
            assertTrue(m.contains(String.format(java.util.Locale.ROOT, "claimed %.7g, central difference %.7g", g[6], grad(X)[6])), m);
            assertEquals(withBrink, m.contains(", Brink "), m);
            assertTrue(m.contains("off by 1.0e-03"), m);
            AssertionError thrown = assertThrows(AssertionError.class, r::assertPassed);
            assertEquals(m, thrown.getMessage());
        }
    }

    /** |x|, ReLU and max have kinks; at points farther than the step from them a correct gradient passes. */
    @Test
    void aCorrectGradientOfAFunctionWithKinksPassesAwayFromTheKinks() {
        ArrayGradCheck.ScalarFunction f = x -> {
            double s = Math.max(x[0], x[1]);
            for (double v : x) s += Math.abs(v) + Math.max(0, v - 0.5);
            return s;
        };
        Function<Tensor, Tensor> brink = t -> t.abs().sum().add(t.sub(0.5).relu().sum())
                .add(t.slice(0, 0, 1).maximum(t.slice(0, 1, 2)).sum());
        double[] x = {0.3, -0.2, 0.75, -1.1, 0.51, 0.01};
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) g[i] = Math.signum(x[i]) + (x[i] > 0.5 ? 1 : 0);
        g[x[0] > x[1] ? 0 : 1] += 1;
        ArrayCheckReport r = ArrayGradCheck.at(x).brink(brink).gradient(f, g);
        assertTrue(r.passed(), r.message());

        // ... and a wrong sign at a kink-free element is still caught
        g[3] = 1;
        assertEquals(1, ArrayGradCheck.at(x).brink(brink).gradient(f, g).failures().size());
    }

    @Test
    void atAKinkTheMessageSaysSo() {
        ArrayGradCheck.ScalarFunction f = x -> Math.abs(x[0]) + x[1] * x[1];
        double[] x = {2e-7, 1.0}; // |x| has its kink within the step 1e-6 of x[0]
        ArrayCheckReport r = ArrayGradCheck.at(x).gradient(f, new double[] {1, 2});
        assertFalse(r.passed(), r.message());
        assertEquals(0, r.failures().get(0).flatIndex());
        assertTrue(r.message().contains("a kink within the step?"), r.message());
    }

    @Test
    void hessianVectorProducts() {
        double[] v = {1, -0.5, 0.25, 2, 0, 0.3, -1, 0.7, 0.2, -0.4, 1.5, -0.8};
        double[] h = hvp(X, v);
        ArrayCheckReport ok = ArrayGradCheck.at(X, 3, 4).brink(BRINK).hvp(ArrayGradCheckTest::f, v, h);
        assertTrue(ok.passed(), ok.message());
        for (ArrayCheckReport.Element e : ok.elements()) assertEquals(e.claimed(), e.brink(), 1e-13);

        h[9] -= 1e-3; // [2, 1]
        ArrayCheckReport bad = ArrayGradCheck.at(X, 3, 4).hvp(ArrayGradCheckTest::f, v, h);
        assertEquals(1, bad.failures().size(), bad.message());
        assertArrayEquals(new int[] {2, 1}, bad.failures().get(0).index());
        assertTrue(bad.message().startsWith("Hessian-vector product [3, 4]: FAILED, 1 of 12 elements off\n  [2, 1]: "), bad.message());
    }

    @Test
    void jacobians() {
        // g(x) = tanh(x W): [3, 4] -> [3, 2]; J[r, k; r', i] = (r == r') (1 - tanh^2) W[i][k]
        ArrayGradCheck.VectorFunction g = x -> {
            double[] out = new double[6];
            for (int r = 0; r < 3; r++) for (int k = 0; k < 2; k++) out[r * 2 + k] = Math.tanh(z(x, r, k));
            return out;
        };
        double[] j = new double[6 * 12];
        for (int r = 0; r < 3; r++)
            for (int k = 0; k < 2; k++) {
                double t = Math.tanh(z(X, r, k));
                for (int i = 0; i < 4; i++) j[(r * 2 + k) * 12 + r * 4 + i] = (1 - t * t) * W[i][k];
            }
        ArrayCheckReport ok = ArrayGradCheck.at(X, 3, 4).brink(x -> x.matmul(WT).tanh()).jacobian(g, new int[] {3, 2}, j);
        assertTrue(ok.passed(), ok.message());
        assertArrayEquals(new int[] {3, 2, 3, 4}, ok.shape());

        j[(2 * 2 + 1) * 12 + 2 * 4 + 3] += 1e-3; // J[2, 1; 2, 3]
        ArrayCheckReport bad = ArrayGradCheck.at(X, 3, 4).jacobian(g, new int[] {3, 2}, j);
        assertEquals(1, bad.failures().size(), bad.message());
        assertTrue(bad.message().contains("\n  [2, 1; 2, 3]: claimed "), bad.message());
    }

    @Test
    void float32Functions() {
        float[] x = new float[X.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) X[i];
        ArrayGradCheck.FloatScalarFunction f = p -> {
            double[] d = new double[p.length];
            for (int i = 0; i < p.length; i++) d[i] = p[i];
            return (float) f(d);
        };
        double[] gd = grad(toDouble(x));
        float[] g = new float[gd.length];
        for (int i = 0; i < g.length; i++) g[i] = (float) gd[i];
        ArrayCheckReport ok = ArrayGradCheck.at(x, 3, 4).brink(BRINK).gradient(f, g);
        assertTrue(ok.passed(), ok.message());
        assertTrue(ok.message().contains("(float32)"), ok.message());

        g[11] += 1e-2f;
        ArrayCheckReport bad = ArrayGradCheck.at(x, 3, 4).gradient(f, g);
        assertEquals(1, bad.failures().size(), bad.message());
        assertArrayEquals(new int[] {2, 3}, bad.failures().get(0).index());
    }

    @Test
    void badInputIsRefusedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArrayGradCheck.at(new double[5], 2, 3));
        assertTrue(e.getMessage().contains("x has 5 elements, but shape [2, 3] holds 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ArrayGradCheck.at(X, 3, 4).gradient(ArrayGradCheckTest::f, new double[11]));
        assertTrue(e.getMessage().contains("the claimed gradient has 11 elements; 12 expected"), e.getMessage());
        // a Brink expression of another function is no reference
        e = assertThrows(IllegalArgumentException.class,
                () -> ArrayGradCheck.at(X, 3, 4).named("f").brink(t -> BRINK.apply(t).mul(2)).gradient(ArrayGradCheckTest::f, grad(X)));
        assertTrue(e.getMessage().contains("(f): the Brink expression does not compute the same function"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ArrayGradCheck.at(X, 3, 4).brink(t -> t).gradient(ArrayGradCheckTest::f, grad(X)));
        assertTrue(e.getMessage().contains("must return a scalar"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ArrayGradCheck.at(new double[] {Double.NaN, 1}));
        assertTrue(e.getMessage().contains("x[0] is NaN"), e.getMessage());
    }

    @Test
    void aNaNClaimFails() {
        double[] g = grad(X);
        g[0] = Double.NaN;
        ArrayCheckReport r = ArrayGradCheck.at(X, 3, 4).gradient(ArrayGradCheckTest::f, g);
        assertEquals(1, r.failures().size(), r.message());
        assertEquals(0, r.failures().get(0).flatIndex());
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}

package dev.brink.engine.backend;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The attack steps three ways on the same inputs: the CPU backend's kernels ({@code CpuAttackSteps}), the
 * composed defaults of {@link Backend} ({@link ComposedAttackSteps}), and a plain float64 reference written here
 * from the definitions (the L1 projection by Duchi et al.'s sort, not the kernels' Michelot iteration). Inputs
 * cover samples inside the ball, unchanged samples, zero gradients, box clipping, eps 0 and infinite, negative and
 * zero steps, NaN gradients, empty batches, rank 1, non-contiguous (permuted, strided, broadcast) inputs, a batch
 * large enough for several threads, in float32 and float64.
 */
class AttackStepKernelsTest {
    private static final Backend CPU = CpuBackend.INSTANCE;

    enum Step { SIGN, L2_STEP, LINF, L2, L1 }

    /** One call: the step/radius p and the box. */
    record Call(Step step, double p, double lo, double hi) {
        boolean isStep() {
            return step == Step.SIGN || step == Step.L2_STEP;
        }

        Tensor kernel(Tensor x, Tensor y) {
            return switch (step) {
                case SIGN -> CPU.signStep(x, y, p);
                case L2_STEP -> CPU.l2Step(x, y, p);
                case LINF -> CPU.projectLinf(x, y, p, lo, hi);
                case L2 -> CPU.projectL2(x, y, p, lo, hi);
                case L1 -> CPU.projectL1(x, y, p, lo, hi);
            };
        }

        Tensor composed(Tensor x, Tensor y) {
            return switch (step) {
                case SIGN -> ComposedAttackSteps.signStep(x, y, p);
                case L2_STEP -> ComposedAttackSteps.l2Step(x, y, p);
                case LINF -> ComposedAttackSteps.projectLinf(x, y, p, lo, hi);
                case L2 -> ComposedAttackSteps.projectL2(x, y, p, lo, hi);
                case L1 -> ComposedAttackSteps.projectL1(x, y, p, lo, hi);
            };
        }

        /** The float64 reference on the inputs' values (row-major), n samples. */
        double[] reference(double[] x, double[] y, int n, DType t) {
            int m = n == 0 ? 0 : x.length / n;
            double[] out = new double[x.length];
            for (int s = 0; s < n; s++) {
                double[] xs = Arrays.copyOfRange(x, s * m, s * m + m), ys = Arrays.copyOfRange(y, s * m, s * m + m);
                double[] o = switch (step) {
                    case SIGN -> sign(xs, ys, t == DType.FLOAT32 ? (float) p : p);
                    case L2_STEP -> l2Step(xs, ys, p);
                    case LINF -> linf(xs, ys, p, lo, hi);
                    case L2 -> box(ys, scaleL2(diff(xs, ys), p), lo, hi);
                    case L1 -> box(ys, duchi(diff(xs, ys), p), lo, hi);
                };
                System.arraycopy(o, 0, out, s * m, m);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ the reference

    static double[] sign(double[] x, double[] g, double a) {
        double[] o = new double[x.length];
        for (int i = 0; i < o.length; i++) o[i] = x[i] + a * (g[i] > 0 ? 1 : g[i] < 0 ? -1 : g[i] == 0 ? 0 : Double.NaN);
        return o;
    }

    static double[] l2Step(double[] x, double[] g, double a) {
        double norm = Math.sqrt(Arrays.stream(g).map(v -> v * v).sum());
        double[] o = new double[x.length];
        for (int i = 0; i < o.length; i++) o[i] = x[i] + a * g[i] / Math.max(norm, 1e-12);
        return o;
    }

    static double[] linf(double[] x, double[] x0, double eps, double lo, double hi) {
        double[] o = new double[x.length];
        for (int i = 0; i < o.length; i++) o[i] = Math.min(Math.max(x[i], Math.max(x0[i] - eps, lo)), Math.min(x0[i] + eps, hi));
        return o;
    }

    static double[] diff(double[] x, double[] x0) {
        double[] d = new double[x.length];
        for (int i = 0; i < d.length; i++) d[i] = x[i] - x0[i];
        return d;
    }

    static double[] scaleL2(double[] d, double eps) {
        double norm = Math.sqrt(Arrays.stream(d).map(v -> v * v).sum());
        if (norm <= eps) return d;
        return Arrays.stream(d).map(v -> v * eps / norm).toArray();
    }

    /** Duchi et al. (2008), Figure 1: sort |d| descending, rho = max{j : u_j > (sum_{i<=j} u_i - eps) / j}. */
    static double[] duchi(double[] d, double eps) {
        double total = Arrays.stream(d).map(Math::abs).sum();
        if (total <= eps) return d;
        double[] u = Arrays.stream(d).map(Math::abs).sorted().toArray();
        double cum = 0, theta = u[u.length - 1] - eps; // rho >= 1 (j = 1 qualifies unless eps = 0, where theta = max |d|)
        for (int j = 1; j <= u.length; j++) {
            double uj = u[u.length - j];
            cum += uj;
            if (uj > (cum - eps) / j) theta = (cum - eps) / j;
        }
        double th = Math.max(theta, 0);
        return Arrays.stream(d).map(v -> Math.signum(v) * Math.max(Math.abs(v) - th, 0)).toArray();
    }

    static double[] box(double[] x0, double[] d, double lo, double hi) {
        double[] o = new double[d.length];
        for (int i = 0; i < o.length; i++) o[i] = Math.min(Math.max(x0[i] + d[i], lo), hi);
        return o;
    }

    // ------------------------------------------------------------------ inputs

    /**
     * {x0 or gradient, x} of n samples of m features: x0 in [0, 1]; sample 0 moves by about 1e-3 (inside most
     * balls), sample 1 not at all, the others by up to 0.2 with every 17th feature pushed by +0.25 (past the box
     * for x0 > 0.75). Gradients: sample 0 all zero, the others rounded to quarters (zeros and ties), one NaN when
     * {@code nan}.
     */
    static double[][] data(long seed, int n, int m, boolean gradient, boolean nan) {
        Random r = new Random(seed);
        double[] a = new double[n * m], x = new double[n * m];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < m; i++) {
                int e = s * m + i;
                if (gradient) {
                    a[e] = s == 0 ? 0 : Math.rint(r.nextGaussian() * 4) / 4;
                    x[e] = r.nextDouble();
                } else {
                    a[e] = r.nextDouble();
                    double scale = s == 0 ? 1e-3 : s == 1 ? 0 : 0.05 * (1 + s % 4);
                    x[e] = a[e] + scale * r.nextGaussian() + (s > 1 && i % 17 == 0 ? 0.25 : 0);
                }
            }
        }
        if (nan && n * m > 3) a[n * m - 3] = Double.NaN;
        return new double[][] {a, x};
    }

    // ------------------------------------------------------------------ checks

    /**
     * The kernel and the composition on (x, y) against the reference, each within its tolerance (float64: 1e-12;
     * float32: the kernel within two roundings, the composition's op-by-op float32 within 1e-5); exact agreement
     * of kernel and composition where both round once (the signed step, L-inf in float64).
     */
    static void check(String what, Call c, Tensor x, Tensor y) {
        DType t = x.dtype();
        int n = x.dim() == 0 ? 1 : x.size(0);
        double[] ref = c.reference(x.toDoubleArray(), y.toDoubleArray(), n, t);
        Tensor k = c.kernel(x, y), comp = c.composed(x, y);
        String name = what + " " + c + " " + t.label() + " " + dev.brink.engine.Shape.str(x.shape());
        for (Tensor out : new Tensor[] {k, comp}) {
            assertEquals(t, out.dtype(), name + ": dtype");
            assertArrayEquals(x.shape(), out.shape(), name + ": shape");
            assertTrue(out.numel() == 0 || out.isContiguous(), name + ": contiguous result");
            assertFalse(out.requiresGrad(), name + ": result requires no grad");
            assertTrue(out.storage() != x.storage() && out.storage() != y.storage(), name + ": result shares an input's storage");
        }
        boolean f64 = t == DType.FLOAT64;
        close(name + " kernel", ref, k.toDoubleArray(), f64 ? 1e-12 : 0x1.0p-23, !f64);
        close(name + " composed", ref, comp.toDoubleArray(), f64 ? 1e-12 : 1e-5, !f64);
        if (c.step() == Step.SIGN || c.step() == Step.LINF && f64)
            close(name + " kernel vs composed", comp.toDoubleArray(), k.toDoubleArray(), 0, false);
    }

    /** |got - want| <= tol (1 + |want|), NaN only where NaN; want rounded to float first for float32 results. */
    static void close(String what, double[] want, double[] got, double tol, boolean toFloat) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            double w = toFloat ? (float) want[i] : want[i];
            if (Double.isNaN(w) || Double.isNaN(got[i])) {
                if (Double.isNaN(w) != Double.isNaN(got[i])) fail(what + ": element " + i + " is " + got[i] + ", expected " + w);
                continue;
            }
            if (!(Math.abs(got[i] - w) <= tol * (1 + Math.abs(w))))
                fail(what + ": element " + i + " is " + got[i] + ", expected " + w + " (difference " + (got[i] - w) + ")");
        }
    }

    static Tensor on(DType t, double[] d, int... shape) {
        return Tensor.fromHost(CPU, t, d, shape);
    }

    static final DType[] DTYPES = {DType.FLOAT32, DType.FLOAT64};

    static Call[] projections(double... eps) {
        Call[] cs = new Call[eps.length * 3];
        for (int i = 0; i < eps.length; i++) {
            cs[3 * i] = new Call(Step.LINF, eps[i], 0, 1);
            cs[3 * i + 1] = new Call(Step.L2, eps[i], 0, 1);
            cs[3 * i + 2] = new Call(Step.L1, eps[i], 0, 1);
        }
        return cs;
    }

    static Call[] steps(double... alpha) {
        Call[] cs = new Call[alpha.length * 2];
        for (int i = 0; i < alpha.length; i++) {
            cs[2 * i] = new Call(Step.SIGN, alpha[i], 0, 0);
            cs[2 * i + 1] = new Call(Step.L2_STEP, alpha[i], 0, 0);
        }
        return cs;
    }

    static void both(String what, Call[] calls, int[] shape, UnaryOperator<Tensor> view, long seed) {
        int n = shape[0], numel = dev.brink.engine.Shape.numel(shape);
        for (DType t : DTYPES) {
            for (Call c : calls) {
                double[][] d = data(seed, n, n == 0 ? 0 : numel / n, c.isStep(), false);
                check(what, c, view.apply(on(t, d[1], shape)), view.apply(on(t, d[0], shape)));
            }
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void projectionsOnABatchWithInsideUnchangedAndClippedSamples() {
        both("batch", projections(0, 0.01, 0.1, 0.3, 2, 100, Double.POSITIVE_INFINITY), new int[] {6, 3, 4, 7}, x -> x, 1);
    }

    @Test
    void stepsWithZeroGradientsNegativeAndZeroSteps() {
        both("batch", steps(0.03, 0.5, -0.25, 0), new int[] {6, 3, 4, 7}, x -> x, 2);
    }

    @Test
    void boxesOtherThanTheUnitBox() {
        Call[] cs = {new Call(Step.LINF, 0.2, 0.25, 0.5), new Call(Step.L2, 0.3, 0.25, 0.5), new Call(Step.L1, 0.5, 0.25, 0.5),
                new Call(Step.LINF, 0.2, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
                new Call(Step.L2, 0.3, Double.NEGATIVE_INFINITY, 0.9), new Call(Step.L1, 0.5, 0.1, Double.POSITIVE_INFINITY)};
        both("box", cs, new int[] {5, 40}, x -> x, 3);
    }

    @Test
    void nonContiguousInputs() {
        Call[] all = java.util.stream.Stream.concat(Arrays.stream(projections(0.05, 1)), Arrays.stream(steps(0.1))).toArray(Call[]::new);
        // permuted: stored [5, 7, 4, 3], seen as [5, 3, 4, 7]
        both("permuted", all, new int[] {5, 7, 4, 3}, x -> x.permute(0, 3, 2, 1), 4);
        // every other column of [4, 30]
        both("strided", all, new int[] {4, 30}, x -> x.slice(1, 0, 30, 2), 5);
        // the batch axis last in memory
        both("transposed", all, new int[] {12, 6}, x -> x.transpose(0, 1), 6);
        // one clean row broadcast over the batch (stride 0), as an attack's x0 might be
        for (DType t : DTYPES) {
            for (Call c : projections(0.02, 0.5)) {
                double[][] d = data(7, 4, 10, false, false);
                Tensor x0 = on(t, Arrays.copyOf(d[0], 10), 1, 10).expand(4, 10), x = on(t, d[1], 4, 10);
                check("broadcast x0", c, x, x0);
            }
        }
    }

    @Test
    void emptyBatchesRankOneAndOneFeature() {
        Call[] all = java.util.stream.Stream.concat(Arrays.stream(projections(0.1)), Arrays.stream(steps(0.1))).toArray(Call[]::new);
        both("N=0", all, new int[] {0, 3}, x -> x, 8);
        both("no features", all, new int[] {3, 0}, x -> x, 8);
        both("rank 1 empty", all, new int[] {0}, x -> x, 8);
        both("rank 1", all, new int[] {6}, x -> x, 9);
        both("one feature", all, new int[] {6, 1}, x -> x, 10);
    }

    @Test
    void nanGradientsPropagateThroughTheSignedStep() {
        for (DType t : DTYPES) {
            double[][] d = data(11, 3, 8, true, true);
            check("NaN gradient", new Call(Step.SIGN, 0.1, 0, 0), on(t, d[1], 3, 8), on(t, d[0], 3, 8));
        }
    }

    @Test
    void aBatchLargeEnoughForSeveralThreads() {
        Call[] all = java.util.stream.Stream.concat(Arrays.stream(projections(0.5)), Arrays.stream(steps(0.1))).toArray(Call[]::new);
        both("large", all, new int[] {37, 8000}, x -> x, 12);
    }

    /**
     * Float32's signed step adds in float and its L-inf projection clamps in float between bounds rounded to float;
     * both must give the very float that the double formula rounded once gives (up to the sign of a zero), on
     * inputs with subnormal, zero, NaN and huge gradients, negative steps and bounds that round, over a batch large
     * enough to be split over threads.
     */
    @Test
    void float32StepAndLinfProjectionEqualTheDoubleFormulaRoundedOnce() {
        Random r = new Random(17);
        int n = 40, m = 2000;
        float[] x = new float[n * m], g = new float[n * m];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 1.2f - 0.1f;
            g[i] = switch (i % 9) {
                case 0 -> 0f;
                case 1 -> -0f;
                case 2 -> Float.MIN_VALUE * (r.nextBoolean() ? 1 : -1);
                case 3 -> (r.nextBoolean() ? 1 : -1) * Float.MAX_VALUE;
                case 4 -> i % 7 == 0 ? Float.NaN : 1e-30f;
                default -> (float) r.nextGaussian();
            };
        }
        double[] xd = new double[x.length], gd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
            gd[i] = g[i];
        }
        Tensor xt = on(DType.FLOAT32, xd, n, m), gt = on(DType.FLOAT32, gd, n, m);
        for (double a : new double[] {0.01, -0.3, 1e-3 / 3, 0}) {
            float[] got = CPU.signStep(xt, gt, a).toFloatArray();
            double af = (float) a;
            for (int i = 0; i < x.length; i++) {
                double s = g[i] > 0 ? 1 : g[i] < 0 ? -1 : g[i] == 0 ? 0 : Double.NaN;
                sameFloat("signStep(a=" + a + ") element " + i, (float) (x[i] + af * s), got[i]);
            }
        }
        // x0 = the gradient's finite values scaled into [-0.2, 1.2]; eps and the box not representable in float
        double[] cd = new double[x.length];
        for (int i = 0; i < x.length; i++) cd[i] = Float.isFinite(g[i]) ? (float) (0.5 + 0.25 * Math.tanh(g[i])) : g[i];
        Tensor ct = on(DType.FLOAT32, cd, n, m);
        for (double[] p : new double[][] {{8.0 / 255, 0, 1}, {0.3, 0.1 / 3, 1 - 1e-9}, {0, 0, 1}, {1.0 / 3, -1, 2}}) {
            float[] got = CPU.projectLinf(xt, ct, p[0], p[1], p[2]).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                double lo = Math.max(cd[i] - p[0], p[1]), hi = Math.min(cd[i] + p[0], p[2]);
                double want = Double.isNaN(cd[i]) ? Double.NaN : Math.min(Math.max(x[i], lo), hi);
                sameFloat("projectLinf(eps=" + p[0] + ") element " + i, (float) want, got[i]);
            }
        }
    }

    private static void sameFloat(String what, float want, float got) {
        if (Float.isNaN(want) && Float.isNaN(got)) return;
        if (want == got) return; // +0 == -0: the sign of a zero may differ
        fail(what + ": expected " + want + ", got " + got);
    }

    @Test
    void theReferenceItselfKnowsTheAnswerOfSmallCases() {
        // L1: d = (0.5, -0.3, 0.1), eps 0.4: theta 0.2 -> (0.3, -0.1, 0); L2: d = (3, 4) * 0.1, eps 0.25 -> half
        assertArrayEquals(new double[] {0.3, -0.1, 0}, duchi(new double[] {0.5, -0.3, 0.1}, 0.4), 1e-15);
        assertArrayEquals(new double[] {0.15, 0.2}, scaleL2(new double[] {0.3, 0.4}, 0.25), 1e-15);
        Tensor x = on(DType.FLOAT64, new double[] {0.9, 0.2, 0.7}, 1, 3), x0 = on(DType.FLOAT64, new double[] {0.4, 0.5, 0.6}, 1, 3);
        assertArrayEquals(new double[] {0.7, 0.4, 0.6}, CPU.projectL1(x, x0, 0.4, 0, 1).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0.5, 0.4, 0.7}, CPU.projectLinf(x, x0, 0.1, 0, 1).toDoubleArray(), 1e-15);
    }
}

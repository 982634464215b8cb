package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.cpu.CpuBackend;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Shared fixtures of the kernel tests: the CUDA backend under test (over the emulator, or over a real device in
 * the device tests), the CPU reference backend, identical inputs on both, and a comparison that is exact for
 * int32, within 1e-12 relative for float64 and a few float32 ulps for float32 (the CPU computes in double and
 * rounds once; the kernels compute float32 in float32), with NaN matching only NaN.
 */
final class KernelTestSupport {
    static final Backend CPU = CpuBackend.INSTANCE;
    private static CudaBackend emulated;

    private KernelTestSupport() {}

    /** The CUDA backend over the shared emulator. */
    static synchronized CudaBackend emulated() {
        if (emulated == null) emulated = new CudaBackend(new EmulatedDevice());
        return emulated;
    }

    /** The same tensor on the reference CPU backend and on the backend under test. */
    record Pair(Tensor cpu, Tensor dev) {
        Pair map(UnaryOperator<Tensor> f) {
            return new Pair(f.apply(cpu), f.apply(dev));
        }

        int[] shape() {
            return cpu.shape();
        }

        DType dtype() {
            return cpu.dtype();
        }
    }

    /** Host data on both backends. */
    static Pair pair(Backend dev, DType t, double[] data, int... shape) {
        return new Pair(Tensor.fromHost(CPU, t, data, shape), Tensor.fromHost(dev, t, data, shape));
    }

    /** Normal values (integers in [-5, 5] for int32), with a few special values when {@code special}. */
    static double[] data(long seed, DType t, int n, boolean special) {
        Random r = new Random(seed);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = t == DType.INT32 ? r.nextInt(11) - 5 : r.nextGaussian() * 2;
        if (special && t.isFloating() && n >= 8) {
            double[] s = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, 1e30, -1e-30, 25.0};
            for (int i = 0; i < s.length; i++) d[(int) ((i * 7919L + seed) % n)] = s[i];
        }
        return d;
    }

    static Pair random(Backend dev, long seed, DType t, boolean special, int... shape) {
        return pair(dev, t, data(seed, t, (int) Layouts.numel(shape), special), shape);
    }

    /** An empty output of a shape on both backends. */
    static Pair empty(Backend dev, DType t, int... shape) {
        return new Pair(Tensor.empty(CPU, t, shape), Tensor.empty(dev, t, shape));
    }

    /** Asserts equal shapes and elementwise agreement within the dtype's tolerance. */
    static void assertMatches(String what, Pair p) {
        assertMatches(what, p.cpu(), p.dev());
    }

    static void assertMatches(String what, Tensor expected, Tensor actual) {
        assertMatches(what, expected, actual, expected.dtype() == DType.FLOAT32 ? 4 : 0);
    }

    /** As above with a tolerance of {@code ulps} float32 ulps (float32) or 1e-12 relative (float64). */
    static void assertMatches(String what, Tensor expected, Tensor actual, int ulps) {
        if (!Arrays.equals(expected.shape(), actual.shape()))
            throw new AssertionError(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        if (expected.dtype() != actual.dtype())
            throw new AssertionError(what + ": dtype " + actual.dtype() + ", expected " + expected.dtype());
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        int bad = 0, first = -1;
        for (int i = 0; i < e.length; i++) {
            if (!close(expected.dtype(), e[i], a[i], ulps)) {
                bad++;
                if (first < 0) first = i;
            }
        }
        if (bad > 0)
            throw new AssertionError(String.format(Locale.ROOT, "%s: %d of %d elements differ; first at %d: got %s, expected %s",
                    what, bad, e.length, first, a[first], e[first]));
    }

    /**
     * For accumulating kernels (sums, products, convolutions), whose float32 result depends on the order of
     * accumulation: |actual - expected| may reach {@code (terms + 4)} units of rounding of {@code magnitude}, the
     * same computation on absolute values (the classic bound for a sum of {@code terms} rounded terms).
     */
    static void assertMatchesScaled(String what, Tensor expected, Tensor actual, Tensor magnitude, long terms) {
        if (!Arrays.equals(expected.shape(), actual.shape()))
            throw new AssertionError(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray(), m = magnitude.toDoubleArray();
        double u = expected.dtype() == DType.FLOAT32 ? 0x1.0p-24 : 0x1.0p-53;
        int bad = 0, first = -1;
        for (int i = 0; i < e.length; i++) {
            boolean ok = expected.dtype() == DType.INT32 ? e[i] == a[i]
                    : Double.isNaN(e[i]) || Double.isInfinite(e[i]) ? close(expected.dtype(), e[i], a[i], 0)
                    : Math.abs(a[i] - e[i]) <= (terms + 4) * u * Math.abs(m[i]) + 1e-300;
            if (!ok) {
                bad++;
                if (first < 0) first = i;
            }
        }
        if (bad > 0)
            throw new AssertionError(String.format(Locale.ROOT, "%s: %d of %d elements differ beyond %d rounding units; first at %d: got %s, expected %s (magnitude %s)",
                    what, bad, e.length, terms + 4, first, a[first], e[first], m[first]));
    }

    /**
     * Elementwise agreement within {@code atol} plus 4 float32 ulps (float32) or 1e-12 relative (float64): for
     * results that cancel (a step added to an input), where ulps of the result say little.
     */
    static void assertMatchesAbs(String what, Tensor expected, Tensor actual, double atol) {
        if (!Arrays.equals(expected.shape(), actual.shape()))
            throw new AssertionError(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        int bad = 0, first = -1;
        for (int i = 0; i < e.length; i++) {
            boolean ok = close(expected.dtype(), e[i], a[i], 4) || Math.abs(a[i] - e[i]) <= atol;
            if (!ok) {
                bad++;
                if (first < 0) first = i;
            }
        }
        if (bad > 0)
            throw new AssertionError(String.format(Locale.ROOT, "%s: %d of %d elements differ by more than %.3g; first at %d: got %s, expected %s",
                    what, bad, e.length, atol, first, a[first], e[first]));
    }

    /** {@code |t|} in float64 on the CPU. */
    static Tensor absCpu(Tensor t) {
        Tensor d = Tensor.empty(CPU, DType.FLOAT64, t.shape());
        CPU.copy(t, d);
        Tensor r = Tensor.empty(CPU, DType.FLOAT64, t.shape());
        CPU.unary(dev.brink.engine.backend.UnaryKernel.ABS, 0, d, r);
        return r;
    }

    static boolean close(DType t, double e, double a, int ulps) {
        if (Double.isNaN(e) || Double.isNaN(a)) return Double.isNaN(e) && Double.isNaN(a);
        if (Double.isInfinite(e) || Double.isInfinite(a)) return e == a;
        return switch (t) {
            case INT32 -> e == a;
            case FLOAT64 -> Math.abs(a - e) <= 1e-12 * Math.abs(e) + 1e-300;
            case FLOAT32 -> Math.abs(a - e) <= ulps * Math.ulp((float) e) + 1e-30;
        };
    }
}

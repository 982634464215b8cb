package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Storage;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Helpers for the CPU backend tests: tensors in several memory layouts whose logical (row-major) values are
 * computed here by plain index arithmetic, independently of the backend's own strided walker.
 */
final class CpuTestSupport {
    static final CpuBackend B = CpuBackend.INSTANCE;

    /** Memory layouts for a view of a given logical shape. */
    enum Layout { CONTIGUOUS, REVERSED_AXES, SLICED }

    /** A view plus the row-major logical values it holds. */
    record View(Tensor t, double[] values) {
        int[] shape() { return t.shape(); }
    }

    private CpuTestSupport() {}

    /** Random multiples of 1/8 in [-2, 2] (so ties, zeros and exact equalities occur). */
    static double[] randoms(SplittableRandom rng, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = rng.nextInt(-16, 17) / 8.0;
        return d;
    }

    /** Random continuous values in [-1, 1). */
    static double[] uniforms(SplittableRandom rng, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = rng.nextDouble(-1, 1);
        return d;
    }

    static Storage storage(DType dt, double[] raw) {
        return switch (dt) {
            case FLOAT64 -> B.upload(raw);
            case FLOAT32 -> {
                float[] f = new float[raw.length];
                for (int i = 0; i < f.length; i++) f[i] = (float) raw[i];
                yield B.upload(f);
            }
            case INT32 -> {
                int[] v = new int[raw.length];
                for (int i = 0; i < v.length; i++) v[i] = (int) Math.round(raw[i] * 3);
                yield B.upload(v);
            }
        };
    }

    /** The raw contents of a storage as doubles (by dtype). */
    static double[] raw(Storage s) {
        CpuStorage c = (CpuStorage) s;
        double[] r = new double[c.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = switch (c.dtype()) {
                case FLOAT32 -> c.floats()[i];
                case FLOAT64 -> c.doubles()[i];
                case INT32 -> c.ints()[i];
            };
        }
        return r;
    }

    /** Row-major logical values of the view (off, shape, strides) of raw, by naive index arithmetic. */
    static double[] logical(double[] raw, int off, int[] shape, int[] strides) {
        int n = Shape.numel(shape);
        double[] r = new double[n];
        for (int flat = 0; flat < n; flat++) {
            int[] idx = unravel(flat, shape);
            int o = off;
            for (int d = 0; d < shape.length; d++) o += idx[d] * strides[d];
            r[flat] = raw[o];
        }
        return r;
    }

    static double[] logical(Tensor t) {
        return logical(raw(t.storage()), t.offset(), t.shape(), t.strides());
    }

    static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    static int ravel(int[] idx, int[] shape) {
        int f = 0;
        for (int d = 0; d < shape.length; d++) f = f * shape[d] + idx[d];
        return f;
    }

    /** A view of the given logical shape filled with random values, laid out as {@code layout}. */
    static View view(SplittableRandom rng, DType dt, Layout layout, int... shape) {
        int rank = shape.length;
        int n = Shape.numel(shape);
        switch (layout) {
            case CONTIGUOUS -> {
                Tensor t = Tensor.fromStorage(storage(dt, randoms(rng, n)), shape, Shape.contiguousStrides(shape), 0);
                return new View(t, logical(t));
            }
            case REVERSED_AXES -> {
                // Storage laid out with the axes in reverse order (a transposed/permuted view).
                int[] rev = new int[rank];
                for (int d = 0; d < rank; d++) rev[d] = shape[rank - 1 - d];
                int[] rs = Shape.contiguousStrides(rev);
                int[] strides = new int[rank];
                for (int d = 0; d < rank; d++) strides[d] = rs[rank - 1 - d];
                Tensor t = Tensor.fromStorage(storage(dt, randoms(rng, n)), shape, strides, 0);
                return new View(t, logical(t));
            }
            case SLICED -> {
                // Every axis of a bigger buffer sliced with step 2 from index 1, plus an offset.
                int[] big = new int[rank];
                for (int d = 0; d < rank; d++) big[d] = 2 * shape[d] + 1;
                int[] bs = Shape.contiguousStrides(big);
                int[] strides = new int[rank];
                int off = 0;
                for (int d = 0; d < rank; d++) {
                    strides[d] = 2 * bs[d];
                    off += bs[d];
                }
                Tensor t = Tensor.fromStorage(storage(dt, randoms(rng, Shape.numel(big))), shape, strides, off);
                return new View(t, logical(t));
            }
            default -> throw new AssertionError();
        }
    }

    static View contiguous(SplittableRandom rng, DType dt, int... shape) {
        return view(rng, dt, Layout.CONTIGUOUS, shape);
    }

    static Tensor tensor(double[] data, int... shape) {
        return Tensor.fromStorage(B.upload(data), shape, Shape.contiguousStrides(shape), 0);
    }

    static Tensor ints(int[] data, int... shape) {
        return Tensor.fromStorage(B.upload(data), shape, Shape.contiguousStrides(shape), 0);
    }

    /** Value at a multi-index of row-major values of the given shape, broadcasting (trailing alignment). */
    static double bcast(double[] values, int[] shape, int[] outIdx) {
        int lead = outIdx.length - shape.length;
        int f = 0;
        for (int d = 0; d < shape.length; d++) f = f * shape[d] + (shape[d] == 1 ? 0 : outIdx[lead + d]);
        return values[f];
    }

    static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.isNaN(e) && Double.isNaN(a)) continue;
            if (e == a) continue;
            double err = Math.abs(e - a) / Math.max(1.0, Math.abs(e));
            if (!(err <= tol)) fail(what + ": element " + i + " expected " + e + " but was " + a + " (tol " + tol + ")");
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** Rounds every value to float, as a float32 tensor stores it. */
    static double[] toFloat(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < r.length; i++) r[i] = (float) v[i];
        return r;
    }
}

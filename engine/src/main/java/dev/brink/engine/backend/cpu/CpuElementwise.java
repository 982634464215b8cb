package dev.brink.engine.backend.cpu;

import dev.brink.engine.Tensor;
import dev.brink.engine.backend.BinaryKernel;
import dev.brink.engine.backend.UnaryKernel;

/**
 * Elementwise kernels (unary, binary, where, copy, fill). Every kernel walks the output shape with one
 * {@link StridedIndexer}, loads chunks of each operand's row into {@code double} scratch, computes in double and
 * stores converted to the output's dtype. Same-shape contiguous operands collapse to a single row, so the
 * contiguous case is a straight loop over chunks.
 */
final class CpuElementwise {
    /** Elements processed per chunk (scratch size). */
    static final int CHUNK = 2048;

    private CpuElementwise() {}

    static void fill(Tensor out, double value) {
        CpuStorage o = CpuStorage.of(out);
        StridedIndexer it = new StridedIndexer(out.shape(), new int[]{out.offset()}, out.strides());
        double[] buf = new double[Math.min(CHUNK, Math.max(it.inner, 1))];
        java.util.Arrays.fill(buf, value);
        for (long r = it.rows(); r > 0; r--, it.next()) {
            for (int j = 0; j < it.inner; j += buf.length) {
                int len = Math.min(buf.length, it.inner - j);
                o.store(buf, 0, it.pos[0] + j * it.innerStride[0], it.innerStride[0], len);
            }
        }
    }

    static void copy(Tensor src, Tensor dst) {
        int[] shape = dst.shape();
        CpuStorage s = CpuStorage.of(src), d = CpuStorage.of(dst);
        int sOff = src.offset();
        int[] sStrides = StridedIndexer.broadcastStrides(src, shape);
        if (s == d) {
            // Source and destination share memory: take a snapshot of the source first.
            double[] snap = StridedIndexer.gather(src);
            s = CpuStorage.wrap(snap);
            sOff = 0;
            sStrides = StridedIndexer.broadcastStrides(src.shape(), dev.brink.engine.Shape.contiguousStrides(src.shape()), shape);
        }
        StridedIndexer it = new StridedIndexer(shape, new int[]{sOff, dst.offset()}, sStrides, dst.strides());
        boolean same = s.dtype() == d.dtype();
        double[] buf = same ? null : new double[Math.min(CHUNK, Math.max(it.inner, 1))];
        for (long r = it.rows(); r > 0; r--, it.next()) {
            int ss = it.innerStride[0], ds = it.innerStride[1];
            if (same) {
                CpuStorage.copySameType(s, it.pos[0], ss, d, it.pos[1], ds, it.inner);
                continue;
            }
            for (int j = 0; j < it.inner; j += buf.length) {
                int len = Math.min(buf.length, it.inner - j);
                s.load(it.pos[0] + j * ss, ss, buf, 0, len);
                d.store(buf, 0, it.pos[1] + j * ds, ds, len);
            }
        }
    }

    static void unary(UnaryKernel k, double alpha, Tensor x, Tensor out) {
        int[] shape = out.shape();
        CpuStorage xs = CpuStorage.of(x), os = CpuStorage.of(out);
        StridedIndexer it = new StridedIndexer(shape, new int[]{x.offset(), out.offset()},
                StridedIndexer.broadcastStrides(x, shape), out.strides());
        int n = Math.min(CHUNK, Math.max(it.inner, 1));
        double[] a = new double[n], o = new double[n];
        for (long r = it.rows(); r > 0; r--, it.next()) {
            int s0 = it.innerStride[0], s1 = it.innerStride[1];
            for (int j = 0; j < it.inner; j += n) {
                int len = Math.min(n, it.inner - j);
                xs.load(it.pos[0] + j * s0, s0, a, 0, len);
                unaryRun(k, alpha, a, o, len);
                os.store(o, 0, it.pos[1] + j * s1, s1, len);
            }
        }
    }

    static void binary(BinaryKernel k, Tensor a, Tensor b, Tensor out) {
        int[] shape = out.shape();
        CpuStorage as = CpuStorage.of(a), bs = CpuStorage.of(b), os = CpuStorage.of(out);
        StridedIndexer it = new StridedIndexer(shape, new int[]{a.offset(), b.offset(), out.offset()},
                StridedIndexer.broadcastStrides(a, shape), StridedIndexer.broadcastStrides(b, shape), out.strides());
        int n = Math.min(CHUNK, Math.max(it.inner, 1));
        double[] x = new double[n], y = new double[n], o = new double[n];
        for (long r = it.rows(); r > 0; r--, it.next()) {
            int s0 = it.innerStride[0], s1 = it.innerStride[1], s2 = it.innerStride[2];
            for (int j = 0; j < it.inner; j += n) {
                int len = Math.min(n, it.inner - j);
                as.load(it.pos[0] + j * s0, s0, x, 0, len);
                bs.load(it.pos[1] + j * s1, s1, y, 0, len);
                binaryRun(k, x, y, o, len);
                os.store(o, 0, it.pos[2] + j * s2, s2, len);
            }
        }
    }

    static void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        int[] shape = out.shape();
        CpuStorage cs = CpuStorage.of(cond), as = CpuStorage.of(a), bs = CpuStorage.of(b), os = CpuStorage.of(out);
        StridedIndexer it = new StridedIndexer(shape, new int[]{cond.offset(), a.offset(), b.offset(), out.offset()},
                StridedIndexer.broadcastStrides(cond, shape), StridedIndexer.broadcastStrides(a, shape),
                StridedIndexer.broadcastStrides(b, shape), out.strides());
        int n = Math.min(CHUNK, Math.max(it.inner, 1));
        double[] c = new double[n], x = new double[n], y = new double[n], o = new double[n];
        for (long r = it.rows(); r > 0; r--, it.next()) {
            int s0 = it.innerStride[0], s1 = it.innerStride[1], s2 = it.innerStride[2], s3 = it.innerStride[3];
            for (int j = 0; j < it.inner; j += n) {
                int len = Math.min(n, it.inner - j);
                cs.load(it.pos[0] + j * s0, s0, c, 0, len);
                as.load(it.pos[1] + j * s1, s1, x, 0, len);
                bs.load(it.pos[2] + j * s2, s2, y, 0, len);
                for (int i = 0; i < len; i++) o[i] = c[i] != 0 ? x[i] : y[i];
                os.store(o, 0, it.pos[3] + j * s3, s3, len);
            }
        }
    }

    /** o[i] = k(a[i]) for i < len. */
    static void unaryRun(UnaryKernel k, double alpha, double[] a, double[] o, int len) {
        switch (k) {
            case NEG -> { for (int i = 0; i < len; i++) o[i] = -a[i]; }
            case ABS -> { for (int i = 0; i < len; i++) o[i] = Math.abs(a[i]); }
            case SIGN -> { for (int i = 0; i < len; i++) o[i] = a[i] > 0 ? 1.0 : a[i] < 0 ? -1.0 : a[i] == 0 ? 0.0 : a[i]; }
            case EXP -> { for (int i = 0; i < len; i++) o[i] = Math.exp(a[i]); }
            case LOG -> { for (int i = 0; i < len; i++) o[i] = Math.log(a[i]); }
            case SQRT -> { for (int i = 0; i < len; i++) o[i] = Math.sqrt(a[i]); }
            case RECIPROCAL -> { for (int i = 0; i < len; i++) o[i] = 1.0 / a[i]; }
            case SQUARE -> { for (int i = 0; i < len; i++) o[i] = a[i] * a[i]; }
            case RELU -> { for (int i = 0; i < len; i++) o[i] = Math.max(a[i], 0.0); }
            case LEAKY_RELU -> { for (int i = 0; i < len; i++) o[i] = a[i] > 0 ? a[i] : alpha * a[i]; }
            case SIGMOID -> { for (int i = 0; i < len; i++) o[i] = sigmoid(a[i]); }
            case TANH -> { for (int i = 0; i < len; i++) o[i] = Math.tanh(a[i]); }
            case SOFTPLUS -> { for (int i = 0; i < len; i++) o[i] = softplus(a[i]); }
            case POW_SCALAR -> { for (int i = 0; i < len; i++) o[i] = Math.pow(a[i], alpha); }
        }
    }

    static double sigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    static double softplus(double x) {
        if (x > 20) return x;
        return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** o[i] = k(a[i], b[i]) for i < len. */
    static void binaryRun(BinaryKernel k, double[] a, double[] b, double[] o, int len) {
        switch (k) {
            case ADD -> { for (int i = 0; i < len; i++) o[i] = a[i] + b[i]; }
            case SUB -> { for (int i = 0; i < len; i++) o[i] = a[i] - b[i]; }
            case MUL -> { for (int i = 0; i < len; i++) o[i] = a[i] * b[i]; }
            case DIV -> { for (int i = 0; i < len; i++) o[i] = a[i] / b[i]; }
            case POW -> { for (int i = 0; i < len; i++) o[i] = Math.pow(a[i], b[i]); }
            case MAX -> { for (int i = 0; i < len; i++) o[i] = Math.max(a[i], b[i]); }
            case MIN -> { for (int i = 0; i < len; i++) o[i] = Math.min(a[i], b[i]); }
            case EQ -> { for (int i = 0; i < len; i++) o[i] = a[i] == b[i] ? 1 : 0; }
            case NE -> { for (int i = 0; i < len; i++) o[i] = a[i] != b[i] ? 1 : 0; }
            case LT -> { for (int i = 0; i < len; i++) o[i] = a[i] < b[i] ? 1 : 0; }
            case LE -> { for (int i = 0; i < len; i++) o[i] = a[i] <= b[i] ? 1 : 0; }
            case GT -> { for (int i = 0; i < len; i++) o[i] = a[i] > b[i] ? 1 : 0; }
            case GE -> { for (int i = 0; i < len; i++) o[i] = a[i] >= b[i] ? 1 : 0; }
            case MASK_POSITIVE -> { for (int i = 0; i < len; i++) o[i] = b[i] > 0 ? a[i] : 0; }
        }
    }
}

package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

import java.util.Arrays;

import static dev.brink.kernels.CudaBackend.sfx;

/** The fused kernels for attacks (attack.cu: the overrides of Backend.signStep, l2Step, projectLinf/L2/L1), cross-entropy (loss.cu) and EMR (emr.cu) behind CudaBackend's extras. */
final class CudaRobust {
    private CudaRobust() {}

    private static void sameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException(op + ": shapes " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()) + " differ");
        if (a.dtype() != b.dtype())
            throw new IllegalArgumentException(op + ": dtypes " + a.dtype().label() + " and " + b.dtype().label() + " differ");
    }

    private static void batch(String op, Tensor x) {
        if (x.dim() < 1 || x.size(0) == 0 && x.numel() != 0)
            throw new IllegalArgumentException(op + ": expected a batch [N, ...], got " + Shape.str(x.shape()));
    }

    /** Pointer to a contiguous tensor's first element. */
    private static KernelArgs ptr(KernelArgs a, CudaBackend be, Tensor t) {
        return a.ptr(be.buf(t), (long) t.offset() * t.dtype().bytes());
    }

    static Tensor signStep(CudaBackend be, Tensor x, Tensor g, double alpha) {
        sameShape("signStep", x, g);
        CudaBackend.requireFloating("signStep", x);
        Tensor xc = be.contiguous(x), gc = be.contiguous(g), out = be.temp(x.dtype(), x.shape());
        int n = x.numel();
        if (n == 0) return out;
        KernelArgs a = new KernelArgs();
        ptr(ptr(a, be, xc), be, gc).ptr(be.buf(out)).i32(n).f64(alpha);
        be.launch("sign_step_" + sfx(x.dtype()), Layouts.grid(n, 256), Layouts.threads(256), a);
        return out;
    }

    static Tensor l2Step(CudaBackend be, Tensor x, Tensor g, double alpha) {
        sameShape("l2Step", x, g);
        CudaBackend.requireFloating("l2Step", x);
        batch("l2Step", x);
        Tensor xc = be.contiguous(x), gc = be.contiguous(g), out = be.temp(x.dtype(), x.shape());
        if (x.numel() == 0) return out;
        int n = x.size(0), m = x.numel() / n;
        KernelArgs a = new KernelArgs();
        ptr(ptr(a, be, xc), be, gc).ptr(be.buf(out)).i32(n).i32(m).f64(alpha);
        be.launch("l2_step_" + sfx(x.dtype()), Layouts.blocks(n), Layouts.threads(Layouts.reductionBlock(m)), a);
        return out;
    }

    static Tensor project(CudaBackend be, String kernel, Tensor x, Tensor x0, double eps, double lo, double hi) {
        sameShape(kernel + "*", x, x0);
        CudaBackend.requireFloating("projection", x);
        batch("projection", x);
        Tensor xc = be.contiguous(x), x0c = be.contiguous(x0), out = be.temp(x.dtype(), x.shape());
        if (x.numel() == 0) return out;
        KernelArgs a = new KernelArgs();
        ptr(ptr(a, be, xc), be, x0c).ptr(be.buf(out));
        String name = kernel + sfx(x.dtype());
        if (kernel.equals("project_linf_")) {
            a.i32(x.numel()).f64(eps).f64(lo).f64(hi);
            be.launch(name, Layouts.grid(x.numel(), 256), Layouts.threads(256), a);
        } else {
            int n = x.size(0), m = x.numel() / n;
            a.i32(n).i32(m).f64(eps).f64(lo).f64(hi);
            be.launch(name, Layouts.blocks(n), Layouts.threads(Layouts.reductionBlock(m)), a);
        }
        return out;
    }

    static Tensor crossEntropy(CudaBackend be, Tensor logits, Tensor labels, double smoothing) {
        CudaBackend.requireFloating("crossEntropy", logits);
        if (logits.dim() != 2 || labels.dim() != 1 || labels.dtype() != DType.INT32 || labels.size(0) != logits.size(0))
            throw new IllegalArgumentException("crossEntropy: expected logits [N, K] and int32 labels [N], got "
                    + Shape.str(logits.shape()) + " and " + labels.dtype().label() + " " + Shape.str(labels.shape()));
        if (!(smoothing >= 0 && smoothing <= 1))
            throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1], got " + smoothing);
        int n = logits.size(0), k = logits.size(1);
        Tensor z = be.contiguous(logits), y = be.contiguous(labels), out = be.temp(logits.dtype(), n);
        if (n == 0) return out;
        long slot = be.errors().acquire("crossEntropy: label", k);
        KernelArgs a = new KernelArgs();
        ptr(ptr(a, be, z), be, y).ptr(be.buf(out)).i32(n).i32(k).f64(smoothing).ptr(be.errors().buffer(), slot);
        be.launch("cross_entropy_" + sfx(logits.dtype()), Layouts.blocks(n), Layouts.threads(Layouts.reductionBlock(k)), a);
        return out;
    }

    static Tensor emrSeeds(CudaBackend be, DType dtype, int classes, int batch) {
        if (!dtype.isFloating() || classes < 1 || batch < 0)
            throw new IllegalArgumentException("emrSeeds: need a floating dtype, classes >= 1 and batch >= 0");
        Tensor out = be.temp(dtype, classes * batch, classes);
        long total = (long) classes * batch * classes;
        if (total == 0) return out;
        be.launch("emr_seeds_" + sfx(dtype), Layouts.grid(total, 256), Layouts.threads(256),
                new KernelArgs().ptr(be.buf(out)).i32(classes).i32(batch));
        return out;
    }

    static Tensor rowSquaredNorms(CudaBackend be, Tensor rows) {
        CudaBackend.requireFloating("rowSquaredNorms", rows);
        batch("rowSquaredNorms", rows);
        int r = rows.size(0);
        Tensor x = be.contiguous(rows), out = be.temp(rows.dtype(), r);
        if (r == 0) return out;
        int d = rows.numel() / r;
        KernelArgs a = new KernelArgs();
        ptr(a, be, x).ptr(be.buf(out)).i32(r).i32(d);
        be.launch("row_sqnorm_" + sfx(rows.dtype()), Layouts.blocks(r), Layouts.threads(Layouts.reductionBlock(d)), a);
        return out;
    }

    static Tensor emrPairSquaredNorms(CudaBackend be, Tensor jac, Tensor labels) {
        CudaBackend.requireFloating("emrPairSquaredNorms", jac);
        if (jac.dim() < 2 || labels.dim() != 1 || labels.dtype() != DType.INT32 || labels.size(0) != jac.size(1))
            throw new IllegalArgumentException("emrPairSquaredNorms: expected Jacobian rows [K, B, ...] and int32 labels [B], got "
                    + Shape.str(jac.shape()) + " and " + labels.dtype().label() + " " + Shape.str(labels.shape()));
        int k = jac.size(0), b = jac.size(1);
        Tensor j = be.contiguous(jac), y = be.contiguous(labels), out = be.temp(jac.dtype(), b, k);
        if (b == 0 || k == 0) return out;
        int d = jac.numel() / (k * b);
        long slot = be.errors().acquire("emrPairSquaredNorms: label", k);
        KernelArgs a = new KernelArgs();
        ptr(ptr(a, be, j), be, y).ptr(be.buf(out)).i32(k).i32(b).i32(d).ptr(be.errors().buffer(), slot);
        be.launch("emr_pair_sqnorm_" + sfx(jac.dtype()), Layouts.blocks((long) b * k), Layouts.threads(Layouts.reductionBlock(d)), a);
        return out;
    }
}

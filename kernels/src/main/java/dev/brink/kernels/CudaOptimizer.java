package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.OptimizerKernel;

import static dev.brink.kernels.CudaBackend.sfx;

/** The fused optimizer updates of optim.cu behind {@link CudaBackend#optimizerStep}. */
final class CudaOptimizer {
    private CudaOptimizer() {}

    /** Launches the update; false (nothing changed) where the tensors do not fit the kernels. */
    static boolean step(CudaBackend be, OptimizerKernel k, double[] h, Tensor param, Tensor grad, Tensor s1, Tensor s2) {
        if (!k.fits(h, param, grad, s1, s2)) return false;
        DType t = param.dtype();
        int n = param.numel();
        if (n == 0) return true;
        Tensor g = be.contiguous(grad);
        KernelArgs a = new KernelArgs();
        ptr(a, be, param);
        ptr(a, be, g);
        if (k == OptimizerKernel.SGD) {
            ptr(a, be, s1 == null ? param : s1); // not read without momentum
            a.i32(n).f64(h[0]).f64(h[1]).f64(h[2]).i32(h[3] != 0 ? 1 : 0).f64(h[4]).i32(h[5] != 0 ? 1 : 0);
            be.launch("sgd_step_" + sfx(t), Layouts.grid(n, 256), Layouts.threads(256), a);
        } else {
            ptr(a, be, s1);
            ptr(a, be, s2);
            a.i32(n).f64(h[0]).f64(h[1]).f64(h[2]).f64(h[3]).f64(h[4]).i32(h[5] != 0 ? 1 : 0).f64(h[6]).f64(h[7]);
            be.launch("adam_step_" + sfx(t), Layouts.grid(n, 256), Layouts.threads(256), a);
        }
        return true;
    }

    private static void ptr(KernelArgs a, CudaBackend be, Tensor t) {
        a.ptr(be.buf(t), (long) t.offset() * t.dtype().bytes());
    }
}

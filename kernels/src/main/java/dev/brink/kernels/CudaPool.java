package dev.brink.kernels;

import dev.brink.engine.Tensor;
import dev.brink.engine.backend.PoolGeometry;

import static dev.brink.kernels.CudaBackend.sfx;

/**
 * Max-pooling switches (pool.cu). cuDNN's pooling returns values, not the argmax positions that the engine's
 * max-pool backward needs, so this is a hand-written kernel.
 */
final class CudaPool {
    private CudaPool() {}

    static void maxPool2dIndices(CudaBackend be, Tensor x, PoolGeometry g, Tensor out) {
        CudaBackend.requireFloating("maxPool2dIndices", x);
        int[] xs = x.shape(), xst = x.strides(), os = out.shape(), ost = out.strides();
        int[] p = {xs[0], xs[1], xs[2], xs[3], os[2], os[3],
                g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.dilationH(), g.dilationW(),
                x.offset(), xst[0], xst[1], xst[2], xst[3],
                out.offset(), ost[0], ost[1], ost[2], ost[3]};
        long n = out.numel();
        if (n == 0) return;
        be.launch("maxpool2d_indices_" + sfx(x.dtype()), Layouts.grid(n, 256), Layouts.threads(256),
                new KernelArgs().ptr(be.buf(x)).ptr(be.buf(out)).struct(p));
    }
}

package dev.brink.kernels;

import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;

import static dev.brink.kernels.CudaBackend.sfx;

/**
 * Convolution forward, input gradient and weight gradient: cuDNN where it loads and accepts the tensors, else the
 * direct kernels of conv.cu (any strides, groups, dilation; deterministic).
 */
final class CudaConv {
    private CudaConv() {}

    static void conv2d(CudaBackend be, Tensor x, Tensor w, ConvGeometry g, Tensor out) {
        CudaBackend.requireFloating("conv2d", out);
        if (out.numel() == 0) return;
        Dnn dnn = be.device().dnn();
        if (dnn != null && dnn.forward(out.dtype(), t4(be, x), t4(be, be.contiguous(w)), g, t4(be, out), be.workspace())) return;
        be.launch("conv2d_fwd_" + sfx(out.dtype()), Layouts.grid(out.numel(), 256), Layouts.threads(256),
                new KernelArgs().ptr(be.buf(x)).ptr(be.buf(w)).ptr(be.buf(out)).struct(params(x, w, out, g)));
    }

    static void conv2dInputGrad(CudaBackend be, Tensor gy, Tensor w, ConvGeometry g, Tensor out) {
        CudaBackend.requireFloating("conv2dInputGrad", out);
        if (out.numel() == 0) return;
        Dnn dnn = be.device().dnn();
        if (dnn != null && dnn.backwardData(out.dtype(), t4(be, gy), t4(be, be.contiguous(w)), g, t4(be, out), be.workspace())) return;
        be.launch("conv2d_bwd_data_" + sfx(out.dtype()), Layouts.grid(out.numel(), 256), Layouts.threads(256),
                new KernelArgs().ptr(be.buf(gy)).ptr(be.buf(w)).ptr(be.buf(out)).struct(params(out, w, gy, g)));
    }

    static void conv2dWeightGrad(CudaBackend be, Tensor x, Tensor gy, ConvGeometry g, Tensor out) {
        CudaBackend.requireFloating("conv2dWeightGrad", out);
        if (out.numel() == 0) return;
        Dnn dnn = be.device().dnn();
        if (dnn != null && dnn.backwardFilter(out.dtype(), t4(be, x), t4(be, gy), g, t4(be, out), be.workspace())) return;
        int[] ys = gy.shape();
        long per = (long) ys[0] * ys[2] * ys[3];
        be.launch("conv2d_bwd_filter_" + sfx(out.dtype()), Layouts.blocks(out.numel()), Layouts.threads(Layouts.reductionBlock(per)),
                new KernelArgs().ptr(be.buf(x)).ptr(be.buf(gy)).ptr(be.buf(out)).struct(params(x, out, gy, g)));
    }

    private static Dnn.Tensor4 t4(CudaBackend be, Tensor t) {
        return new Dnn.Tensor4(be.buf(t), t.offset(), t.shape(), t.strides());
    }

    /** ConvParams for input-shaped x, weight-shaped w and output-shaped y (whichever of them is written). */
    static int[] params(Tensor x, Tensor w, Tensor y, ConvGeometry g) {
        int[] xs = x.shape(), ws = w.shape(), ys = y.shape(), xt = x.strides(), wt = w.strides(), yt = y.strides();
        return new int[] {xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], ys[2], ys[3], g.groups(),
                g.strideH(), g.strideW(), g.padH(), g.padW(), g.dilationH(), g.dilationW(),
                x.offset(), xt[0], xt[1], xt[2], xt[3],
                w.offset(), wt[0], wt[1], wt[2], wt[3],
                y.offset(), yt[0], yt[1], yt[2], yt[3]};
    }
}

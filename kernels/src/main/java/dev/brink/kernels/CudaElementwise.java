package dev.brink.kernels;

import dev.brink.engine.Tensor;
import dev.brink.engine.backend.BinaryKernel;
import dev.brink.engine.backend.UnaryKernel;

import static dev.brink.kernels.CudaBackend.sfx;
import static dev.brink.kernels.Layouts.broadcastStrides;
import static dev.brink.kernels.Layouts.grid;
import static dev.brink.kernels.Layouts.layout;
import static dev.brink.kernels.Layouts.threads;

/** fill, copy, unary, binary and where (elementwise.cu): one grid-stride kernel over a Layout each. */
final class CudaElementwise {
    static final int BLOCK = 256;

    private CudaElementwise() {}

    private static void run(CudaBackend be, String kernel, int[] l, KernelArgs args) {
        if (l[0] == 0) return;
        be.launch(kernel, grid(l[0], BLOCK), threads(BLOCK), args);
    }

    static void fill(CudaBackend be, Tensor out, double value) {
        int[] l = layout(out.shape(), new int[] {out.offset()}, out.strides());
        run(be, "fill_" + sfx(out.dtype()), l, new KernelArgs().ptr(be.buf(out)).struct(l).f64(value));
    }

    static void copy(CudaBackend be, Tensor src, Tensor dst) {
        int[] shape = dst.shape();
        if (src.storage() == dst.storage() && src.numel() > 0) {
            // Source and destination share memory: take a snapshot of the source first.
            Tensor snap = be.temp(src.dtype(), src.shape());
            copy(be, src, snap);
            src = snap;
        }
        if (src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous()
                && java.util.Arrays.equals(src.shape(), shape)) {
            long bytes = (long) dst.numel() * dst.dtype().bytes();
            if (bytes > 0) be.device().copy(be.buf(dst), (long) dst.offset() * dst.dtype().bytes(), be.buf(src),
                    (long) src.offset() * src.dtype().bytes(), bytes);
            return;
        }
        int[] l = layout(shape, new int[] {src.offset(), dst.offset()}, broadcastStrides(src, shape), dst.strides());
        run(be, "copy_" + sfx(src.dtype()) + "_" + sfx(dst.dtype()), l,
                new KernelArgs().ptr(be.buf(src)).ptr(be.buf(dst)).struct(l));
    }

    static void unary(CudaBackend be, UnaryKernel k, double alpha, Tensor x, Tensor out) {
        CudaBackend.requireFloating("unary " + k, out);
        int[] shape = out.shape();
        int[] l = layout(shape, new int[] {x.offset(), out.offset()}, broadcastStrides(x, shape), out.strides());
        run(be, "unary_" + sfx(out.dtype()), l,
                new KernelArgs().i32(k.ordinal()).f64(alpha).ptr(be.buf(x)).ptr(be.buf(out)).struct(l));
    }

    static void binary(CudaBackend be, BinaryKernel k, Tensor a, Tensor b, Tensor out) {
        int[] shape = out.shape();
        int[] l = layout(shape, new int[] {a.offset(), b.offset(), out.offset()}, broadcastStrides(a, shape),
                broadcastStrides(b, shape), out.strides());
        run(be, "binary_" + sfx(out.dtype()), l,
                new KernelArgs().i32(k.ordinal()).ptr(be.buf(a)).ptr(be.buf(b)).ptr(be.buf(out)).struct(l));
    }

    static void where(CudaBackend be, Tensor cond, Tensor a, Tensor b, Tensor out) {
        int[] shape = out.shape();
        int[] l = layout(shape, new int[] {cond.offset(), a.offset(), b.offset(), out.offset()},
                broadcastStrides(cond, shape), broadcastStrides(a, shape), broadcastStrides(b, shape), out.strides());
        run(be, "where_" + sfx(out.dtype()), l,
                new KernelArgs().ptr(be.buf(cond)).ptr(be.buf(a)).ptr(be.buf(b)).ptr(be.buf(out)).struct(l));
    }
}

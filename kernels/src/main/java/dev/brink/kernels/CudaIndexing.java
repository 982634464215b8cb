package dev.brink.kernels;

import dev.brink.engine.Tensor;

import static dev.brink.kernels.CudaBackend.sfx;

/**
 * gather and scatterAdd (indexing.cu), walking index's shape. Each launch gets an error slot; a bad index is
 * raised at the next read with the CPU backend's message.
 */
final class CudaIndexing {
    private CudaIndexing() {}

    static void gather(CudaBackend be, Tensor x, int axis, Tensor index, Tensor out) {
        int[] xs = x.strides();
        int axisStride = xs[axis];
        xs[axis] = 0;
        int[] l = Layouts.layout(index.shape(), new int[] {x.offset(), index.offset(), out.offset()}, xs, index.strides(), out.strides());
        launch(be, "gather_" + sfx(x.dtype()), x, index, out, l, axisStride, x.shape()[axis]);
    }

    static void scatterAdd(CudaBackend be, Tensor src, int axis, Tensor index, Tensor out) {
        int[] os = out.strides();
        int axisStride = os[axis];
        os[axis] = 0;
        int[] l = Layouts.layout(index.shape(), new int[] {src.offset(), index.offset(), out.offset()}, src.strides(), index.strides(), os);
        launch(be, "scatter_add_" + sfx(out.dtype()), src, index, out, l, axisStride, out.shape()[axis]);
    }

    private static void launch(CudaBackend be, String kernel, Tensor data, Tensor index, Tensor out, int[] l, int axisStride, int bound) {
        if (l[0] == 0) return;
        long slot = be.errors().acquire("element", bound);
        be.launch(kernel, Layouts.grid(l[0], 256), Layouts.threads(256), new KernelArgs().ptr(be.buf(data))
                .ptr(be.buf(index)).ptr(be.buf(out)).struct(l).i32(axisStride).i32(bound).ptr(be.errors().buffer(), slot));
    }
}

package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;

import static dev.brink.kernels.CudaBackend.sfx;

/** cumsum (scan.cu: a block per line) and stable argsort (sort.cu: merge passes over a contiguous copy). */
final class CudaScan {
    private CudaScan() {}

    static void cumsum(CudaBackend be, Tensor x, int axis, boolean reverse, Tensor out) {
        int[] l = Layouts.lines(x, axis, out);
        if (l[0] == 0 || l[1] == 0) return;
        be.launch("cumsum_" + sfx(x.dtype()), Layouts.blocks(l[0]), Layouts.threads(Layouts.reductionBlock(l[1])),
                new KernelArgs().ptr(be.buf(x)).ptr(be.buf(out)).struct(l).i32(reverse ? 1 : 0));
    }

    static void argsort(CudaBackend be, Tensor x, int axis, boolean descending, Tensor out) {
        int[] l = Layouts.lines(x, axis, out);
        int lines = l[0], len = l[1];
        long total = (long) lines * len;
        if (total == 0) return;
        int n = (int) total;
        Tensor[] keys = {be.temp(DType.FLOAT64, n), be.temp(DType.FLOAT64, n)};
        Tensor[] idx = {be.temp(DType.INT32, n), be.temp(DType.INT32, n)};
        int[] grid = Layouts.grid(total, 256), block = Layouts.threads(256);
        be.launch("argsort_load_" + sfx(x.dtype()), grid, block,
                new KernelArgs().ptr(be.buf(x)).ptr(be.buf(keys[0])).ptr(be.buf(idx[0])).struct(l));
        int cur = 0;
        for (long width = 1; width < len; width *= 2) {
            be.launch("argsort_merge", grid, block, new KernelArgs().ptr(be.buf(keys[cur])).ptr(be.buf(idx[cur]))
                    .ptr(be.buf(keys[cur ^ 1])).ptr(be.buf(idx[cur ^ 1])).i32(lines).i32(len).i32((int) width).i32(descending ? 1 : 0));
            cur ^= 1;
        }
        be.launch("argsort_store", grid, block, new KernelArgs().ptr(be.buf(idx[cur])).ptr(be.buf(out)).struct(l));
    }
}

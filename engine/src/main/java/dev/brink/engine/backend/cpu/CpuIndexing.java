package dev.brink.engine.backend.cpu;

import dev.brink.engine.Tensor;

/**
 * gather and scatterAdd along one axis (PyTorch semantics). The walk is over index's shape, which may be smaller
 * than x's (gather) or out's (scatterAdd) on the other axes; those tensors are addressed with their own strides.
 */
final class CpuIndexing {
    private CpuIndexing() {}

    static void gather(Tensor x, int axis, Tensor index, Tensor out) {
        int[] shape = index.shape();
        int[] xStrides = x.strides();
        int axisStride = xStrides[axis];
        xStrides[axis] = 0;
        CpuStorage xs = CpuStorage.of(x), is = CpuStorage.of(index), os = CpuStorage.of(out);
        int bound = x.shape()[axis];
        StridedIndexer it = new StridedIndexer(shape, new int[]{x.offset(), index.offset(), out.offset()}, xStrides, index.strides(), out.strides());
        long position = 0;
        for (long r = it.rows(); r > 0; r--, it.next()) {
            for (int j = 0; j < it.inner; j++, position++) {
                int k = checked((int) is.get(it.pos[1] + j * it.innerStride[1]), bound, position);
                os.set(it.pos[2] + j * it.innerStride[2], xs.get(it.pos[0] + j * it.innerStride[0] + k * axisStride));
            }
        }
    }

    static void scatterAdd(Tensor src, int axis, Tensor index, Tensor out) {
        int[] shape = index.shape();
        int[] oStrides = out.strides();
        int axisStride = oStrides[axis];
        oStrides[axis] = 0;
        CpuStorage ss = CpuStorage.of(src), is = CpuStorage.of(index), os = CpuStorage.of(out);
        int bound = out.shape()[axis];
        StridedIndexer it = new StridedIndexer(shape, new int[]{src.offset(), index.offset(), out.offset()}, src.strides(), index.strides(), oStrides);
        long position = 0;
        for (long r = it.rows(); r > 0; r--, it.next()) {
            for (int j = 0; j < it.inner; j++, position++) {
                int k = checked((int) is.get(it.pos[1] + j * it.innerStride[1]), bound, position);
                int o = it.pos[2] + j * it.innerStride[2] + k * axisStride;
                os.set(o, os.get(o) + ss.get(it.pos[0] + j * it.innerStride[0]));
            }
        }
    }

    /** The index itself, or an exception naming its row-major position, value and the valid range. */
    private static int checked(int k, int bound, long position) {
        if (k < 0 || k >= bound)
            throw new IndexOutOfBoundsException("element " + position + " (row-major) = " + k + " is out of range [0, " + bound + ")");
        return k;
    }
}

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
        StridedIndexer it = new StridedIndexer(shape, new int[]{x.offset(), index.offset(), out.offset()}, xStrides, index.strides(), out.strides());
        for (long r = it.rows(); r > 0; r--, it.next()) {
            for (int j = 0; j < it.inner; j++) {
                int k = (int) is.get(it.pos[1] + j * it.innerStride[1]);
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
        StridedIndexer it = new StridedIndexer(shape, new int[]{src.offset(), index.offset(), out.offset()}, src.strides(), index.strides(), oStrides);
        for (long r = it.rows(); r > 0; r--, it.next()) {
            for (int j = 0; j < it.inner; j++) {
                int k = (int) is.get(it.pos[1] + j * it.innerStride[1]);
                int o = it.pos[2] + j * it.innerStride[2] + k * axisStride;
                os.set(o, os.get(o) + ss.get(it.pos[0] + j * it.innerStride[0]));
            }
        }
    }
}

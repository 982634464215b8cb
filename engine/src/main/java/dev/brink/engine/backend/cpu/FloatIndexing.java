package dev.brink.engine.backend.cpu;

import dev.brink.engine.Tensor;

/**
 * Float32 gather and scatterAdd with int32 indices, on the arrays directly (same walk, order and index checks
 * as {@link CpuIndexing}, so results are identical: float + float rounds exactly like the reference's double sum).
 */
final class FloatIndexing {
    private FloatIndexing() {}

    static void gather(Tensor x, int axis, Tensor index, Tensor out) {
        int[] xStrides = x.strides();
        int axisStride = xStrides[axis];
        xStrides[axis] = 0;
        float[] xd = CpuStorage.of(x).floats(), od = CpuStorage.of(out).floats();
        int[] id = CpuStorage.of(index).ints();
        int bound = x.shape()[axis];
        StridedIndexer it = new StridedIndexer(index.shape(), new int[]{x.offset(), index.offset(), out.offset()}, xStrides, index.strides(), out.strides());
        long position = 0;
        for (long r = it.rows(); r > 0; r--, it.next()) {
            int x0 = it.pos[0], i0 = it.pos[1], o0 = it.pos[2];
            int xs = it.innerStride[0], is = it.innerStride[1], os = it.innerStride[2];
            for (int j = 0; j < it.inner; j++) {
                int k = id[i0 + j * is];
                if (k < 0 || k >= bound) throw outOfRange(position + j, k, bound);
                od[o0 + j * os] = xd[x0 + j * xs + k * axisStride];
            }
            position += it.inner;
        }
    }

    static void scatterAdd(Tensor src, int axis, Tensor index, Tensor out) {
        int[] oStrides = out.strides();
        int axisStride = oStrides[axis];
        oStrides[axis] = 0;
        float[] sd = CpuStorage.of(src).floats(), od = CpuStorage.of(out).floats();
        int[] id = CpuStorage.of(index).ints();
        int bound = out.shape()[axis];
        StridedIndexer it = new StridedIndexer(index.shape(), new int[]{src.offset(), index.offset(), out.offset()}, src.strides(), index.strides(), oStrides);
        long position = 0;
        for (long r = it.rows(); r > 0; r--, it.next()) {
            int s0 = it.pos[0], i0 = it.pos[1], o0 = it.pos[2];
            int ss = it.innerStride[0], is = it.innerStride[1], os = it.innerStride[2];
            for (int j = 0; j < it.inner; j++) {
                int k = id[i0 + j * is];
                if (k < 0 || k >= bound) throw outOfRange(position + j, k, bound);
                od[o0 + j * os + k * axisStride] += sd[s0 + j * ss];
            }
            position += it.inner;
        }
    }

    private static IndexOutOfBoundsException outOfRange(long position, int k, int bound) {
        return new IndexOutOfBoundsException("element " + position + " (row-major) = " + k + " is out of range [0, " + bound + ")");
    }
}

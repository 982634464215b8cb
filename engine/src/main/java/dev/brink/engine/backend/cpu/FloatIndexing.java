package dev.brink.engine.backend.cpu;

import dev.brink.engine.Tensor;

/**
 * Float32 gather and scatterAdd with int32 indices, on the arrays directly (same walk, order and index checks
 * as {@link CpuIndexing}, so results are identical: float + float rounds exactly like the reference's double sum).
 * Along the last axis of contiguous tensors (max pooling's switches, one row per image and channel) the rows are
 * independent, so they run in parallel: each output row is only written from its own index row, in the same order
 * as the serial walk. An index out of range there reruns the serial walk, which reports the first bad element.
 */
final class FloatIndexing {
    private FloatIndexing() {}

    static void gather(Tensor x, int axis, Tensor index, Tensor out) {
        if (lastAxisRows(axis, x, index, out) && gatherRows(x, index, out)) return;
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
        if (lastAxisRows(axis, out, index, src) && scatterAddRows(src, index, out)) return;
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

    /**
     * True when axis is the last one, all three are contiguous, the indexed tensor has the index's leading
     * dimensions (one of its rows per index row), and there is enough work to split.
     */
    private static boolean lastAxisRows(int axis, Tensor wide, Tensor index, Tensor narrow) {
        int last = index.dim() - 1;
        if (axis != last || last < 1 || wide.dim() != index.dim()) return false;
        for (int d = 0; d < last; d++) if (wide.shape()[d] != index.shape()[d]) return false;
        return wide.isContiguous() && index.isContiguous() && narrow.isContiguous()
                && index.numel() >= FloatElementwise.PARALLEL_ELEMENTS && CpuParallel.threads() > 1;
    }

    /** The parallel row walk of gather; false (nothing to trust in out) when an index is out of range. */
    private static boolean gatherRows(Tensor x, Tensor index, Tensor out) {
        float[] xd = CpuStorage.of(x).floats(), od = CpuStorage.of(out).floats();
        int[] id = CpuStorage.of(index).ints();
        int inner = index.shape()[index.dim() - 1], bound = x.shape()[x.dim() - 1];
        int xo = x.offset(), io = index.offset(), oo = out.offset();
        return inRows(index, r -> {
            int xr = xo + r * bound, ir = io + r * inner, or = oo + r * inner;
            for (int j = 0; j < inner; j++) {
                int k = id[ir + j];
                if (k < 0 || k >= bound) return false;
                od[or + j] = xd[xr + k];
            }
            return true;
        });
    }

    /** The parallel row walk of scatterAdd; false (out partly updated) when an index is out of range. */
    private static boolean scatterAddRows(Tensor src, Tensor index, Tensor out) {
        float[] sd = CpuStorage.of(src).floats(), od = CpuStorage.of(out).floats();
        int[] id = CpuStorage.of(index).ints();
        int inner = index.shape()[index.dim() - 1], bound = out.shape()[out.dim() - 1];
        int so = src.offset(), io = index.offset(), oo = out.offset();
        return inRows(index, r -> {
            int sr = so + r * inner, ir = io + r * inner, or = oo + r * bound;
            for (int j = 0; j < inner; j++) {
                int k = id[ir + j];
                if (k < 0 || k >= bound) return false;
                od[or + k] += sd[sr + j];
            }
            return true;
        });
    }

    /** One index row's work; false when the row holds an index out of range. */
    private interface Row {
        boolean run(int r);
    }

    /** Runs {@code row} for every row of index (its last axis) in parallel; false when any row reported a bad index. */
    private static boolean inRows(Tensor index, Row row) {
        int inner = index.shape()[index.dim() - 1];
        java.util.concurrent.atomic.AtomicBoolean bad = new java.util.concurrent.atomic.AtomicBoolean();
        CpuParallel.forRange(index.numel() / Math.max(inner, 1), true, r -> {
            if (!row.run(r)) bad.set(true);
        });
        return !bad.get();
    }

    private static IndexOutOfBoundsException outOfRange(long position, int k, int bound) {
        return new IndexOutOfBoundsException("element " + position + " (row-major) = " + k + " is out of range [0, " + bound + ")");
    }
}

package dev.brink.engine.backend.cpu;

import dev.brink.engine.Tensor;

/**
 * Walks the positions of a shape in row-major order and tracks, for several operands at once, the storage
 * offset of the current position (each operand has its own strides, 0 on broadcast dimensions, and its own base
 * offset).
 *
 * <p>The shape is simplified first: dimensions of size 1 are dropped and adjacent dimensions that are contiguous
 * for every operand are merged, so same-shape contiguous operands become a single inner run. The walk goes over
 * "rows": for each of {@link #rows()} rows, {@link #pos}{@code [op]} is the offset of the row's first element for
 * operand {@code op}, the row has {@link #inner} elements, and operand {@code op} steps by
 * {@link #innerStride}{@code [op]} along it. Call {@link #next()} after each row.
 *
 * <pre>{@code
 * StridedIndexer it = new StridedIndexer(shape, new int[]{aOff, oOff}, aStrides, oStrides);
 * for (long r = it.rows(); r > 0; r--, it.next()) { ... it.pos[0], it.pos[1], it.inner, it.innerStride ... }
 * }</pre>
 */
final class StridedIndexer {
    /** Elements per row. */
    final int inner;
    /** Step of each operand along a row. */
    final int[] innerStride;
    /** Offset of the current row's first element, per operand. */
    final int[] pos;

    private final int[] dims;      // outer dims, outermost first
    private final int[][] steps;   // [op][dim] stride of each outer dim
    private final int[] counter;
    private final long rows;
    private final int[] base;      // offsets of row 0

    /**
     * @param shape   the shape to walk (the output shape)
     * @param offsets base offset of each operand
     * @param strides strides of each operand, one per dimension of {@code shape} (0 where broadcast)
     */
    StridedIndexer(int[] shape, int[] offsets, int[]... strides) {
        int nOps = strides.length;
        int rank = shape.length;
        long total = 1;
        for (int s : shape) total *= s;
        // Simplify: drop size-1 dims, merge contiguous neighbours (right to left).
        int[] sz = new int[rank];
        int[][] st = new int[nOps][rank];
        int k = 0;
        for (int d = 0; d < rank; d++) {
            if (shape[d] == 1) continue;
            sz[k] = shape[d];
            for (int op = 0; op < nOps; op++) st[op][k] = strides[op][d];
            k++;
        }
        int m = 0; // merged count, built in place from the left
        for (int d = 0; d < k; d++) {
            if (m > 0) {
                boolean merge = true;
                for (int op = 0; op < nOps && merge; op++) merge = st[op][m - 1] == st[op][d] * sz[d];
                if (merge) {
                    sz[m - 1] *= sz[d];
                    for (int op = 0; op < nOps; op++) st[op][m - 1] = st[op][d];
                    continue;
                }
            }
            sz[m] = sz[d];
            for (int op = 0; op < nOps; op++) st[op][m] = st[op][d];
            m++;
        }
        innerStride = new int[nOps];
        pos = offsets.clone();
        base = offsets.clone();
        if (total == 0) {
            inner = 0;
            rows = 0;
            dims = new int[0];
            steps = new int[nOps][0];
        } else if (m == 0) {
            inner = 1;
            rows = 1;
            dims = new int[0];
            steps = new int[nOps][0];
        } else {
            inner = sz[m - 1];
            for (int op = 0; op < nOps; op++) innerStride[op] = st[op][m - 1];
            dims = java.util.Arrays.copyOf(sz, m - 1);
            steps = new int[nOps][];
            for (int op = 0; op < nOps; op++) steps[op] = java.util.Arrays.copyOf(st[op], m - 1);
            rows = total / inner;
        }
        counter = new int[dims.length];
    }

    /** Number of rows to walk (0 when the shape has no elements). */
    long rows() {
        return rows;
    }

    /** Moves to row {@code row} (0-based, in walk order), so that a range of rows can be walked on its own. */
    void seek(long row) {
        System.arraycopy(base, 0, pos, 0, pos.length);
        for (int d = dims.length - 1; d >= 0; d--) {
            int c = (int) (row % dims[d]);
            row /= dims[d];
            counter[d] = c;
            for (int op = 0; op < pos.length; op++) pos[op] += steps[op][d] * c;
        }
    }

    /** Advances to the next row (wraps around after the last one). */
    void next() {
        for (int d = dims.length - 1; d >= 0; d--) {
            if (++counter[d] < dims[d]) {
                for (int op = 0; op < pos.length; op++) pos[op] += steps[op][d];
                return;
            }
            counter[d] = 0;
            for (int op = 0; op < pos.length; op++) pos[op] -= steps[op][d] * (dims[d] - 1);
        }
    }

    // ------------------------------------------------------------------ shared helpers

    /** Strides of {@code t} aligned to {@code outShape} (trailing alignment), 0 on broadcast dimensions. */
    static int[] broadcastStrides(Tensor t, int[] outShape) {
        return broadcastStrides(t.shape(), t.strides(), outShape);
    }

    static int[] broadcastStrides(int[] shape, int[] strides, int[] outShape) {
        int[] r = new int[outShape.length];
        int lead = outShape.length - shape.length;
        if (lead < 0) throw new IllegalArgumentException("cpu backend: shape of rank " + shape.length + " does not broadcast to rank " + outShape.length);
        for (int d = 0; d < shape.length; d++) r[lead + d] = shape[d] == 1 && outShape[lead + d] != 1 ? 0 : strides[d];
        return r;
    }

    /** Reads the view (off, shape, strides) of {@code s} into {@code dst[dOff...]} in row-major order. */
    static void gather(CpuStorage s, int off, int[] shape, int[] strides, double[] dst, int dOff) {
        int[] cs = dev.brink.engine.Shape.contiguousStrides(shape);
        StridedIndexer it = new StridedIndexer(shape, new int[]{off, dOff}, strides, cs);
        for (long r = it.rows(); r > 0; r--, it.next()) s.load(it.pos[0], it.innerStride[0], dst, it.pos[1], it.inner);
    }

    /** Writes {@code src[sOff...]} (row-major) into the view (off, shape, strides) of {@code s}, overwriting it. */
    static void scatter(double[] src, int sOff, CpuStorage s, int off, int[] shape, int[] strides) {
        int[] cs = dev.brink.engine.Shape.contiguousStrides(shape);
        StridedIndexer it = new StridedIndexer(shape, new int[]{off, sOff}, strides, cs);
        for (long r = it.rows(); r > 0; r--, it.next()) s.store(src, it.pos[1], it.pos[0], it.innerStride[0], it.inner);
    }

    /** The whole tensor as a new row-major double array. */
    static double[] gather(Tensor t) {
        double[] r = new double[t.numel()];
        gather(CpuStorage.of(t), t.offset(), t.shape(), t.strides(), r, 0);
        return r;
    }
}

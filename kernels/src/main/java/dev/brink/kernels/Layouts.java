package dev.brink.kernels;

import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

import java.util.Arrays;

/**
 * Packs the launch-parameter structs of {@code brink.cuh} ({@code Layout}, {@code ReduceLayout},
 * {@code LineLayout}) as int arrays in field order. Shapes are simplified as the CPU backend's walker does: size-1
 * dimensions are dropped and neighbours that are contiguous for every operand are merged, which keeps row-major
 * order, so position i of a layout is element i of the walked shape in row-major order.
 */
final class Layouts {
    static final int MAX_DIMS = 8;
    static final int MAX_OPS = 4;
    /** Ints in a packed Layout: n, rank, size[8], offset[4], stride[4][8]. */
    static final int LAYOUT_INTS = 2 + MAX_DIMS + MAX_OPS + MAX_OPS * MAX_DIMS;
    /** Ints in a packed ReduceLayout. */
    static final int REDUCE_INTS = 6 + 5 * MAX_DIMS;

    private Layouts() {}

    /** Simplified dimensions: sizes and strides[op][dim]. */
    record Dims(int[] size, int[][] strides) {
        int rank() {
            return size.length;
        }
    }

    /** Drops size-1 dimensions and merges neighbours that are contiguous for every operand. */
    static Dims simplify(int[] shape, int[]... strides) {
        int ops = strides.length;
        int[] sz = new int[shape.length];
        int[][] st = new int[ops][shape.length];
        int k = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            sz[k] = shape[d];
            for (int op = 0; op < ops; op++) st[op][k] = strides[op][d];
            k++;
        }
        int m = 0;
        for (int d = 0; d < k; d++) {
            if (m > 0) {
                boolean merge = true;
                for (int op = 0; op < ops && merge; op++) merge = st[op][m - 1] == st[op][d] * sz[d];
                if (merge) {
                    sz[m - 1] *= sz[d];
                    for (int op = 0; op < ops; op++) st[op][m - 1] = st[op][d];
                    continue;
                }
            }
            sz[m] = sz[d];
            for (int op = 0; op < ops; op++) st[op][m] = st[op][d];
            m++;
        }
        int[][] outStrides = new int[ops][];
        for (int op = 0; op < ops; op++) outStrides[op] = Arrays.copyOf(st[op], m);
        return new Dims(Arrays.copyOf(sz, m), outStrides);
    }

    /**
     * A Layout walking {@code shape} with one stride vector and base offset per operand (at most 4).
     *
     * @throws UnsupportedOperationException if more than 8 dimensions remain after merging
     */
    static int[] layout(int[] shape, int[] offsets, int[]... strides) {
        if (strides.length > MAX_OPS) throw new IllegalArgumentException("layout: at most " + MAX_OPS + " operands");
        int[] r = new int[LAYOUT_INTS];
        long n = numel(shape);
        r[0] = (int) n;
        if (n == 0) return r;
        Dims d = simplify(shape, strides);
        checkRank(d.rank(), shape);
        r[1] = d.rank();
        System.arraycopy(d.size(), 0, r, 2, d.rank());
        System.arraycopy(offsets, 0, r, 2 + MAX_DIMS, offsets.length);
        for (int op = 0; op < strides.length; op++)
            System.arraycopy(d.strides()[op], 0, r, 2 + MAX_DIMS + MAX_OPS + op * MAX_DIMS, d.rank());
        return r;
    }

    /**
     * A ReduceLayout: output positions walk {@code keptShape} (x's shape with reduced axes at size 1) with x's and
     * out's strides; reduced positions walk the reduced axes with x's strides.
     */
    static int[] reduce(int[] xShape, int[] xStrides, int xOffset, boolean[] axes, int[] oStrides, int oOffset) {
        int rank = xShape.length;
        int[] kept = xShape.clone(), red = new int[rank], redStrides = new int[rank];
        for (int d = 0; d < rank; d++) {
            if (axes[d]) {
                kept[d] = 1;
                red[d] = xShape[d];
                redStrides[d] = xStrides[d];
            } else {
                red[d] = 1;
            }
        }
        int[] r = new int[REDUCE_INTS];
        long nOut = numel(kept), nRed = numel(red);
        r[0] = (int) nOut;
        r[1] = (int) nRed;
        Dims o = simplify(kept, xStrides, oStrides);
        Dims q = simplify(red, redStrides);
        checkRank(o.rank(), xShape);
        checkRank(q.rank(), xShape);
        r[2] = o.rank();
        r[3] = q.rank();
        r[4] = xOffset;
        r[5] = oOffset;
        System.arraycopy(o.size(), 0, r, 6, o.rank());
        System.arraycopy(o.strides()[0], 0, r, 6 + MAX_DIMS, o.rank());
        System.arraycopy(o.strides()[1], 0, r, 6 + 2 * MAX_DIMS, o.rank());
        System.arraycopy(q.size(), 0, r, 6 + 3 * MAX_DIMS, q.rank());
        System.arraycopy(q.strides()[0], 0, r, 6 + 4 * MAX_DIMS, q.rank());
        return r;
    }

    /** A LineLayout for lines of x and out along {@code axis}: lines, len, xStep, oStep, then the outer Layout. */
    static int[] lines(Tensor x, int axis, Tensor out) {
        int[] shape = x.shape();
        int[] outer = Shape.with(shape, axis, 1);
        int[] r = new int[4 + LAYOUT_INTS];
        r[0] = (int) numel(outer);
        r[1] = shape[axis];
        r[2] = x.strides()[axis];
        r[3] = out.strides()[axis];
        int[] l = layout(outer, new int[] {x.offset(), out.offset()}, x.strides(), out.strides());
        System.arraycopy(l, 0, r, 4, LAYOUT_INTS);
        return r;
    }

    /** Strides of {@code t} aligned to {@code outShape} (trailing alignment), 0 on broadcast dimensions. */
    static int[] broadcastStrides(Tensor t, int[] outShape) {
        return broadcastStrides(t.shape(), t.strides(), outShape);
    }

    static int[] broadcastStrides(int[] shape, int[] strides, int[] outShape) {
        int[] r = new int[outShape.length];
        int lead = outShape.length - shape.length;
        if (lead < 0)
            throw new IllegalArgumentException("cuda backend: shape " + Shape.str(shape) + " does not broadcast to " + Shape.str(outShape));
        for (int d = 0; d < shape.length; d++) r[lead + d] = shape[d] == 1 && outShape[lead + d] != 1 ? 0 : strides[d];
        return r;
    }

    static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    private static void checkRank(int rank, int[] shape) {
        if (rank > MAX_DIMS)
            throw new UnsupportedOperationException("cuda backend: the strided walk over shape " + Shape.str(shape)
                    + " has " + rank + " dimensions after merging contiguous ones; the kernels take at most " + MAX_DIMS
                    + " (make the tensor contiguous first)");
    }

    // ------------------------------------------------------------------ launch configurations

    /** Largest grid used by grid-stride kernels. */
    static final int MAX_GRID = 65535;

    /** {grid, 1, 1} for a grid-stride loop over {@code n} items with blocks of {@code block} threads. */
    static int[] grid(long n, int block) {
        return new int[] {(int) Math.max(1, Math.min(MAX_GRID, (n + block - 1) / block)), 1, 1};
    }

    /** {blocks, 1, 1} for one block per item over {@code n} items. */
    static int[] blocks(long n) {
        return new int[] {(int) Math.max(1, Math.min(MAX_GRID, n)), 1, 1};
    }

    /** A power-of-two block size between 32 and 256 for a reduction over {@code work} items. */
    static int reductionBlock(long work) {
        int b = 32;
        while (b < 256 && b < work) b <<= 1;
        return b;
    }

    static int[] threads(int x) {
        return new int[] {x, 1, 1};
    }
}

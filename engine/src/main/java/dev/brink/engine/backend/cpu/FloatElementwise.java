package dev.brink.engine.backend.cpu;

import dev.brink.engine.Tensor;
import dev.brink.engine.backend.BinaryKernel;
import dev.brink.engine.backend.UnaryKernel;

import java.util.Arrays;

/**
 * Float32 elementwise kernels (fill, unary, binary, where) working on the float arrays directly. The output shape
 * is walked in runs ({@link StridedIndexer}); runs where every operand is contiguous, or one binary operand is a
 * broadcast scalar (stride 0: scalar arguments, channel bias {@code [1,C,1,1]} over NCHW), take loops C2
 * vectorizes. Arithmetic is done in float where that is exactly the reference's double result rounded (+, -, *,
 * /, sqrt, comparisons, max/min), and in double otherwise (exp, log, tanh, pow...), so results equal
 * {@link CpuElementwise}'s bit for bit. Large kernels split their runs over the threads.
 */
final class FloatElementwise {
    /** Elements (times a per-element cost) from which a kernel is split over threads. */
    static final long PARALLEL_ELEMENTS = 1L << 16;

    private FloatElementwise() {}

    /** A run of {@code len} elements: operand i starts at {@code pos[i]} and steps by {@code stride[i]}. */
    interface Run {
        void run(int[] pos, int[] stride, int len);
    }

    /** Rows of the walk taken together when an operand is strided along the runs (e.g. a transposed view). */
    static final int TILE_ROWS = 64;
    /** Columns per run inside such a group of rows, when the runs keep their direction. */
    static final int TILE = 32;

    /**
     * Walks {@code shape} for the operands (offsets, strides; the output last) in runs, in parallel when large.
     * When an input steps by more than one element along the runs (a transposed view), the walk takes
     * {@link #TILE_ROWS} rows at a time and, if an input is contiguous across those rows, turns the runs around
     * (down the columns of the group: every operand then moves through a band of 64 rows whose cache lines are
     * reused by the next 15 columns); otherwise it goes over
     * the group in tiles of {@link #TILE} columns. Either way a strided operand is read a few cache lines at a
     * time instead of one line (and one 4 KiB-aliased L1 set) per element.
     */
    static void walk(int[] shape, int[] offsets, int[][] strides, int cost, Run body) {
        StridedIndexer it = new StridedIndexer(shape, offsets, strides);
        long rows = it.rows();
        int inner = it.inner;
        int parts = CpuParallel.partsFor(rows * inner * cost, PARALLEL_ELEMENTS);
        boolean strided = false;
        for (int i = 0; i < it.innerStride.length - 1 || i == 0 && it.innerStride.length == 1; i++) {
            int st = it.innerStride[i];
            strided |= st > 1 || st < 0;
        }
        if (strided && rows >= 2 && inner >= 2) {
            long groups = (rows + TILE_ROWS - 1) / TILE_ROWS;
            int np = (int) Math.min(parts, groups);
            CpuParallel.run(np, part -> {
                long g0 = groups * part / np, g1 = groups * (part + 1) / np;
                StridedIndexer own = part == 0 ? it : new StridedIndexer(shape, offsets, strides);
                own.seek(g0 * TILE_ROWS);
                groups(own, g0 * TILE_ROWS, Math.min(rows, g1 * TILE_ROWS), body);
            });
        } else if (parts <= 1) {
            for (long r = rows; r > 0; r--, it.next()) body.run(it.pos, it.innerStride, inner);
        } else if (rows >= parts) {
            CpuParallel.run(parts, part -> {
                long r0 = rows * part / parts, r1 = rows * (part + 1) / parts;
                StridedIndexer own = part == 0 ? it : new StridedIndexer(shape, offsets, strides);
                own.seek(r0);
                for (long r = r0; r < r1; r++, own.next()) body.run(own.pos, own.innerStride, inner);
            });
        } else {
            // Few long runs: split each one.
            for (long r = rows; r > 0; r--, it.next()) {
                int[] pos = it.pos.clone(), st = it.innerStride;
                CpuParallel.run(parts, part -> {
                    int j0 = (int) ((long) inner * part / parts), j1 = (int) ((long) inner * (part + 1) / parts);
                    int[] p = new int[pos.length];
                    for (int i = 0; i < p.length; i++) p[i] = pos[i] + j0 * st[i];
                    body.run(p, st, j1 - j0);
                });
            }
        }
    }

    /** Rows [r0, r1) of the walk (the indexer positioned at r0), TILE_ROWS rows at a time. */
    private static void groups(StridedIndexer it, long r0, long r1, Run body) {
        int ops = it.pos.length, inner = it.inner;
        int[] st = it.innerStride;
        int[] rowPos = new int[TILE_ROWS * ops];
        int[] p = new int[ops], step = new int[ops];
        for (long r = r0; r < r1; ) {
            int n = (int) Math.min(TILE_ROWS, r1 - r);
            for (int q = 0; q < n; q++, it.next()) System.arraycopy(it.pos, 0, rowPos, q * ops, ops);
            // Are the rows of the group evenly spaced for every operand, and is that better for the inputs?
            boolean affine = n > 1;
            int unitAcross = 0, unitAlong = 0;
            for (int i = 0; i < ops && affine; i++) {
                step[i] = rowPos[ops + i] - rowPos[i];
                for (int q = 2; q < n && affine; q++) affine = rowPos[q * ops + i] - rowPos[(q - 1) * ops + i] == step[i];
                if (i < ops - 1 || ops == 1) {
                    if (step[i] == 1) unitAcross++;
                    if (st[i] == 1) unitAlong++;
                }
            }
            if (affine && unitAcross > 0) {
                for (int c = 0; c < inner; c++) {
                    for (int i = 0; i < ops; i++) p[i] = rowPos[i] + c * st[i];
                    body.run(p, step, n);
                }
            } else {
                for (int c0 = 0; c0 < inner; c0 += TILE) {
                    int len = Math.min(TILE, inner - c0);
                    for (int q = 0; q < n; q++) {
                        for (int i = 0; i < ops; i++) p[i] = rowPos[q * ops + i] + c0 * st[i];
                        body.run(p, st, len);
                    }
                }
            }
            r += n;
        }
    }

    private static float[] f(Tensor t) {
        return CpuStorage.of(t).floats();
    }

    static void fill(Tensor out, double value) {
        float v = (float) value;
        float[] o = f(out);
        walk(out.shape(), new int[]{out.offset()}, new int[][]{out.strides()}, 1, (pos, st, len) -> {
            if (st[0] == 1) Arrays.fill(o, pos[0], pos[0] + len, v);
            else for (int i = 0; i < len; i++) o[pos[0] + i * st[0]] = v;
        });
    }

    /** Copies float src (broadcast to dst's shape) into float dst; they must not share storage. */
    static void copy(Tensor src, Tensor dst) {
        int[] shape = dst.shape();
        float[] sd = f(src), dd = f(dst);
        walk(shape, new int[]{src.offset(), dst.offset()}, new int[][]{StridedIndexer.broadcastStrides(src, shape), dst.strides()}, 1,
                (pos, st, len) -> {
                    int s0 = pos[0], d0 = pos[1], ss = st[0], ds = st[1];
                    if (ss == 1 && ds == 1) System.arraycopy(sd, s0, dd, d0, len);
                    else if (ss == 0 && ds == 1) Arrays.fill(dd, d0, d0 + len, sd[s0]);
                    else for (int i = 0; i < len; i++) dd[d0 + i * ds] = sd[s0 + i * ss];
                });
    }

    // ------------------------------------------------------------------ unary

    static void unary(UnaryKernel k, double alpha, Tensor x, Tensor out) {
        int[] shape = out.shape();
        float[] xd = f(x), od = f(out);
        walk(shape, new int[]{x.offset(), out.offset()}, new int[][]{StridedIndexer.broadcastStrides(x, shape), out.strides()},
                cheap(k) ? 1 : 16, (pos, st, len) -> {
                    if (st[0] == 1 && st[1] == 1) unaryContiguous(k, alpha, xd, pos[0], od, pos[1], len);
                    else for (int i = 0; i < len; i++) od[pos[1] + i * st[1]] = unaryOf(k, alpha, xd[pos[0] + i * st[0]]);
                });
    }

    private static boolean cheap(UnaryKernel k) {
        return switch (k) {
            case NEG, ABS, SIGN, SQRT, RECIPROCAL, SQUARE, RELU, LEAKY_RELU -> true;
            default -> false;
        };
    }

    /** o[oo + i] = k(x[xo + i]) for i < n. */
    static void unaryContiguous(UnaryKernel k, double alpha, float[] x, int xo, float[] o, int oo, int n) {
        switch (k) {
            case NEG -> { for (int i = 0; i < n; i++) o[oo + i] = -x[xo + i]; }
            case ABS -> { for (int i = 0; i < n; i++) o[oo + i] = Math.abs(x[xo + i]); }
            case SQRT -> { for (int i = 0; i < n; i++) o[oo + i] = (float) Math.sqrt(x[xo + i]); }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) o[oo + i] = 1f / x[xo + i]; }
            case SQUARE -> { for (int i = 0; i < n; i++) { float v = x[xo + i]; o[oo + i] = v * v; } }
            case RELU -> { for (int i = 0; i < n; i++) o[oo + i] = Math.max(x[xo + i], 0f); }
            case SIGN -> FloatMasks.get().sign(x, xo, o, oo, n);
            default -> { for (int i = 0; i < n; i++) o[oo + i] = unaryOf(k, alpha, x[xo + i]); }
        }
    }

    /** k(v) rounded to float, exactly as the double reference computes it. */
    static float unaryOf(UnaryKernel k, double alpha, float v) {
        return switch (k) {
            case NEG -> -v;
            case ABS -> Math.abs(v);
            case SIGN -> v > 0 ? 1f : v < 0 ? -1f : v == 0 ? 0f : v;
            case EXP -> (float) Math.exp(v);
            case LOG -> (float) Math.log(v);
            case SQRT -> (float) Math.sqrt(v);
            case RECIPROCAL -> 1f / v;
            case SQUARE -> v * v;
            case RELU -> Math.max(v, 0f);
            case LEAKY_RELU -> select(v > 0, v, (float) (alpha * v));
            case SIGMOID -> (float) CpuElementwise.sigmoid(v);
            case TANH -> (float) Math.tanh(v);
            case SOFTPLUS -> (float) CpuElementwise.softplus(v);
            case POW_SCALAR -> (float) Math.pow(v, alpha);
        };
    }

    // ------------------------------------------------------------------ binary

    static void binary(BinaryKernel k, Tensor a, Tensor b, Tensor out) {
        int[] shape = out.shape();
        float[] ad = f(a), bd = f(b), od = f(out);
        walk(shape, new int[]{a.offset(), b.offset(), out.offset()},
                new int[][]{StridedIndexer.broadcastStrides(a, shape), StridedIndexer.broadcastStrides(b, shape), out.strides()},
                k == BinaryKernel.POW ? 16 : 1,
                (pos, st, len) -> binaryRun(k, ad, pos[0], st[0], bd, pos[1], st[1], od, pos[2], st[2], len));
    }

    static void binaryRun(BinaryKernel k, float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int os, int n) {
        if (os == 1 && as == 1 && bs == 1) vv(k, a, ao, b, bo, o, oo, n);
        else if (os == 1 && as == 0 && bs == 1) sv(k, a[ao], b, bo, o, oo, n);
        else if (os == 1 && as == 1 && bs == 0) vs(k, a, ao, b[bo], o, oo, n);
        else if (as == 1 && bs == 0 && k == BinaryKernel.MUL) {
            // a column of a transposed view times a scalar (optimizer updates on transposed gradients)
            float y = b[bo];
            for (int i = 0; i < n; i++) o[oo + i * os] = a[ao + i] * y;
        } else if (as == 1 && bs == 0 && k == BinaryKernel.ADD) {
            float y = b[bo];
            for (int i = 0; i < n; i++) o[oo + i * os] = a[ao + i] + y;
        } else strided(k, a, ao, as, b, bo, bs, o, oo, os, n);
    }

    /**
     * {@code t ? x : y} without a branch (the int select compiles to a conditional move; a float one to a jump,
     * which mispredicts on random data and costs ten times the arithmetic).
     */
    static float select(boolean t, float x, float y) {
        int m = t ? -1 : 0;
        return Float.intBitsToFloat(Float.floatToRawIntBits(x) & m | Float.floatToRawIntBits(y) & ~m);
    }

    /**
     * 1 where {@code x > y}, else 0 (also when either is NaN), without a data-dependent branch: the sign bit of
     * {@code (y - x) + 0} (a difference of distinct floats is never zero; adding +0 turns the -0 of equal zeros
     * of opposite sign into +0; infinities of the same sign give NaN). A branch ({@code x > y ? 1 : 0}) is
     * mispredicted on half the elements of a relu's input, which made the relu mask of a backward pass cost as
     * much as ten additions.
     */
    static float greater(float x, float y) {
        return greaterBit(x, y);
    }

    /** 1 where {@code x >= y}, else 0 (also when either is NaN), without a data-dependent branch (see {@link #greater}). */
    static float atLeast(float x, float y) {
        return (1 ^ greaterBit(y, x)) & notNaN(x) & notNaN(y);
    }

    private static int greaterBit(float x, float y) {
        float d = (y - x) + 0f;
        return (Float.floatToRawIntBits(d) >>> 31) & notNaN(d);
    }

    /** 1 unless d is NaN (a NaN is rare: this branch is predicted). */
    private static int notNaN(float d) {
        return d == d ? 1 : 0;
    }

    /** k(x, y) rounded to float, exactly as the double reference computes it. */
    static float binaryOf(BinaryKernel k, float x, float y) {
        return switch (k) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> (float) Math.pow(x, y);
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case EQ -> x == y ? 1 : 0;
            case NE -> x != y ? 1 : 0;
            case LT -> greater(y, x);
            case LE -> atLeast(y, x);
            case GT -> greater(x, y);
            case GE -> atLeast(x, y);
            case MASK_POSITIVE -> select(y > 0, x, 0f);
        };
    }

    private static void vv(BinaryKernel k, float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
        switch (k) {
            case ADD -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] + b[bo + i]; }
            case SUB -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] - b[bo + i]; }
            case MUL -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] * b[bo + i]; }
            case DIV -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] / b[bo + i]; }
            case MAX -> { for (int i = 0; i < n; i++) o[oo + i] = Math.max(a[ao + i], b[bo + i]); }
            case MIN -> { for (int i = 0; i < n; i++) o[oo + i] = Math.min(a[ao + i], b[bo + i]); }
            case EQ -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] == b[bo + i] ? 1 : 0; }
            case NE -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] != b[bo + i] ? 1 : 0; }
            case LT -> FloatMasks.get().vv(false, b, bo, a, ao, o, oo, n);
            case LE -> FloatMasks.get().vv(true, b, bo, a, ao, o, oo, n);
            case GT -> FloatMasks.get().vv(false, a, ao, b, bo, o, oo, n);
            case GE -> FloatMasks.get().vv(true, a, ao, b, bo, o, oo, n);
            case MASK_POSITIVE -> FloatMasks.get().maskPositive(a, ao, b, bo, o, oo, n);
            default -> { for (int i = 0; i < n; i++) o[oo + i] = binaryOf(k, a[ao + i], b[bo + i]); }
        }
    }

    private static void sv(BinaryKernel k, float x, float[] b, int bo, float[] o, int oo, int n) {
        switch (k) {
            case ADD -> { for (int i = 0; i < n; i++) o[oo + i] = x + b[bo + i]; }
            case SUB -> { for (int i = 0; i < n; i++) o[oo + i] = x - b[bo + i]; }
            case MUL -> { for (int i = 0; i < n; i++) o[oo + i] = x * b[bo + i]; }
            case DIV -> { for (int i = 0; i < n; i++) o[oo + i] = x / b[bo + i]; }
            case MAX -> { for (int i = 0; i < n; i++) o[oo + i] = Math.max(x, b[bo + i]); }
            case MIN -> { for (int i = 0; i < n; i++) o[oo + i] = Math.min(x, b[bo + i]); }
            case LT -> FloatMasks.get().vs(false, b, bo, x, o, oo, n);
            case LE -> FloatMasks.get().vs(true, b, bo, x, o, oo, n);
            case GE -> FloatMasks.get().sv(true, x, b, bo, o, oo, n);
            case GT -> FloatMasks.get().sv(false, x, b, bo, o, oo, n);
            default -> { for (int i = 0; i < n; i++) o[oo + i] = binaryOf(k, x, b[bo + i]); }
        }
    }

    private static void vs(BinaryKernel k, float[] a, int ao, float y, float[] o, int oo, int n) {
        switch (k) {
            case ADD -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] + y; }
            case SUB -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] - y; }
            case MUL -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] * y; }
            case DIV -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] / y; }
            case MAX -> { for (int i = 0; i < n; i++) o[oo + i] = Math.max(a[ao + i], y); }
            case MIN -> { for (int i = 0; i < n; i++) o[oo + i] = Math.min(a[ao + i], y); }
            case EQ -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] == y ? 1 : 0; }
            case LT -> FloatMasks.get().sv(false, y, a, ao, o, oo, n);
            case LE -> FloatMasks.get().sv(true, y, a, ao, o, oo, n);
            case GE -> FloatMasks.get().vs(true, a, ao, y, o, oo, n);
            case GT -> FloatMasks.get().vs(false, a, ao, y, o, oo, n);
            default -> { for (int i = 0; i < n; i++) o[oo + i] = binaryOf(k, a[ao + i], y); }
        }
    }

    /** Any strides (tiles of transposed views land here). */
    private static void strided(BinaryKernel k, float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int os, int n) {
        switch (k) {
            case ADD -> { for (int i = 0; i < n; i++) o[oo + i * os] = a[ao + i * as] + b[bo + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) o[oo + i * os] = a[ao + i * as] - b[bo + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) o[oo + i * os] = a[ao + i * as] * b[bo + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) o[oo + i * os] = a[ao + i * as] / b[bo + i * bs]; }
            default -> { for (int i = 0; i < n; i++) o[oo + i * os] = binaryOf(k, a[ao + i * as], b[bo + i * bs]); }
        }
    }

    // ------------------------------------------------------------------ where

    static void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        int[] shape = out.shape();
        float[] cd = f(cond), ad = f(a), bd = f(b), od = f(out);
        walk(shape, new int[]{cond.offset(), a.offset(), b.offset(), out.offset()},
                new int[][]{StridedIndexer.broadcastStrides(cond, shape), StridedIndexer.broadcastStrides(a, shape),
                        StridedIndexer.broadcastStrides(b, shape), out.strides()}, 1, (pos, st, len) -> {
                    int c0 = pos[0], a0 = pos[1], b0 = pos[2], o0 = pos[3];
                    int cs = st[0], as = st[1], bs = st[2], os = st[3];
                    if (cs == 1 && os == 1 && (as | bs) >>> 1 == 0) {
                        FloatMasks.get().select(cd, c0, ad, a0, as, bd, b0, bs, od, o0, len);
                        return;
                    }
                    for (int i = 0; i < len; i++) od[o0 + i * os] = select(cd[c0 + i * cs] != 0, ad[a0 + i * as], bd[b0 + i * bs]);
                });
    }
}

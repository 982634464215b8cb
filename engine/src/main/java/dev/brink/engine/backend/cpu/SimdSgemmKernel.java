package dev.brink.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API micro-kernel: an 8 x (2 * lanes) tile (8 x 32 with AVX-512) held in 16 vector registers,
 * updated per step p with two vector loads of packed B, eight broadcasts of packed A and sixteen fused
 * multiply-adds. Only loaded (by name, from {@link VectorSupport}) when {@code jdk.incubator.vector} is present.
 *
 * <p>Each tile has a storing and an accumulating method ({@code add} picks one): one method with both tails was
 * recompiled after its first {@code add = true} (an unstable_if trap), and the recompiled body with both tails
 * sometimes fell back to boxed Vector API calls, leaving the whole process 4-5x slower (seen in about one JVM start
 * in five with the implicit convolutions forced).
 *
 * <p>Sixteen accumulators is the most C2 keeps in registers: wider tiles (24 accumulators) fall off the
 * intrinsic path and run two orders of magnitude slower. Only the preferred species is used anywhere: a second
 * species (e.g. 256-bit copies beside 512-bit arithmetic) pollutes the type profiles of the shared Vector API
 * code and the micro-kernel loses its intrinsics (measured: 4x slower).
 */
final class SimdSgemmKernel extends SgemmKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    private static final int MR = 8, NR = 2 * VL;

    /** Public so that {@link VectorSupport} can create it reflectively. */
    public SimdSgemmKernel() {
        super(MR, NR);
    }

    @Override
    String describe() {
        return "Vector API, " + VL + " float lanes (" + S.vectorBitSize() + "-bit), " + MR + "x" + NR + " tiles";
    }

    @Override
    void packPanelB(float[] src, int s, int ss, float[] dst, int t, int kc) {
        for (int p = 0; p < kc; p++, s += ss, t += NR) {
            FloatVector.fromArray(S, src, s).intoArray(dst, t);
            FloatVector.fromArray(S, src, s + VL).intoArray(dst, t + VL);
        }
    }

    @Override
    void tile(int kc, float[] a, int ao, float[] b, int bo, int ldb, float[] c, int co, int ldc, boolean add) {
        // Two methods, not one with a branch: compiled together, the accumulating stores pushed C2 past its
        // inlining budget after an unstable_if recompilation, and the vector operations fell back to boxed
        // Java code (the whole process ran 4x slower, about one JVM start in four).
        if (add) tileAdd(kc, a, ao, b, bo, ldb, c, co, ldc);
        else tileStore(kc, a, ao, b, bo, ldb, c, co, ldc);
    }

    private void tileStore(int kc, float[] a, int ao, float[] b, int bo, int ldb, float[] c, int co, int ldc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * ldb, ai = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        // Stores written out (not in helper methods): a vector passed to a call that C2 does not inline is boxed.
        int c1 = co + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc, c6 = c5 + ldc, c7 = c6 + ldc;
        c00.intoArray(c, co);
        c01.intoArray(c, co + VL);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + VL);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + VL);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + VL);
        c40.intoArray(c, c4);
        c41.intoArray(c, c4 + VL);
        c50.intoArray(c, c5);
        c51.intoArray(c, c5 + VL);
        c60.intoArray(c, c6);
        c61.intoArray(c, c6 + VL);
        c70.intoArray(c, c7);
        c71.intoArray(c, c7 + VL);
    }

    private void tileAdd(int kc, float[] a, int ao, float[] b, int bo, int ldb, float[] c, int co, int ldc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * ldb, ai = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        // Stores written out (not in helper methods): a vector passed to a call that C2 does not inline is boxed.
        int c1 = co + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc, c6 = c5 + ldc, c7 = c6 + ldc;
        c00 = c00.add(FloatVector.fromArray(S, c, co));
        c01 = c01.add(FloatVector.fromArray(S, c, co + VL));
        c10 = c10.add(FloatVector.fromArray(S, c, c1));
        c11 = c11.add(FloatVector.fromArray(S, c, c1 + VL));
        c20 = c20.add(FloatVector.fromArray(S, c, c2));
        c21 = c21.add(FloatVector.fromArray(S, c, c2 + VL));
        c30 = c30.add(FloatVector.fromArray(S, c, c3));
        c31 = c31.add(FloatVector.fromArray(S, c, c3 + VL));
        c40 = c40.add(FloatVector.fromArray(S, c, c4));
        c41 = c41.add(FloatVector.fromArray(S, c, c4 + VL));
        c50 = c50.add(FloatVector.fromArray(S, c, c5));
        c51 = c51.add(FloatVector.fromArray(S, c, c5 + VL));
        c60 = c60.add(FloatVector.fromArray(S, c, c6));
        c61 = c61.add(FloatVector.fromArray(S, c, c6 + VL));
        c70 = c70.add(FloatVector.fromArray(S, c, c7));
        c71 = c71.add(FloatVector.fromArray(S, c, c7 + VL));
        c00.intoArray(c, co);
        c01.intoArray(c, co + VL);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + VL);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + VL);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + VL);
        c40.intoArray(c, c4);
        c41.intoArray(c, c4 + VL);
        c50.intoArray(c, c5);
        c51.intoArray(c, c5 + VL);
        c60.intoArray(c, c6);
        c61.intoArray(c, c6 + VL);
        c70.intoArray(c, c7);
        c71.intoArray(c, c7 + VL);
    }

    @Override
    void gatherTile(int kc, float[] x, int[] rows, int ro, int[] steps, int so, float[] b, int bo, int ldb,
                    float[] c, int co, int ldc, boolean add) {
        // Two methods, not one with a branch: see tile.
        if (add) gatherTileAdd(kc, x, rows, ro, steps, so, b, bo, ldb, c, co, ldc);
        else gatherTileStore(kc, x, rows, ro, steps, so, b, bo, ldb, c, co, ldc);
    }

    private void gatherTileStore(int kc, float[] x, int[] rows, int ro, int[] steps, int so, float[] b, int bo, int ldb, float[] c, int co, int ldc) {
        int r0 = rows[ro], r1 = rows[ro + 1], r2 = rows[ro + 2], r3 = rows[ro + 3];
        int r4 = rows[ro + 4], r5 = rows[ro + 5], r6 = rows[ro + 6], r7 = rows[ro + 7];
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * ldb, s = steps[so + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector v = FloatVector.broadcast(S, x[r0 + s]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, x[r1 + s]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, x[r2 + s]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, x[r3 + s]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(S, x[r4 + s]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(S, x[r5 + s]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(S, x[r6 + s]);
            c60 = v.fma(b0, c60);
            c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(S, x[r7 + s]);
            c70 = v.fma(b0, c70);
            c71 = v.fma(b1, c71);
        }
        int c1 = co + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc, c6 = c5 + ldc, c7 = c6 + ldc;
        c00.intoArray(c, co);
        c01.intoArray(c, co + VL);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + VL);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + VL);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + VL);
        c40.intoArray(c, c4);
        c41.intoArray(c, c4 + VL);
        c50.intoArray(c, c5);
        c51.intoArray(c, c5 + VL);
        c60.intoArray(c, c6);
        c61.intoArray(c, c6 + VL);
        c70.intoArray(c, c7);
        c71.intoArray(c, c7 + VL);
    }

    private void gatherTileAdd(int kc, float[] x, int[] rows, int ro, int[] steps, int so, float[] b, int bo, int ldb, float[] c, int co, int ldc) {
        int r0 = rows[ro], r1 = rows[ro + 1], r2 = rows[ro + 2], r3 = rows[ro + 3];
        int r4 = rows[ro + 4], r5 = rows[ro + 5], r6 = rows[ro + 6], r7 = rows[ro + 7];
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * ldb, s = steps[so + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector v = FloatVector.broadcast(S, x[r0 + s]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, x[r1 + s]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, x[r2 + s]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, x[r3 + s]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(S, x[r4 + s]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(S, x[r5 + s]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(S, x[r6 + s]);
            c60 = v.fma(b0, c60);
            c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(S, x[r7 + s]);
            c70 = v.fma(b0, c70);
            c71 = v.fma(b1, c71);
        }
        int c1 = co + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc, c6 = c5 + ldc, c7 = c6 + ldc;
        c00 = c00.add(FloatVector.fromArray(S, c, co));
        c01 = c01.add(FloatVector.fromArray(S, c, co + VL));
        c10 = c10.add(FloatVector.fromArray(S, c, c1));
        c11 = c11.add(FloatVector.fromArray(S, c, c1 + VL));
        c20 = c20.add(FloatVector.fromArray(S, c, c2));
        c21 = c21.add(FloatVector.fromArray(S, c, c2 + VL));
        c30 = c30.add(FloatVector.fromArray(S, c, c3));
        c31 = c31.add(FloatVector.fromArray(S, c, c3 + VL));
        c40 = c40.add(FloatVector.fromArray(S, c, c4));
        c41 = c41.add(FloatVector.fromArray(S, c, c4 + VL));
        c50 = c50.add(FloatVector.fromArray(S, c, c5));
        c51 = c51.add(FloatVector.fromArray(S, c, c5 + VL));
        c60 = c60.add(FloatVector.fromArray(S, c, c6));
        c61 = c61.add(FloatVector.fromArray(S, c, c6 + VL));
        c70 = c70.add(FloatVector.fromArray(S, c, c7));
        c71 = c71.add(FloatVector.fromArray(S, c, c7 + VL));
        c00.intoArray(c, co);
        c01.intoArray(c, co + VL);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + VL);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + VL);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + VL);
        c40.intoArray(c, c4);
        c41.intoArray(c, c4 + VL);
        c50.intoArray(c, c5);
        c51.intoArray(c, c5 + VL);
        c60.intoArray(c, c6);
        c61.intoArray(c, c6 + VL);
        c70.intoArray(c, c7);
        c71.intoArray(c, c7 + VL);
    }

    /**
     * Four lanes-wide vectors per row keep the accumulators at sixteen; worth it only with 16 lanes (AVX-512). MR (8)
     * is a multiple of 4.
     */
    @Override
    boolean gathersWide() {
        return VL == 16 && MR % 4 == 0;
    }

    @Override
    void gatherTileWide(int kc, float[] x, int[] rows, int ro, int[] steps, int so, float[] b, int bo, int ldb,
                        float[] c, int co, int ldc, boolean add) {
        // Two methods, not one with a branch: see tile.
        if (add) gatherTileWideAdd(kc, x, rows, ro, steps, so, b, bo, ldb, c, co, ldc);
        else gatherTileWideStore(kc, x, rows, ro, steps, so, b, bo, ldb, c, co, ldc);
    }

    private void gatherTileWideStore(int kc, float[] x, int[] rows, int ro, int[] steps, int so, float[] b, int bo, int ldb, float[] c, int co, int ldc) {
        int r0 = rows[ro], r1 = rows[ro + 1], r2 = rows[ro + 2], r3 = rows[ro + 3];
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * ldb, s = steps[so + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * VL), b3 = FloatVector.fromArray(S, b, bi + 3 * VL);
            FloatVector v = FloatVector.broadcast(S, x[r0 + s]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            c02 = v.fma(b2, c02);
            c03 = v.fma(b3, c03);
            v = FloatVector.broadcast(S, x[r1 + s]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            c12 = v.fma(b2, c12);
            c13 = v.fma(b3, c13);
            v = FloatVector.broadcast(S, x[r2 + s]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            c22 = v.fma(b2, c22);
            c23 = v.fma(b3, c23);
            v = FloatVector.broadcast(S, x[r3 + s]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            c32 = v.fma(b2, c32);
            c33 = v.fma(b3, c33);
        }
        int c1 = co + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        c00.intoArray(c, co);
        c01.intoArray(c, co + VL);
        c02.intoArray(c, co + 2 * VL);
        c03.intoArray(c, co + 3 * VL);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + VL);
        c12.intoArray(c, c1 + 2 * VL);
        c13.intoArray(c, c1 + 3 * VL);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + VL);
        c22.intoArray(c, c2 + 2 * VL);
        c23.intoArray(c, c2 + 3 * VL);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + VL);
        c32.intoArray(c, c3 + 2 * VL);
        c33.intoArray(c, c3 + 3 * VL);
    }

    private void gatherTileWideAdd(int kc, float[] x, int[] rows, int ro, int[] steps, int so, float[] b, int bo, int ldb, float[] c, int co, int ldc) {
        int r0 = rows[ro], r1 = rows[ro + 1], r2 = rows[ro + 2], r3 = rows[ro + 3];
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * ldb, s = steps[so + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * VL), b3 = FloatVector.fromArray(S, b, bi + 3 * VL);
            FloatVector v = FloatVector.broadcast(S, x[r0 + s]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            c02 = v.fma(b2, c02);
            c03 = v.fma(b3, c03);
            v = FloatVector.broadcast(S, x[r1 + s]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            c12 = v.fma(b2, c12);
            c13 = v.fma(b3, c13);
            v = FloatVector.broadcast(S, x[r2 + s]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            c22 = v.fma(b2, c22);
            c23 = v.fma(b3, c23);
            v = FloatVector.broadcast(S, x[r3 + s]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            c32 = v.fma(b2, c32);
            c33 = v.fma(b3, c33);
        }
        int c1 = co + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        c00 = c00.add(FloatVector.fromArray(S, c, co));
        c01 = c01.add(FloatVector.fromArray(S, c, co + VL));
        c02 = c02.add(FloatVector.fromArray(S, c, co + 2 * VL));
        c03 = c03.add(FloatVector.fromArray(S, c, co + 3 * VL));
        c10 = c10.add(FloatVector.fromArray(S, c, c1));
        c11 = c11.add(FloatVector.fromArray(S, c, c1 + VL));
        c12 = c12.add(FloatVector.fromArray(S, c, c1 + 2 * VL));
        c13 = c13.add(FloatVector.fromArray(S, c, c1 + 3 * VL));
        c20 = c20.add(FloatVector.fromArray(S, c, c2));
        c21 = c21.add(FloatVector.fromArray(S, c, c2 + VL));
        c22 = c22.add(FloatVector.fromArray(S, c, c2 + 2 * VL));
        c23 = c23.add(FloatVector.fromArray(S, c, c2 + 3 * VL));
        c30 = c30.add(FloatVector.fromArray(S, c, c3));
        c31 = c31.add(FloatVector.fromArray(S, c, c3 + VL));
        c32 = c32.add(FloatVector.fromArray(S, c, c3 + 2 * VL));
        c33 = c33.add(FloatVector.fromArray(S, c, c3 + 3 * VL));
        c00.intoArray(c, co);
        c01.intoArray(c, co + VL);
        c02.intoArray(c, co + 2 * VL);
        c03.intoArray(c, co + 3 * VL);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + VL);
        c12.intoArray(c, c1 + 2 * VL);
        c13.intoArray(c, c1 + 3 * VL);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + VL);
        c22.intoArray(c, c2 + 2 * VL);
        c23.intoArray(c, c2 + 3 * VL);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + VL);
        c32.intoArray(c, c3 + 2 * VL);
        c33.intoArray(c, c3 + 3 * VL);
    }
}

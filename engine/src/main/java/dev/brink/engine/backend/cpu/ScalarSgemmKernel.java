package dev.brink.engine.backend.cpu;

/**
 * The micro-kernel without the Vector API: a 4 x 4 tile in sixteen scalar registers (separate multiply and add,
 * so it stays fast on hardware without FMA). Used when {@code jdk.incubator.vector} is not available or
 * {@code brink.simd=false}. C2 (JDK 17) does not auto-vectorize the usual array-accumulator forms of this loop
 * (it cannot prove the offset accesses independent), and a register tile measured twice as fast as them.
 */
final class ScalarSgemmKernel extends SgemmKernel {
    private static final int MR = 4, NR = 4;

    ScalarSgemmKernel() {
        super(MR, NR);
    }

    @Override
    void tile(int kc, float[] a, int ao, float[] b, int bo, int ldb, float[] c, int co, int ldc, boolean add) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0, ap = ao, bp = bo; p < kc; p++, ap += MR, bp += ldb) {
            float b0 = b[bp], b1 = b[bp + 1], b2 = b[bp + 2], b3 = b[bp + 3];
            float a0 = a[ap], a1 = a[ap + 1], a2 = a[ap + 2], a3 = a[ap + 3];
            c00 += a0 * b0;
            c01 += a0 * b1;
            c02 += a0 * b2;
            c03 += a0 * b3;
            c10 += a1 * b0;
            c11 += a1 * b1;
            c12 += a1 * b2;
            c13 += a1 * b3;
            c20 += a2 * b0;
            c21 += a2 * b1;
            c22 += a2 * b2;
            c23 += a2 * b3;
            c30 += a3 * b0;
            c31 += a3 * b1;
            c32 += a3 * b2;
            c33 += a3 * b3;
        }
        row(c, co, add, c00, c01, c02, c03);
        row(c, co + ldc, add, c10, c11, c12, c13);
        row(c, co + 2 * ldc, add, c20, c21, c22, c23);
        row(c, co + 3 * ldc, add, c30, c31, c32, c33);
    }

    @Override
    void gatherTile(int kc, float[] x, int[] rows, int ro, int[] steps, int so, float[] b, int bo, int ldb,
                    float[] c, int co, int ldc, boolean add) {
        int r0 = rows[ro], r1 = rows[ro + 1], r2 = rows[ro + 2], r3 = rows[ro + 3];
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0, bp = bo; p < kc; p++, bp += ldb) {
            int s = steps[so + p];
            float b0 = b[bp], b1 = b[bp + 1], b2 = b[bp + 2], b3 = b[bp + 3];
            float a0 = x[r0 + s], a1 = x[r1 + s], a2 = x[r2 + s], a3 = x[r3 + s];
            c00 += a0 * b0;
            c01 += a0 * b1;
            c02 += a0 * b2;
            c03 += a0 * b3;
            c10 += a1 * b0;
            c11 += a1 * b1;
            c12 += a1 * b2;
            c13 += a1 * b3;
            c20 += a2 * b0;
            c21 += a2 * b1;
            c22 += a2 * b2;
            c23 += a2 * b3;
            c30 += a3 * b0;
            c31 += a3 * b1;
            c32 += a3 * b2;
            c33 += a3 * b3;
        }
        row(c, co, add, c00, c01, c02, c03);
        row(c, co + ldc, add, c10, c11, c12, c13);
        row(c, co + 2 * ldc, add, c20, c21, c22, c23);
        row(c, co + 3 * ldc, add, c30, c31, c32, c33);
    }

    private static void row(float[] c, int o, boolean add, float x0, float x1, float x2, float x3) {
        if (add) {
            c[o] += x0;
            c[o + 1] += x1;
            c[o + 2] += x2;
            c[o + 3] += x3;
        } else {
            c[o] = x0;
            c[o + 1] = x1;
            c[o + 2] = x2;
            c[o + 3] = x3;
        }
    }

    @Override
    void packPanelB(float[] src, int s, int ss, float[] dst, int t, int kc) {
        for (int p = 0; p < kc; p++, s += ss, t += NR) {
            dst[t] = src[s];
            dst[t + 1] = src[s + 1];
            dst[t + 2] = src[s + 2];
            dst[t + 3] = src[s + 3];
        }
    }

    @Override
    void packPanelA(float[] src, int s, int ss, float[] dst, int t, int kc) {
        for (int p = 0; p < kc; p++, s += ss, t += MR) {
            dst[t] = src[s];
            dst[t + 1] = src[s + 1];
            dst[t + 2] = src[s + 2];
            dst[t + 3] = src[s + 3];
        }
    }

    @Override
    String describe() {
        return "scalar float loops, " + MR + "x" + NR + " tiles";
    }
}

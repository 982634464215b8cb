package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.brink.engine.backend.cpu.CpuTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class CpuMatmulTest {

    /** Naive batched matmul with broadcast batch dims. */
    static double[] matmulRef(View a, View b, int[] outShape) {
        int r = outShape.length, m = outShape[r - 2], n = outShape[r - 1];
        int[] as = a.shape(), bs = b.shape();
        int k = as[as.length - 1];
        double[] out = new double[Shape.numel(outShape)];
        for (int o = 0; o < out.length; o++) {
            int[] idx = unravel(o, outShape);
            int i = idx[r - 2], j = idx[r - 1];
            double s = 0;
            for (int p = 0; p < k; p++) {
                int[] ai = idx.clone(), bi = idx.clone();
                ai[r - 2] = i; ai[r - 1] = p;
                bi[r - 2] = p; bi[r - 1] = j;
                s += bcast(a.values(), as, ai) * bcast(b.values(), bs, bi);
            }
            out[o] = s;
        }
        return out;
    }

    private static void check(SplittableRandom rng, DType dt, Layout la, Layout lb, int[] aShape, int[] bShape, int[] outShape) {
        View a = view(rng, dt, la, aShape), b = view(rng, dt, lb, bShape);
        Tensor out = Tensor.empty(B, dt, outShape);
        B.fill(out, 123); // must be overwritten
        B.matmul(a.t(), b.t(), out);
        double[] exp = matmulRef(a, b, outShape);
        if (dt == DType.FLOAT32) exp = toFloat(exp);
        assertClose(exp, raw(out.storage()), dt == DType.FLOAT32 ? 1e-6 : 1e-12,
                "matmul " + dt + " " + la + "/" + lb + " " + Shape.str(aShape) + "@" + Shape.str(bShape));
    }

    @Test
    void batchedBroadcastAcrossLayouts() {
        SplittableRandom rng = new SplittableRandom(21);
        int[][][] cases = {
                {{2, 1, 3, 4}, {3, 4, 5}, {2, 3, 3, 5}},
                {{3, 4}, {4, 5}, {3, 5}},
                {{2, 3, 4}, {4, 5}, {2, 3, 5}},
                {{1, 4}, {4, 1}, {1, 1}},
                {{3, 0}, {0, 2}, {3, 2}},
                {{2, 1, 3}, {3, 3, 2}, {2, 1, 2}},
        };
        for (DType dt : DType.values()) {
            for (int[][] c : cases) {
                for (Layout la : Layout.values()) {
                    for (Layout lb : Layout.values()) check(rng, dt, la, lb, c[0], c[1], c[2]);
                }
            }
        }
    }

    @Test
    void strideZeroOperand() {
        SplittableRandom rng = new SplittableRandom(22);
        double[] row = randoms(rng, 4);
        Tensor a = Tensor.fromStorage(B.upload(row), new int[]{3, 4}, new int[]{0, 1}, 0); // every row the same
        View b = view(rng, DType.FLOAT64, Layout.SLICED, 4, 2);
        Tensor out = Tensor.empty(B, DType.FLOAT64, 3, 2);
        B.matmul(a, b.t(), out);
        double[] got = B.readDoubles(out);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
                double s = 0;
                for (int p = 0; p < 4; p++) s += row[p] * b.values()[p * 2 + j];
                assertEquals(s, got[i * 2 + j], 1e-12);
            }
        }
    }

    @Test
    void largeProductsUseTheParallelPathsCorrectly() {
        SplittableRandom rng = new SplittableRandom(23);
        // few batches, many rows: parallel over row blocks; and many batches: parallel over batches
        int[][][] cases = {{{150, 130}, {130, 120}, {150, 120}}, {{64, 20, 30}, {64, 30, 40}, {64, 20, 40}}};
        for (int[][] c : cases) {
            for (DType dt : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
                View a = view(rng, dt, Layout.CONTIGUOUS, c[0]), b = view(rng, dt, Layout.REVERSED_AXES, c[1]);
                Tensor out = Tensor.empty(B, dt, c[2]);
                B.matmul(a.t(), b.t(), out);
                // reference via a simple triple loop per batch
                int m = c[2][c[2].length - 2], n = c[2][c[2].length - 1], k = c[0][c[0].length - 1];
                int nb = Shape.numel(c[2]) / (m * n);
                double[] exp = new double[nb * m * n];
                for (int q = 0; q < nb; q++)
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++) {
                            double s = 0;
                            for (int p = 0; p < k; p++) s += a.values()[q * m * k + i * k + p] * b.values()[q * k * n + p * n + j];
                            exp[q * m * n + i * n + j] = s;
                        }
                if (dt == DType.FLOAT32) exp = toFloat(exp);
                assertClose(exp, raw(out.storage()), dt == DType.FLOAT32 ? 1e-6 : 1e-12, "large matmul " + dt);
            }
        }
    }

    @Test
    void nanInOperandPropagates() {
        Tensor a = tensor(new double[]{0, 0, 0, 0}, 2, 2);
        Tensor b = tensor(new double[]{Double.NaN, 1, 1, 1}, 2, 2);
        Tensor out = Tensor.empty(B, DType.FLOAT64, 2, 2);
        B.matmul(a, b, out);
        double[] r = B.readDoubles(out);
        assertTrue(Double.isNaN(r[0]) && Double.isNaN(r[2]));
        assertEquals(0.0, r[1]);
    }
}

package dev.brink.engine.backend.cpu;

import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

import java.util.Arrays;

/**
 * Float32 batched matrix product on {@link Sgemm}. Each batch's operands are packed straight from their strides
 * (transposed or sliced views cost nothing extra; broadcast batch dimensions have stride 0), and the product is
 * written into out's rows. Many small products run in parallel over batches; a few large ones are split
 * inside the GEMM.
 */
final class FloatMatmul {
    /** Work per batch (multiply-adds) below which batches, not the GEMM, are spread over the threads. */
    private static final long BATCH_PARALLEL_WORK = 1L << 22;

    private FloatMatmul() {}

    static void matmul(Tensor a, Tensor b, Tensor out) {
        int[] oShape = out.shape();
        int r = oShape.length;
        int m = oShape[r - 2], n = oShape[r - 1];
        int[] aShape = a.shape(), aStr = a.strides(), bShape = b.shape(), bStr = b.strides(), oStr = out.strides();
        int k = aShape[aShape.length - 1];
        int[] batchShape = Arrays.copyOf(oShape, r - 2);
        int nb = Shape.numel(batchShape);
        if (nb == 0 || m == 0 || n == 0) return;
        int[] aOff = new int[nb], bOff = new int[nb], oOff = new int[nb];
        StridedIndexer it = new StridedIndexer(batchShape, new int[]{a.offset(), b.offset(), out.offset()},
                StridedIndexer.broadcastStrides(Arrays.copyOf(aShape, aShape.length - 2), Arrays.copyOf(aStr, aStr.length - 2), batchShape),
                StridedIndexer.broadcastStrides(Arrays.copyOf(bShape, bShape.length - 2), Arrays.copyOf(bStr, bStr.length - 2), batchShape),
                Arrays.copyOf(oStr, r - 2));
        int q = 0;
        for (long row = it.rows(); row > 0; row--, it.next()) {
            for (int j = 0; j < it.inner; j++, q++) {
                aOff[q] = it.pos[0] + j * it.innerStride[0];
                bOff[q] = it.pos[1] + j * it.innerStride[1];
                oOff[q] = it.pos[2] + j * it.innerStride[2];
            }
        }
        float[] ad = CpuStorage.of(a).floats(), bd = CpuStorage.of(b).floats(), od = CpuStorage.of(out).floats();
        int ars = aStr[aStr.length - 2], acs = aStr[aStr.length - 1];
        int brs = bStr[bStr.length - 2], bcs = bStr[bStr.length - 1];
        int ors = oStr[r - 2], ocs = oStr[r - 1];
        // A column stride other than 1 (never made by the ops) goes through a contiguous scratch product.
        boolean direct = ocs == 1 || n == 1;
        int ldc = direct ? (m == 1 ? n : ors) : n;
        long work = (long) m * n * Math.max(k, 1);
        int batchParts = nb > 1 && work < BATCH_PARALLEL_WORK ? CpuParallel.partsFor(work * nb) : 1;
        CpuParallel.forRange(nb, batchParts, bi -> {
            SgemmPacking.Strided am = SgemmPacking.strided(ad, aOff[bi], ars, acs);
            SgemmPacking.Strided bm = SgemmPacking.strided(bd, bOff[bi], brs, bcs);
            if (direct) {
                Sgemm.gemm(m, n, k, am, bm, od, oOff[bi], ldc, false, batchParts <= 1);
            } else {
                float[] c = new float[m * n];
                Sgemm.gemm(m, n, k, am, bm, c, 0, n, false, batchParts <= 1);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) od[oOff[bi] + i * ors + j * ocs] = c[i * n + j];
            }
        });
    }
}

package dev.brink.engine.backend.cpu;

import java.util.Arrays;

/**
 * The im2col matrix of a chunk of images (side by side: columns {@code [b*P, (b+1)*P)} belong to image b) as a
 * GEMM B operand that is never materialized whole: each k block is built straight into the GEMM's B buffer as a
 * row-major block (which the micro-kernel reads in place), from the images' sources (see {@link Im2col.Plan}).
 */
final class Im2colPacker implements SgemmPacking.BPacker {
    private final Im2col.Plan plan;
    private final float[] src;
    private final int srcOff, srcStride, images;

    /**
     * @param plan      the rows' geometry
     * @param src       the sources of the chunk's images (x itself, or its phase planes)
     * @param srcOff    offset of the first image's source
     * @param srcStride distance between consecutive images' sources
     * @param images    images in the chunk
     */
    Im2colPacker(Im2col.Plan plan, float[] src, int srcOff, int srcStride, int images) {
        this.plan = plan;
        this.src = src;
        this.srcOff = srcOff;
        this.srcStride = srcStride;
        this.images = images;
    }

    @Override
    public int packB(int p0, int kc, int j0, int nc, SgemmKernel k, float[] dst) {
        int p = plan.d.p(), ldb = Sgemm.roundUp(nc, k.nr);
        if (j0 % p == 0 && (nc % p == 0 || j0 + nc == images * p)) {
            // whole images: build the rows in place
            int b0 = j0 / p, b1 = (j0 + nc + p - 1) / p;
            Im2col.im2col(plan, src, srcOff + b0 * srcStride, srcStride, b1 - b0, p0, p0 + kc, dst, 0, ldb);
            if (ldb > nc) for (int pp = 0; pp < kc; pp++) Arrays.fill(dst, pp * ldb + nc, (pp + 1) * ldb, 0f);
            return ldb;
        }
        // a window of columns: build each row in a scratch row, copy the window
        int b0 = j0 / p, b1 = Math.min(images, (j0 + nc + p - 1) / p), shift = b0 * p;
        float[] row = CpuScratch.floats(CpuScratch.ROW, (b1 - b0) * p);
        for (int pp = 0; pp < kc; pp++) {
            Im2col.im2col(plan, src, srcOff + b0 * srcStride, srcStride, b1 - b0, p0 + pp, p0 + pp + 1, row, 0, 0);
            System.arraycopy(row, j0 - shift, dst, pp * ldb, nc);
            Arrays.fill(dst, pp * ldb + nc, (pp + 1) * ldb, 0f);
        }
        return ldb;
    }
}

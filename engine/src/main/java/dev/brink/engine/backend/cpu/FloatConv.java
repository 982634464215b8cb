package dev.brink.engine.backend.cpu;

import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;

import java.util.Arrays;

/**
 * Float32 convolution and its two gradients as GEMMs on {@link Sgemm} (3x3 stride-1 layers with enough channels
 * go to {@link WinogradConv}, and some layers to {@link ImplicitConv}: see {@link ConvPath}), per group, over chunks of images whose
 * im2col matrices sit side by side (so that small feature maps still give the GEMM enough columns):
 * <ul>
 *   <li>forward: {@code Y[og x cols] = W[og x kk] * col[kk x cols]};</li>
 *   <li>input gradient: with stride 1, the forward convolution of gY with the flipped, transposed kernel (padding
 *       {@code dil*(k-1) - pad}; on the implicit path where {@link ConvPath#implicitInputGrad} says so: maps of 4x4
 *       and smaller); otherwise (or with few input channels) {@code dcol[kk x cols] = W^T * gY[og x
 *       cols]} (both packed from their own layouts) followed by col2im;</li>
 *   <li>weight gradient: {@code dW[og x kk] += gY[og x cols] * col^T}, accumulated over the chunks in order.</li>
 * </ul>
 * The im2col matrix is never stored whole for the forward pass: {@link Im2colPacker} builds each k block of it
 * straight into the GEMM's B buffer. Strided convolutions first split each image into phase planes
 * ({@link Im2col#phases}), so that every im2col row is made of contiguous copies. A 1x1, stride-1, unpadded
 * convolution of one image uses x (or dx) as the column matrix directly. The weights are packed once per call
 * ({@link SgemmPacking.PrepackedA}) and shared by all chunks. Forward and input gradient run chunks in parallel
 * (or the GEMM, when there are few chunks); the weight gradient splits its output by columns (each thread
 * builds only its rows of im2col) or rows. Scratch comes from {@link CpuScratch}; no result depends on the
 * thread count.
 */
final class FloatConv {
    /** Target GEMM columns per chunk of images (forward and input gradient). */
    private static final int TARGET_COLS = 256;
    /** Target GEMM depth per chunk of images (weight gradient). */
    private static final int TARGET_DEPTH = 512;
    /**
     * Input channels per group from which a stride-1 input gradient is computed as a forward convolution of gy
     * with the flipped kernel (the GEMM then has that many rows; below it, W^T * gY and col2im does better).
     */
    private static final int TRANSPOSED_MIN_CHANNELS = 8;

    private FloatConv() {}

    /** Sizes of one convolution. */
    private record Geo(int n, int c, int h, int w, int o, int kh, int kw, int ho, int wo, ConvGeometry g) {
        int groups() { return g.groups(); }
        int cg() { return c / groups(); }
        int og() { return o / groups(); }
        int kk() { return cg() * kh * kw; }
        int p() { return ho * wo; }
        int hw() { return h * w; }
        long work() { return (long) n * o * p() * kk(); }
        Im2col.Dims dims() { return new Im2col.Dims(cg(), h, w, kh, kw, ho, wo, g); }
        /** A 1x1 kernel with stride 1 and no padding: the column matrix of an image is the image itself. */
        boolean pointwise() {
            return kh == 1 && kw == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padH() == 0 && g.padW() == 0;
        }
        /** The same problem for {@link ImplicitConv} (meaningful with one group). */
        ImplicitConv.Dims implicit() { return new ImplicitConv.Dims(n, c, h, w, o, kh, kw, ho, wo, g); }
        /** Images per chunk so that a chunk has about {@code target} columns. */
        int chunk(int target) { return Math.max(1, Math.min(n, (target + p() - 1) / Math.max(p(), 1))); }
    }

    private static Geo geo(int[] xShape, int[] wShape, int[] yShape, ConvGeometry g) {
        return new Geo(xShape[0], xShape[1], xShape[2], xShape[3], wShape[0], wShape[2], wShape[3], yShape[2], yShape[3], g);
    }

    static void conv2d(Tensor x, Tensor w, ConvGeometry g, Tensor out) {
        if (!out.isContiguous()) {
            viaContiguous(out, t -> conv2d(x, w, g, t));
            return;
        }
        Geo d = geo(x.shape(), w.shape(), out.shape(), g);
        float[] wd = FloatKernels.data(w);
        int wo = FloatKernels.offset(w), og = d.og(), kk = d.kk();
        if (ConvPath.winograd(d.implicit())) {
            WinogradConv.forward(d.implicit(), FloatKernels.data(x), FloatKernels.offset(x), wd, wo, CpuStorage.of(out).floats(), out.offset());
            return;
        }
        if (ConvPath.implicitForward(d.implicit())) {
            ImplicitConv.forward(d.implicit(), FloatKernels.data(x), FloatKernels.offset(x), wd, wo, CpuStorage.of(out).floats(), out.offset());
            return;
        }
        SgemmPacking.PrepackedA[] wp = new SgemmPacking.PrepackedA[d.groups()];
        for (int gi = 0; gi < d.groups(); gi++)
            wp[gi] = new SgemmPacking.PrepackedA(og, kk, SgemmPacking.strided(wd, wo + gi * og * kk, kk, 1), SgemmKernel.get());
        correlate(d, FloatKernels.data(x), FloatKernels.offset(x), wp, CpuStorage.of(out).floats(), out.offset());
    }

    /**
     * The forward convolution of problem d with its weights prepacked per group ({@code [og x kk]}): x at
     * {@code xd[xo]} ({@code [N, C, H, W]} contiguous), y at {@code od[oo]} ({@code [N, O, Ho, Wo]}, overwritten).
     */
    private static void correlate(Geo d, float[] xd, int xo, SgemmPacking.PrepackedA[] wp, float[] od, int oo) {
        int og = d.og(), kk = d.kk(), p = d.p(), chw = d.c() * d.hw(), ohw = d.o() * p;
        int nbc = d.chunk(TARGET_COLS), chunks = (d.n() + nbc - 1) / nbc;
        int chunkParts = chunks > 1 ? CpuParallel.partsFor(d.work()) : 1;
        Im2col.Plan plan = new Im2col.Plan(d.dims());
        CpuParallel.forRange(chunks, chunkParts, ch -> {
            int n0 = ch * nbc, nb = Math.min(nbc, d.n() - n0), cols = nb * p;
            for (int gi = 0; gi < d.groups(); gi++) {
                SgemmPacking.PrepackedA a = wp[gi];
                int xg = xo + n0 * chw + gi * d.cg() * d.hw();
                SgemmPacking.BPacker b;
                if (nb == 1 && d.pointwise()) {
                    b = SgemmPacking.strided(xd, xg, p, 1);
                } else if (plan.phased) {
                    float[] ph = CpuScratch.floats(CpuScratch.PHASES, nb * plan.phaseImage);
                    Im2col.phases(xd, xg, chw, nb, plan, ph);
                    b = new Im2colPacker(plan, ph, 0, plan.phaseImage, nb);
                } else {
                    b = new Im2colPacker(plan, xd, xg, chw, nb);
                }
                int yg = oo + n0 * ohw + gi * og * p;
                if (nb == 1) {
                    Sgemm.gemm(og, cols, kk, a, b, od, yg, p, false, chunkParts <= 1);
                } else {
                    float[] y = CpuScratch.floats(CpuScratch.GEMM_OUT, og * cols);
                    Sgemm.gemm(og, cols, kk, a, b, y, 0, cols, false, chunkParts <= 1);
                    for (int i = 0; i < nb; i++)
                        for (int o = 0; o < og; o++) System.arraycopy(y, o * cols + i * p, od, yg + i * ohw + o * p, p);
                }
            }
        });
    }

    static void conv2dInputGrad(Tensor gy, Tensor w, ConvGeometry g, Tensor out) {
        if (!out.isContiguous()) {
            viaContiguous(out, t -> conv2dInputGrad(gy, w, g, t));
            return;
        }
        Geo d = geo(out.shape(), w.shape(), gy.shape(), g);
        float[] gd = FloatKernels.data(gy), wd = FloatKernels.data(w), od = CpuStorage.of(out).floats();
        int go = FloatKernels.offset(gy), wo = FloatKernels.offset(w), oo = out.offset();
        int og = d.og(), kk = d.kk(), p = d.p(), chw = d.c() * d.hw(), ohw = d.o() * p;
        if (ConvPath.winograd(d.implicit())) {
            WinogradConv.inputGrad(d.implicit(), gd, go, wd, wo, od, oo);
            return;
        }
        int padH = g.dilationH() * (d.kh() - 1) - g.padH(), padW = g.dilationW() * (d.kw() - 1) - g.padW();
        // (not when gy is much smaller than x: its im2col would be mostly padding, e.g. 2x2 -> 6x6 with a 5x5 kernel)
        if (g.strideH() == 1 && g.strideW() == 1 && padH >= 0 && padW >= 0 && d.cg() >= TRANSPOSED_MIN_CHANNELS && 2 * p >= d.hw()) {
            // dx is the correlation of gy with the flipped, transposed kernel: a forward convolution, no col2im
            ConvGeometry tg = new ConvGeometry(1, 1, padH, padW, g.dilationH(), g.dilationW(), g.groups());
            Geo t = new Geo(d.n(), d.o(), d.ho(), d.wo(), d.c(), d.kh(), d.kw(), d.h(), d.w(), tg);
            if (d.groups() == 1 && ConvPath.implicitInputGrad(t.implicit())) { // small maps
                ImplicitConv.inputGradStride1(t.implicit(), gd, go, wd, wo, od, oo);
                return;
            }
            int cg = d.cg(), k2 = d.kh() * d.kw(), tkk = og * k2;
            SgemmPacking.PrepackedA[] wp = new SgemmPacking.PrepackedA[d.groups()];
            float[] flipped = CpuScratch.floats(CpuScratch.FLIPPED_KERNEL, cg * tkk); // dead once prepacked
            int parts = CpuParallel.partsFor(d.work());
            for (int gi = 0; gi < d.groups(); gi++) {
                int base = wo + gi * og * cg * k2;
                CpuParallel.forRange(cg, parts, c -> {
                    for (int o = 0; o < og; o++)
                        for (int q = 0; q < k2; q++) flipped[c * tkk + o * k2 + q] = wd[base + (o * cg + c) * k2 + k2 - 1 - q];
                });
                wp[gi] = new SgemmPacking.PrepackedA(cg, tkk, SgemmPacking.strided(flipped, 0, tkk, 1), SgemmKernel.get());
            }
            correlate(t, gd, go, wp, od, oo);
            return;
        }
        int nbc = d.chunk(TARGET_COLS), chunks = (d.n() + nbc - 1) / nbc;
        int chunkParts = chunks > 1 ? CpuParallel.partsFor(d.work()) : 1;
        Im2col.Plan plan = new Im2col.Plan(d.dims());
        SgemmPacking.PrepackedA[] wp = new SgemmPacking.PrepackedA[d.groups()];
        for (int gi = 0; gi < d.groups(); gi++) // W_g^T, [kk x og]
            wp[gi] = new SgemmPacking.PrepackedA(kk, og, SgemmPacking.strided(wd, wo + gi * og * kk, 1, kk), SgemmKernel.get());
        CpuParallel.forRange(chunks, chunkParts, ch -> {
            int n0 = ch * nbc, nb = Math.min(nbc, d.n() - n0), cols = nb * p;
            Arrays.fill(od, oo + n0 * chw, oo + (n0 + nb) * chw, 0f);
            for (int gi = 0; gi < d.groups(); gi++) {
                SgemmPacking.PrepackedA a = wp[gi];
                SgemmPacking.Segmented b = SgemmPacking.segmented(gd, go + n0 * ohw + gi * og * p, p, p, ohw);
                int xg = oo + n0 * chw + gi * d.cg() * d.hw();
                if (nb == 1 && d.pointwise()) {
                    Sgemm.gemm(kk, cols, og, a, b, od, xg, p, false, chunkParts <= 1);
                } else {
                    float[] dcol = CpuScratch.floats(CpuScratch.COLUMNS, kk * cols);
                    Sgemm.gemm(kk, cols, og, a, b, dcol, 0, cols, false, chunkParts <= 1);
                    if (plan.phased) {
                        float[] ph = CpuScratch.floats(CpuScratch.PHASES, nb * plan.phaseImage);
                        Arrays.fill(ph, 0, nb * plan.phaseImage, 0f);
                        Im2col.col2im(plan, dcol, 0, cols, ph, 0, plan.phaseImage, nb);
                        Im2col.unphase(ph, plan, nb, od, xg, chw);
                    } else {
                        Im2col.col2im(plan, dcol, 0, cols, od, xg, chw, nb);
                    }
                }
            }
        });
    }

    static void conv2dWeightGrad(Tensor x, Tensor gy, ConvGeometry g, Tensor out) {
        if (!out.isContiguous()) {
            viaContiguous(out, t -> conv2dWeightGrad(x, gy, g, t));
            return;
        }
        Geo d = geo(x.shape(), out.shape(), gy.shape(), g);
        float[] xd = FloatKernels.data(x), gd = FloatKernels.data(gy), od = CpuStorage.of(out).floats();
        int xo = FloatKernels.offset(x), go = FloatKernels.offset(gy), oo = out.offset();
        int og = d.og(), kk = d.kk(), p = d.p(), chw = d.c() * d.hw(), ohw = d.o() * p;
        if (d.n() == 0 || p == 0) {
            Arrays.fill(od, oo, oo + d.o() * kk, 0f);
            return;
        }
        if (ConvPath.winograd(d.implicit())) {
            WinogradConv.weightGrad(d.implicit(), xd, xo, gd, go, od, oo);
            return;
        }
        if (ConvPath.directWeightGrad(d.implicit()) && DirectConv.get().weightGrad(d.implicit(), xd, xo, gd, go, od, oo)) return;
        if (ConvPath.implicitWeightGrad(d.implicit())) {
            ImplicitConv.weightGrad(d.implicit(), xd, xo, gd, go, od, oo);
            return;
        }
        int nbc = d.chunk(TARGET_DEPTH), chunks = (d.n() + nbc - 1) / nbc;
        Im2col.Plan plan = new Im2col.Plan(d.dims());
        int nr = SgemmKernel.get().nr, mr = SgemmKernel.get().mr;
        if (d.groups() == 1 && kk < 2 * nr && chunks >= 2) {
            weightGradOverChunks(d, plan, xd, xo, gd, go, od, oo, nbc, chunks);
            return;
        }
        int parts = CpuParallel.partsFor(d.work());
        // Split the output by columns (each part builds only its rows of im2col) when there are enough of them.
        boolean byCols = kk >= parts * 2 * nr || og < parts * mr;
        int unit = byCols ? nr : mr, extent = byCols ? kk : og;
        int units = (extent + unit - 1) / unit;
        int np = Math.max(1, Math.min(parts, units));
        CpuParallel.run(np, part -> {
            int lo = Math.min(extent, (int) ((long) units * part / np) * unit), hi = Math.min(extent, (int) ((long) units * (part + 1) / np) * unit);
            if (lo >= hi) return;
            int r0 = byCols ? lo : 0, r1 = byCols ? hi : kk, o0 = byCols ? 0 : lo, o1 = byCols ? og : hi;
            for (int gi = 0; gi < d.groups(); gi++) {
                for (int ch = 0; ch < chunks; ch++) {
                    int n0 = ch * nbc, nb = Math.min(nbc, d.n() - n0), cols = nb * p;
                    int xg = xo + n0 * chw + gi * d.cg() * d.hw();
                    SgemmPacking.Segmented a = SgemmPacking.segmented(gd, go + n0 * ohw + (gi * og + o0) * p, p, p, ohw);
                    SgemmPacking.Strided b;
                    if (nb == 1 && d.pointwise()) {
                        b = SgemmPacking.strided(xd, xg + r0 * p, 1, p);
                    } else {
                        b = columnsTransposed(plan, xd, xg, chw, nb, r0, r1, cols);
                    }
                    Sgemm.gemm(o1 - o0, r1 - r0, cols, a, b, od, oo + (gi * og + o0) * kk + r0, kk, ch > 0, false);
                }
            }
        });
    }

    /**
     * Rows [r0, r1) of the im2col matrix of nb images (image stride chw from xg; phase planes first where the plan
     * needs them), built in this thread's scratch, as the weight gradient's B operand col^T {@code [cols x (r1 - r0)]}.
     */
    private static SgemmPacking.Strided columnsTransposed(Im2col.Plan plan, float[] xd, int xg, int chw, int nb, int r0, int r1, int cols) {
        float[] col = CpuScratch.floats(CpuScratch.COLUMNS, (r1 - r0) * cols);
        if (plan.phased) {
            float[] ph = CpuScratch.floats(CpuScratch.PHASES, nb * plan.phaseImage);
            Im2col.phases(xd, xg, chw, nb, plan, ph);
            Im2col.im2col(plan, ph, 0, plan.phaseImage, nb, r0, r1, col, 0, cols);
        } else {
            Im2col.im2col(plan, xd, xg, chw, nb, r0, r1, col, 0, cols);
        }
        return SgemmPacking.strided(col, 0, 1, cols);
    }

    /** Fixed number of image groups of {@link #weightGradOverChunks} (at most; not the thread count). */
    private static final int DEPTH_GROUPS = 8;

    /**
     * The weight gradient of a convolution with few taps (a first layer: 1 or 3 input channels), where the output
     * {@code [o x kk]} is too small to split over threads and every thread would build the whole im2col matrix:
     * the images are split instead, into at most {@link #DEPTH_GROUPS} groups of chunks, each group's gradient is a
     * GEMM into its own small buffer, and the buffers are summed in group order. The groups depend on the problem
     * only, so the result is the same for any thread count.
     */
    private static void weightGradOverChunks(Geo d, Im2col.Plan plan, float[] xd, int xo, float[] gd, int go, float[] od, int oo, int nbc, int chunks) {
        int og = d.og(), kk = d.kk(), p = d.p(), chw = d.c() * d.hw(), ohw = d.o() * p;
        int groups = Math.min(chunks, DEPTH_GROUPS);
        float[][] partial = new float[groups][];
        CpuParallel.forRange(groups, CpuParallel.partsFor(d.work()), gi -> {
            int c0 = (int) ((long) chunks * gi / groups), c1 = (int) ((long) chunks * (gi + 1) / groups);
            float[] acc = new float[og * kk];
            for (int ch = c0; ch < c1; ch++) {
                int n0 = ch * nbc, nb = Math.min(nbc, d.n() - n0), cols = nb * p;
                int xg = xo + n0 * chw;
                SgemmPacking.Segmented a = SgemmPacking.segmented(gd, go + n0 * ohw, p, p, ohw);
                Sgemm.gemm(og, kk, cols, a, columnsTransposed(plan, xd, xg, chw, nb, 0, kk, cols), acc, 0, kk, ch > c0, false);
            }
            partial[gi] = acc;
        });
        for (int i = 0; i < og * kk; i++) {
            float sum = partial[0][i];
            for (int gi = 1; gi < groups; gi++) sum += partial[gi][i];
            od[oo + i] = sum;
        }
    }

    /** Runs {@code body} on a contiguous float tensor of out's shape, then copies the result into out. */
    private static void viaContiguous(Tensor out, java.util.function.Consumer<Tensor> body) {
        Tensor t = Tensor.fromStorage(CpuStorage.allocate(out.dtype(), out.numel()), out.shape(), Shape.contiguousStrides(out.shape()), 0);
        body.accept(t);
        CpuElementwise.copy(t, out);
    }
}

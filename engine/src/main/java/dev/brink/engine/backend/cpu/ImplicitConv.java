package dev.brink.engine.backend.cpu;

import dev.brink.engine.backend.ConvGeometry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Float32 convolution forward pass and weight gradient as implicit GEMMs ({@link SgemmKernel#gatherTile}): the
 * im2col matrix is never built, its entries are read from the (zero-padded) input through two offset tables,
 * one per output position ({@code q = (b, oy, ox)}: {@code b*image + oy*strideH*Wp + ox*strideW}) and one per
 * kernel tap ({@code k = (c, i, j)}: {@code c*Hp*Wp + i*dilH*Wp + j*dilW}). The output channels are the vector
 * dimension:
 * <ul>
 *   <li>forward: {@code Y^T[q x O] = X[q x K] * W^T[K x O]}, rows = positions, steps = taps;</li>
 *   <li>weight gradient: {@code dW^T[K x O] = X^T[K x q] * gY^T[q x O]}, rows = taps, steps = positions.</li>
 * </ul>
 * Where the padding is more than a tenth of the forward product ({@link #skipsPadding}: 3x3 kernels on maps of 8x8
 * and below), the forward pass groups the output positions by the taps that fall inside the image and multiplies
 * over those only, from the unpadded input (VGG-16's 2x2 layers: 56% of the taps are padding); the weight gradient
 * does the same where the padding is at least a quarter ({@link #skipsPaddingInWeightGrad}).
 * This wins where lowering loses: few output channels per B-packing (the im2col copy costs as much as the
 * product), short strided rows and small kernels per channel (see {@link FloatConv} for the rule). Groups are
 * not supported here (the caller checks {@link #supports}). No result depends on the thread count. Scratch:
 * the padded input, the transposed weights, the transposed output gradient and the transposed weight gradient
 * live in the calling thread's {@link CpuScratch} buffers; each forward chunk's output in its own thread's. The
 * layout transforms (padding, transpositions) run in parallel like the products.
 */
final class ImplicitConv {
    /** Kernel taps (forward) or positions (weight gradient) per block: the B block stays in L1. */
    private static final int KC = 128;
    /** Output positions per chunk of images in the forward pass. */
    private static final int TARGET_POSITIONS = 512;
    /** Columns of a matrix transposed together: one 64-byte line of each source row. */
    private static final int TRANSPOSE_BLOCK = 16;

    private ImplicitConv() {}

    /** Sizes of one convolution with a single group. */
    record Dims(int n, int c, int h, int w, int o, int kh, int kw, int ho, int wo, ConvGeometry g) {
        int hp() { return h + 2 * g.padH(); }
        int wp() { return w + 2 * g.padW(); }
        boolean padded() { return g.padH() > 0 || g.padW() > 0; }
        int k() { return c * kh * kw; }
        int p() { return ho * wo; }
        long work() { return (long) n * o * p() * k(); }
    }

    /** True when this class computes the problem: one group and a non-empty output. */
    static boolean supports(ConvGeometry g, int n, int ho, int wo) {
        return g.groups() == 1 && n > 0 && ho > 0 && wo > 0;
    }

    /**
     * {@code y = conv(x, w)}: x at {@code xd[xo]} [N, C, H, W], w at {@code wd[wo]} [O, C, kh, kw], y at {@code yd[yo]}
     * [N, O, Ho, Wo], all contiguous. The work is split over chunks of images and, when there are fewer chunks than
     * threads (small maps at small batches: one chunk of 32 4x4 images), over blocks of output channels as well;
     * every output element is computed the same way under any split.
     */
    static void forward(Dims d, float[] xd, int xo, float[] wd, int wo, float[] yd, int yo) {
        int parts = CpuParallel.partsFor(d.work());
        boolean tapMajor = skipsPadding(d);
        float[] wt = transposed(wd, wo, d.o(), d.k(), Sgemm.roundUp(d.o(), SgemmKernel.get().nr), parts, tapMajor ? d.kh() * d.kw() : 0);
        forward(d, xd, xo, wt, tapMajor, yd, yo, parts);
    }

    /**
     * The input gradient of a stride-1 convolution with weights w [O, C, kh, kw] at {@code wd[wo]} as the forward
     * pass {@code t} of the output gradient gy [N, O, Ho, Wo] (t's input) with the flipped, transposed kernel
     * [C, O, kh, kw] (t's weights, padding {@code dil*(k-1) - pad}): dx [N, C, H, W] at {@code dxd[dxo]},
     * overwritten. The kernel is flipped and transposed straight into the B matrix, in one parallel pass.
     */
    static void inputGradStride1(Dims t, float[] gd, int go, float[] wd, int wo, float[] dxd, int dxo) {
        int parts = CpuParallel.partsFor(t.work());
        int c = t.o(), o = t.c(), k2 = t.kh() * t.kw(), ldb = Sgemm.roundUp(c, SgemmKernel.get().nr);
        boolean tapMajor = skipsPadding(t); // B's row of (oi, q): oi*k2 + q, or q*o + oi in the tap-major order
        int rowStep = tapMajor ? o : 1, tapStride = tapMajor ? 1 : k2;
        float[] wt = CpuScratch.floats(CpuScratch.OPERAND, t.k() * ldb);
        CpuParallel.forRange(o, parts, oi -> { // B[(oi, q), ci] = w[oi, ci, k2 - 1 - q]
            int r0 = oi * tapStride;
            for (int q = 0; q < k2; q++) { // one row of B at a time, written whole; w[oi] (c*k2 floats) stays in L1
                int row = (r0 + q * rowStep) * ldb;
                for (int ci = 0, src = wo + oi * c * k2 + k2 - 1 - q; ci < c; ci++, src += k2) wt[row + ci] = wd[src];
                if (ldb > c) Arrays.fill(wt, row + c, row + ldb, 0f);
            }
        });
        forward(t, gd, go, wt, tapMajor, dxd, dxo, parts);
    }

    /**
     * The forward pass with the weights already as B = w^T ([k x ldb], zero in columns o..ldb-1), its rows in the
     * tap-major order (i, j, c) when {@code tapMajor} (the caller built it so because {@link #skipsPadding}), else
     * (c, i, j).
     */
    private static void forward(Dims d, float[] xd, int xo, float[] wt, boolean tapMajor, float[] yd, int yo, int parts) {
        if (tapMajor) {
            forwardSkippingPadding(d, xd, xo, wt, yd, yo, parts);
            return;
        }
        SgemmKernel kernel = SgemmKernel.get();
        int mr = kernel.mr, nr = kernel.nr, k = d.k(), p = d.p(), ldb = Sgemm.roundUp(d.o(), nr);
        int[] taps = taps(d);
        Source src = source(d, xd, xo, parts);
        int nbc = Math.max(1, Math.min(d.n(), TARGET_POSITIONS / p)), chunks = (d.n() + nbc - 1) / nbc;
        int blocks = ldb / nr, colParts = chunks >= parts ? 1 : Math.min(blocks, (parts + chunks - 1) / chunks);
        CpuParallel.forRange(chunks * colParts, parts, u -> {
            int ch = u / colParts, cp = u % colParts;
            int j0 = blocks * cp / colParts * nr, j1 = blocks * (cp + 1) / colParts * nr;
            int n0 = ch * nbc, nb = Math.min(nbc, d.n() - n0), q = nb * p, qPad = Sgemm.roundUp(q, mr);
            int[] pos = positions(d, src, n0, nb, qPad);
            float[] yt = CpuScratch.floats(CpuScratch.GEMM_OUT, qPad * ldb);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                gatherColumns(kernel, kc, src.data, pos, 0, qPad, taps, k0, wt, k0 * ldb, ldb, yt, j0, j1, k0 > 0);
            }
            int ohw = d.o() * p, o1 = Math.min(d.o(), j1);
            for (int b = 0; b < nb; b++) {
                int y0 = yo + (n0 + b) * ohw;
                for (int o = j0; o < o1; o++)
                    for (int s = 0, t = b * p * ldb + o; s < p; s++, t += ldb) yd[y0 + o * p + s] = yt[t];
            }
        });
    }

    /** Least input channels for {@link #skipsPadding}: below it a kernel row's run of taps is a short GEMM step. */
    static final int SKIP_PADDING_MIN_CHANNELS = 16;
    /** Largest share of in-image taps for {@link #skipsPadding}: the padding's share of the work must exceed a tenth. */
    static final double SKIP_PADDING_MAX_USEFUL = 0.9;
    /**
     * The same for the weight gradient, where the groups split the sum over positions into shorter runs and the
     * transpositions cost more: a quarter (JMH: ResNet-18's stride-2 layer, 16% padding, ran 1.09x as long).
     */
    static final double SKIP_PADDING_MAX_USEFUL_WEIGHT_GRAD = 0.75;

    /**
     * True when the forward pass of d skips the kernel taps that fall into the zero padding: a padded problem with at
     * least {@link #SKIP_PADDING_MIN_CHANNELS} input channels where those taps are more than a tenth of the product
     * (3x3 kernels, padding 1: 16% on 8x8 maps, 31% on 4x4, 56% on 2x2). Its weights are then B in the tap-major
     * row order (i, j, c), so that each kernel row's in-image taps are one run of B's rows.
     */
    static boolean skipsPadding(Dims d) {
        return d.c() >= SKIP_PADDING_MIN_CHANNELS && inImageShare(d) <= SKIP_PADDING_MAX_USEFUL;
    }

    /** {@link #skipsPadding} for the weight gradient: at least a quarter of the taps in the padding. */
    static boolean skipsPaddingInWeightGrad(Dims d) {
        return d.c() >= SKIP_PADDING_MIN_CHANNELS && inImageShare(d) <= SKIP_PADDING_MAX_USEFUL_WEIGHT_GRAD;
    }

    /** The share of the (position, tap) pairs of d that read the input, not its padding. */
    private static double inImageShare(Dims d) {
        if (!d.padded()) return 1;
        ConvGeometry g = d.g();
        long useful = inImageTaps(bands(d.ho(), d.h(), d.kh(), g.strideH(), g.padH(), g.dilationH()))
                * inImageTaps(bands(d.wo(), d.w(), d.kw(), g.strideW(), g.padW(), g.dilationW()));
        return (double) useful / ((long) d.p() * d.kh() * d.kw());
    }

    /**
     * A run of output coordinates [start, end) along one axis whose kernel taps inside the input are the same,
     * [lo, hi) (empty where all of them read padding).
     */
    private record Band(int start, int end, int lo, int hi) {}

    private static List<Band> bands(int out, int in, int k, int stride, int pad, int dil) {
        List<Band> bands = new ArrayList<>();
        for (int o = 0; o < out; o++) {
            int origin = o * stride - pad, lo = 0;
            while (lo < k && origin + lo * dil < 0) lo++;
            int hi = lo;
            while (hi < k && origin + hi * dil < in) hi++;
            Band last = bands.isEmpty() ? null : bands.get(bands.size() - 1);
            if (last != null && last.lo == lo && last.hi == hi) bands.set(bands.size() - 1, new Band(last.start, o + 1, lo, hi));
            else bands.add(new Band(o, o + 1, lo, hi));
        }
        return bands;
    }

    private static long inImageTaps(List<Band> bands) {
        long n = 0;
        for (Band b : bands) n += (long) (b.end - b.start) * (b.hi - b.lo);
        return n;
    }

    /**
     * The output positions of images [n0, n0 + nb) grouped by (row band, column band), group gi in rows
     * [start[gi], start[gi + 1]), each group padded to a multiple of {@code align} rows with its last position:
     * {@code pos[r]} is the offset of row r's window origin in the unpadded input at {@code xo} (it may lie in the
     * padding; its in-image taps do not), {@code at[b*p + s]} the row of image n0 + b's position s.
     */
    private record Groups(List<Band> rowBands, List<Band> colBands, int[] pos, int[] at, int[] start) {
        int count() { return start.length - 1; }
        int rows() { return start[count()]; }
        Band rowBand(int gi) { return rowBands.get(gi / colBands.size()); }
        Band colBand(int gi) { return colBands.get(gi % colBands.size()); }
    }

    private static Groups groups(Dims d, int xo, int n0, int nb, int align) {
        ConvGeometry g = d.g();
        List<Band> rowBands = bands(d.ho(), d.h(), d.kh(), g.strideH(), g.padH(), g.dilationH());
        List<Band> colBands = bands(d.wo(), d.w(), d.kw(), g.strideW(), g.padW(), g.dilationW());
        int count = rowBands.size() * colBands.size(), image = d.c() * d.h() * d.w(), p = d.p(), rows = 0;
        int[] start = new int[count + 1], at = new int[nb * p];
        for (int gi = 0; gi < count; gi++) {
            Band rb = rowBands.get(gi / colBands.size()), cb = colBands.get(gi % colBands.size());
            start[gi] = rows;
            rows += Sgemm.roundUp(nb * (rb.end - rb.start) * (cb.end - cb.start), align);
        }
        start[count] = rows;
        int[] pos = new int[rows];
        for (int gi = 0; gi < count; gi++) {
            Band rb = rowBands.get(gi / colBands.size()), cb = colBands.get(gi % colBands.size());
            int r = start[gi];
            for (int b = 0; b < nb; b++)
                for (int oy = rb.start; oy < rb.end; oy++)
                    for (int ox = cb.start; ox < cb.end; ox++) {
                        pos[r] = xo + (n0 + b) * image + (oy * g.strideH() - g.padH()) * d.w() + ox * g.strideW() - g.padW();
                        at[b * p + oy * d.wo() + ox] = r++;
                    }
            Arrays.fill(pos, r, start[gi + 1], pos[r - 1]);
        }
        return new Groups(rowBands, colBands, pos, at, start);
    }

    /**
     * Offsets from a window's origin in the unpadded input of the taps in the tap-major order, {@code perTap} rows
     * per tap (i, j): row {@code t*perTap + ci} is channel ci of tap t, the last channel repeated past c.
     */
    private static int[] tapMajorTaps(Dims d, int perTap) {
        ConvGeometry g = d.g();
        int kw = d.kw(), hw = d.h() * d.w(), kk = d.kh() * kw;
        int[] taps = new int[kk * perTap];
        for (int t = 0; t < kk; t++)
            for (int ci = 0; ci < perTap; ci++)
                taps[t * perTap + ci] = Math.min(ci, d.c() - 1) * hw + t / kw * g.dilationH() * d.w() + t % kw * g.dilationW();
        return taps;
    }

    /**
     * The forward pass without the padding's taps ({@link #skipsPadding}): the output positions of a chunk of images
     * are grouped by their row band and column band, each group padded to whole tiles of mr rows, and each group's
     * product runs over its in-image taps only: per kernel row i, the run of B's rows (i, j, c) for its columns j,
     * read from the unpadded input. wt is B in the tap-major order.
     */
    private static void forwardSkippingPadding(Dims d, float[] xd, int xo, float[] wt, float[] yd, int yo, int parts) {
        SgemmKernel kernel = SgemmKernel.get();
        int mr = kernel.mr, nr = kernel.nr, c = d.c(), kw = d.kw(), p = d.p(), ldb = Sgemm.roundUp(d.o(), nr);
        int[] taps = tapMajorTaps(d, c);
        int nbc = Math.max(1, Math.min(d.n(), TARGET_POSITIONS / p)), chunks = (d.n() + nbc - 1) / nbc;
        int blocks = ldb / nr, colParts = chunks >= parts ? 1 : Math.min(blocks, (parts + chunks - 1) / chunks);
        CpuParallel.forRange(chunks * colParts, parts, u -> {
            int ch = u / colParts, cp = u % colParts;
            int j0 = blocks * cp / colParts * nr, j1 = blocks * (cp + 1) / colParts * nr;
            int n0 = ch * nbc, nb = Math.min(nbc, d.n() - n0);
            Groups gr = groups(d, xo, n0, nb, mr);
            float[] yt = CpuScratch.floats(CpuScratch.GEMM_OUT, gr.rows() * ldb);
            for (int gi = 0; gi < gr.count(); gi++) {
                Band rb = gr.rowBand(gi), cb = gr.colBand(gi);
                int r0 = gr.start[gi], r1 = gr.start[gi + 1];
                boolean first = true;
                for (int i = rb.lo; i < rb.hi; i++) {
                    int run = (i * kw + cb.lo) * c, len = (cb.hi - cb.lo) * c;
                    for (int k0 = 0; k0 < len; k0 += KC) {
                        int kc = Math.min(KC, len - k0);
                        gatherColumns(kernel, kc, xd, gr.pos, r0, r1, taps, run + k0, wt, (run + k0) * ldb, ldb, yt, j0, j1, !first);
                        first = false;
                    }
                }
                if (first) for (int q = r0; q < r1; q++) Arrays.fill(yt, q * ldb + j0, q * ldb + j1, 0f); // all padding
            }
            int ohw = d.o() * p, o1 = Math.min(d.o(), j1);
            for (int b = 0; b < nb; b++) {
                int y0 = yo + (n0 + b) * ohw, a0 = b * p;
                for (int o = j0; o < o1; o++)
                    for (int s = 0; s < p; s++) yd[y0 + o * p + s] = yt[gr.at[a0 + s] * ldb + o];
            }
        });
    }

    /**
     * {@code dw = dL/dw}: x [N, C, H, W], gy [N, O, Ho, Wo], dw [O, C, kh, kw] (overwritten), all contiguous. The
     * transposition of gy is split over images, the product and the transposition back over tap rows.
     */
    static void weightGrad(Dims d, float[] xd, int xo, float[] gd, int go, float[] dwd, int dwo) {
        if (skipsPaddingInWeightGrad(d)) {
            weightGradSkippingPadding(d, xd, xo, gd, go, dwd, dwo);
            return;
        }
        SgemmKernel kernel = SgemmKernel.get();
        int mr = kernel.mr, k = d.k(), p = d.p(), ldb = Sgemm.roundUp(d.o(), kernel.nr);
        int q = d.n() * p, kPad = Sgemm.roundUp(k, mr), o = d.o();
        int parts = CpuParallel.partsFor(d.work());
        Source src = source(d, xd, xo, parts);
        int[] pos = positions(d, src, 0, d.n(), q);
        int[] taps = Arrays.copyOf(taps(d), kPad);
        Arrays.fill(taps, k, kPad, taps[k - 1]);
        float[] gyt = CpuScratch.floats(CpuScratch.COLUMNS, q * ldb); // [q x O], zero in the padding columns
        int ohw = o * p;
        CpuParallel.forRange(d.n(), parts, b -> { // gy[b] is [O x p]: written as rows b*p.. of gyt
            int g = go + b * ohw, r0 = b * p;
            for (int s0 = 0; s0 < p; s0 += TRANSPOSE_BLOCK) {
                int s1 = Math.min(p, s0 + TRANSPOSE_BLOCK);
                for (int c = 0; c < o; c++)
                    for (int s = s0, gi = g + c * p + s0; s < s1; s++, gi++) gyt[(r0 + s) * ldb + c] = gd[gi];
            }
            if (ldb > o) for (int r = r0; r < r0 + p; r++) Arrays.fill(gyt, r * ldb + o, (r + 1) * ldb, 0f);
        });
        float[] dwt = CpuScratch.floats(CpuScratch.GEMM_OUT, kPad * ldb); // every tile's first block stores
        int tiles = kPad / mr, np = Math.max(1, Math.min(tiles, parts));
        CpuParallel.run(np, part -> {
            int t0 = (int) ((long) tiles * part / np) * mr, t1 = (int) ((long) tiles * (part + 1) / np) * mr;
            for (int s0 = 0; s0 < q; s0 += KC) {
                int sc = Math.min(KC, q - s0);
                gatherColumns(kernel, sc, src.data, taps, t0, t1, pos, s0, gyt, s0 * ldb, ldb, dwt, 0, ldb, s0 > 0);
            }
            int r1 = Math.min(k, t1); // this part's tap rows of dw^T back to dw [O x K], blocks of rows
            for (int rb = t0; rb < r1; rb += TRANSPOSE_BLOCK) {
                int re = Math.min(r1, rb + TRANSPOSE_BLOCK);
                for (int c = 0; c < o; c++)
                    for (int r = rb, t = rb * ldb + c, di = dwo + c * k + rb; r < re; r++, t += ldb, di++) dwd[di] = dwt[t];
            }
        });
    }

    /**
     * The weight gradient without the padding's taps ({@link #skipsPaddingInWeightGrad}): the output positions of all images
     * in the groups of {@link #forwardSkippingPadding} (gy transposed in that order), dw^T's rows tap-major, each
     * tap's channels padded to whole tiles of mr rows, and each tap's rows summed over the groups whose positions
     * see that tap inside the image, read from the unpadded input. The tiles are split over the threads.
     */
    private static void weightGradSkippingPadding(Dims d, float[] xd, int xo, float[] gd, int go, float[] dwd, int dwo) {
        SgemmKernel kernel = SgemmKernel.get();
        int mr = kernel.mr, c = d.c(), kw = d.kw(), kk = d.kh() * kw, k = d.k(), p = d.p(), o = d.o();
        int ldb = Sgemm.roundUp(o, kernel.nr), cPad = Sgemm.roundUp(c, mr), q = d.n() * p;
        Groups gr = groups(d, xo, 0, d.n(), 1);
        int[] at = gr.at, start = gr.start, taps = tapMajorTaps(d, cPad); // dw^T's rows (t, ci), each tap padded to cPad
        int parts = CpuParallel.partsFor(d.work()), ohw = o * p;
        float[] gyt = CpuScratch.floats(CpuScratch.COLUMNS, q * ldb); // [q x O] in group order, zero in the padding columns
        CpuParallel.forRange(d.n(), parts, b -> {
            int gb = go + b * ohw, a0 = b * p;
            for (int s0 = 0; s0 < p; s0 += TRANSPOSE_BLOCK) {
                int s1 = Math.min(p, s0 + TRANSPOSE_BLOCK);
                for (int ch = 0; ch < o; ch++)
                    for (int s = s0, gi = gb + ch * p + s0; s < s1; s++, gi++) gyt[at[a0 + s] * ldb + ch] = gd[gi];
            }
            if (ldb > o) for (int s = 0; s < p; s++) Arrays.fill(gyt, at[a0 + s] * ldb + o, (at[a0 + s] + 1) * ldb, 0f);
        });
        float[] dwt = CpuScratch.floats(CpuScratch.GEMM_OUT, kk * cPad * ldb);
        int tilesPerTap = cPad / mr, tiles = kk * tilesPerTap, np = Math.max(1, Math.min(tiles, parts));
        CpuParallel.run(np, part -> {
            int u0 = (int) ((long) tiles * part / np), u1 = (int) ((long) tiles * (part + 1) / np);
            for (int t = u0 / tilesPerTap; t * tilesPerTap < u1; t++) {
                int r0 = Math.max(u0, t * tilesPerTap) * mr, r1 = Math.min(u1, (t + 1) * tilesPerTap) * mr;
                int i = t / kw, j = t % kw;
                boolean first = true;
                for (int gi = 0; gi < gr.count(); gi++) {
                    Band rb = gr.rowBand(gi), cb = gr.colBand(gi);
                    if (i < rb.lo || i >= rb.hi || j < cb.lo || j >= cb.hi) continue; // the tap reads padding here
                    for (int s0 = start[gi]; s0 < start[gi + 1]; s0 += KC) {
                        int sc = Math.min(KC, start[gi + 1] - s0);
                        gatherColumns(kernel, sc, xd, taps, r0, r1, gr.pos, s0, gyt, s0 * ldb, ldb, dwt, 0, ldb, !first);
                        first = false;
                    }
                }
                if (first) Arrays.fill(dwt, r0 * ldb, r1 * ldb, 0f); // a tap that only ever reads padding
            }
        });
        untransposeTapMajor(dwt, cPad, ldb, o, c, kk, dwd, dwo, parts);
    }

    /**
     * dw [O x C x kk] from dw^T's tap-major rows ({@code dwt[(t * cPad + ci) * ldb + ch]}), in blocks of 16 input x 16
     * output channels: each block's kk * 16 source rows are read a line at a time into a staging buffer laid out as the
     * block's 16 rows of dw, which are then copied whole (1.5x faster than gathering each dw element from its source
     * row, which JIT-compiles to one scalar load per element).
     */
    private static void untransposeTapMajor(float[] dwt, int cPad, int ldb, int o, int c, int kk, float[] dwd, int dwo, int parts) {
        int b = TRANSPOSE_BLOCK, k = c * kk, row = b * kk; // a staged row: one output channel's b input channels
        CpuParallel.forRange((c + b - 1) / b, parts, bl -> {
            int c0 = bl * b, cn = Math.min(b, c - c0);
            float[] stage = CpuScratch.floats(CpuScratch.ROW, b * row);
            for (int h0 = 0; h0 < o; h0 += b) {
                int hn = Math.min(b, o - h0);
                for (int t = 0; t < kk; t++)
                    for (int ci = 0; ci < cn; ci++)
                        for (int j = 0, s = (t * cPad + c0 + ci) * ldb + h0, di = ci * kk + t; j < hn; j++, s++, di += row) stage[di] = dwt[s];
                for (int j = 0; j < hn; j++) System.arraycopy(stage, j * row, dwd, dwo + (h0 + j) * k + c0 * kk, cn * kk);
            }
        });
    }

    /**
     * Columns [j0, j1) of C rows [i0, i1) (whole tiles of mr rows) over kc steps: {@code C[i][j] (+)= sum_p
     * x[rows[i] + steps[so + p]] * b[bo + p*ldb + j]}, with C and B both {@code ldb} wide. Pairs of column tiles go
     * through the kernel's wide gathering tile, four rows at a time (half the gathered loads per multiply-add), where
     * it has one; the rest through {@link SgemmKernel#gatherTile}. Every element is the same chain either way.
     */
    private static void gatherColumns(SgemmKernel kernel, int kc, float[] x, int[] rows, int i0, int i1, int[] steps, int so,
                                      float[] b, int bo, int ldb, float[] c, int j0, int j1, boolean add) {
        int nr = kernel.nr, j = j0;
        if (kernel.gathersWide())
            for (; j + 2 * nr <= j1; j += 2 * nr)
                for (int i = i0; i < i1; i += 4) kernel.gatherTileWide(kc, x, rows, i, steps, so, b, bo + j, ldb, c, i * ldb + j, ldb, add);
        for (; j < j1; j += nr)
            for (int i = i0; i < i1; i += kernel.mr) kernel.gatherTile(kc, x, rows, i, steps, so, b, bo + j, ldb, c, i * ldb + j, ldb, add);
    }

    /**
     * The input as read by the kernels: x itself, or a zero-padded copy of it in the calling thread's
     * {@link CpuScratch#PHASES} buffer (the parallel parts only read it).
     */
    private record Source(float[] data, int offset, int image) {}

    private static Source source(Dims d, float[] xd, int xo, int parts) {
        if (!d.padded()) return new Source(xd, xo, d.c() * d.h() * d.w());
        return new Source(zeroPadded(d, xd, xo, d.wp(), parts), 0, d.c() * d.hp() * d.wp());
    }

    /**
     * x [N, C, H, W] at {@code xd[xo]} zero-padded by the geometry's padding into the calling thread's
     * {@link CpuScratch#PHASES} buffer, rows {@code rowWidth >= Wp} floats apart (zeros past Wp): image b, channel c,
     * padded row y at {@code (b*C + c)*Hp*rowWidth + y*rowWidth}. Filled over images in parallel when
     * {@code parts > 1}; the parallel parts only read it afterwards.
     */
    static float[] zeroPadded(Dims d, float[] xd, int xo, int rowWidth, int parts) {
        int chw = d.c() * d.h() * d.w(), hp = d.hp(), image = d.c() * hp * rowWidth, ph = d.g().padH(), pw = d.g().padW();
        float[] xp = CpuScratch.floats(CpuScratch.PHASES, d.n() * image);
        CpuParallel.forRange(d.n(), parts, b -> {
            Arrays.fill(xp, b * image, (b + 1) * image, 0f);
            for (int c = 0; c < d.c(); c++)
                for (int y = 0; y < d.h(); y++)
                    System.arraycopy(xd, xo + b * chw + (c * d.h() + y) * d.w(), xp, b * image + (c * hp + y + ph) * rowWidth + pw, d.w());
        });
        return xp;
    }

    /** Offsets of the taps k = (c, i, j) in a source image. */
    private static int[] taps(Dims d) {
        int hp = d.hp(), wp = d.wp();
        int[] t = new int[d.k()];
        for (int c = 0, r = 0; c < d.c(); c++)
            for (int i = 0; i < d.kh(); i++)
                for (int j = 0; j < d.kw(); j++, r++) t[r] = (c * hp + i * d.g().dilationH()) * wp + j * d.g().dilationW();
        return t;
    }

    /** Offsets of the output positions of images [n0, n0 + nb) in the source, padded to {@code len} with the last one. */
    private static int[] positions(Dims d, Source src, int n0, int nb, int len) {
        int[] pos = new int[len];
        int wp = d.wp(), sh = d.g().strideH(), sw = d.g().strideW(), q = 0;
        for (int b = 0; b < nb; b++)
            for (int oy = 0; oy < d.ho(); oy++)
                for (int ox = 0; ox < d.wo(); ox++) pos[q++] = src.offset + (n0 + b) * src.image + oy * sh * wp + ox * sw;
        Arrays.fill(pos, q, len, pos[q - 1]);
        return pos;
    }

    /**
     * {@code w^T}: [k x ldb] with w [o x k] at {@code wd[wo]}, zero in columns o..ldb-1, in the calling thread's
     * {@link CpuScratch#OPERAND} buffer; split over blocks of k when {@code parts > 1}, each copied in 16 x 16
     * tiles so that every cache line read from w and written to w^T is used whole. With {@code taps > 0} (kernel taps per channel)
     * the rows are in the tap-major order: w's column {@code c*taps + tap} becomes row {@code tap*(k/taps) + c}.
     */
    private static float[] transposed(float[] wd, int wo, int o, int k, int ldb, int parts, int taps) {
        float[] t = CpuScratch.floats(CpuScratch.OPERAND, k * ldb);
        int blocks = (k + TRANSPOSE_BLOCK - 1) / TRANSPOSE_BLOCK, c = taps > 0 ? k / taps : 0;
        CpuParallel.forRange(blocks, parts, bl -> {
            int s0 = bl * TRANSPOSE_BLOCK, s1 = Math.min(k, s0 + TRANSPOSE_BLOCK);
            int[] at = new int[s1 - s0]; // where B's rows for w's columns s0.. start: (c, tap) -> row (tap, c)
            for (int s = s0; s < s1; s++) at[s - s0] = (taps > 0 ? (s % taps) * c + s / taps : s) * ldb;
            for (int r0 = 0; r0 < o; r0 += TRANSPOSE_BLOCK) { // 16 x 16 tiles: whole lines read and written
                int r1 = Math.min(o, r0 + TRANSPOSE_BLOCK);
                for (int s = s0; s < s1; s++)
                    for (int r = r0, a = at[s - s0], wi = wo + r0 * k + s; r < r1; r++, wi += k) t[a + r] = wd[wi];
            }
            if (ldb > o) for (int a : at) Arrays.fill(t, a + o, a + ldb, 0f);
        });
        return t;
    }
}

package dev.brink.engine.backend.cpu;

import dev.brink.engine.backend.ConvGeometry;

import java.util.Arrays;

/**
 * The float im2col matrix of a convolution and its adjoint. For one group of one image, row
 * {@code r = (c*kh + i)*kw + j} and column {@code q = oy*Wo + ox} hold
 * {@code x[c][oy*strideH - padH + i*dilH][ox*strideW - padW + j*dilW]} (0 in the padding).
 *
 * <p>Rows are always copied with unit stride from a <em>source</em> image, described per row by a {@link Plan}:
 * for a stride-1 convolution the source is x itself; for a strided one it is x split into
 * {@code strideH * strideW} phase planes ({@link #phases}: phase (a, b) holds {@code x[c][y*sH + a][x*sW + b]}),
 * in which a strided window row is a contiguous run. When the source plane is as wide as the output (a "same"
 * convolution) a whole matrix row is one shifted copy of the plane, moved as a single run with only the clipped
 * border positions fixed up after; otherwise each output row is one run.
 */
final class Im2col {
    private Im2col() {}

    /** Sizes of a convolution: input C x H x W (one group), kernel kh x kw, output Ho x Wo, and its geometry. */
    record Dims(int c, int h, int w, int kh, int kw, int ho, int wo, ConvGeometry g) {
        int p() { return ho * wo; }
        int rows() { return c * kh * kw; }
    }

    /**
     * Where each im2col row reads from: row r copies, for output row oy, the source plane at {@code plane[r]}
     * (planes of {@code hs x ws}), source row {@code oy + iy0[r]}, columns {@code ox + ix0[r]}; positions outside
     * the plane are 0.
     */
    static final class Plan {
        final Dims d;
        /** True when the source is the phase split of x (strided convolutions). */
        final boolean phased;
        /** Source plane height and width. */
        final int hs, ws;
        /** Floats in one source image (one group of one image) when phased. */
        final int phaseImage;
        final int[] plane, iy0, ix0;

        Plan(Dims d) {
            this.d = d;
            ConvGeometry g = d.g();
            int sh = g.strideH(), sw = g.strideW();
            phased = sh > 1 || sw > 1;
            hs = phased ? (d.h() + sh - 1) / sh : d.h();
            ws = phased ? (d.w() + sw - 1) / sw : d.w();
            phaseImage = d.c() * sh * sw * hs * ws;
            int rows = d.rows(), kk2 = d.kh() * d.kw();
            plane = new int[rows];
            iy0 = new int[rows];
            ix0 = new int[rows];
            for (int r = 0; r < rows; r++) {
                int c = r / kk2, i = (r % kk2) / d.kw(), j = r % d.kw();
                int dy = i * g.dilationH() - g.padH(), dx = j * g.dilationW() - g.padW();
                int a = Math.floorMod(dy, sh), b = Math.floorMod(dx, sw);
                plane[r] = ((c * sh + a) * sw + b) * hs * ws;
                iy0[r] = Math.floorDiv(dy, sh);
                ix0[r] = Math.floorDiv(dx, sw);
            }
        }
    }

    /**
     * Splits {@code images} images (channel 0 of image b at {@code x[xOff + b*imageStride]}, planes of H*W) into
     * phase planes at {@code dst[b*phaseImage ...]}, zero past the image's edge.
     */
    static void phases(float[] x, int xOff, int imageStride, int images, Plan pl, float[] dst) {
        Dims d = pl.d;
        int sh = d.g().strideH(), sw = d.g().strideW(), h = d.h(), w = d.w(), hs = pl.hs, ws = pl.ws;
        int t = 0;
        for (int b = 0; b < images; b++) {
            for (int c = 0; c < d.c(); c++) {
                int plane = xOff + b * imageStride + c * h * w;
                for (int a = 0; a < sh; a++) {
                    for (int bb = 0; bb < sw; bb++) {
                        int xs = (w - bb + sw - 1) / sw; // phase columns inside the image
                        for (int y = 0; y < hs; y++, t += ws) {
                            int iy = y * sh + a;
                            if (iy >= h) {
                                Arrays.fill(dst, t, t + ws, 0f);
                                continue;
                            }
                            int src = plane + iy * w + bb;
                            for (int u = 0; u < xs; u++) dst[t + u] = x[src + u * sw];
                            for (int u = Math.max(xs, 0); u < ws; u++) dst[t + u] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #phases}: writes the phase planes back into {@code images} images of x (every
     * position of x is exactly one phase position; the zero padding of the phases is dropped).
     */
    static void unphase(float[] src, Plan pl, int images, float[] x, int xOff, int imageStride) {
        Dims d = pl.d;
        int sh = d.g().strideH(), sw = d.g().strideW(), h = d.h(), w = d.w(), hs = pl.hs, ws = pl.ws;
        int t = 0;
        for (int b = 0; b < images; b++) {
            for (int c = 0; c < d.c(); c++) {
                int plane = xOff + b * imageStride + c * h * w;
                for (int a = 0; a < sh; a++) {
                    for (int bb = 0; bb < sw; bb++) {
                        int xs = (w - bb + sw - 1) / sw;
                        for (int y = 0; y < hs; y++, t += ws) {
                            int iy = y * sh + a;
                            if (iy >= h) continue;
                            int dst = plane + iy * w + bb;
                            for (int u = 0; u < xs; u++) x[dst + u * sw] = src[t + u];
                        }
                    }
                }
            }
        }
    }

    /**
     * Writes rows [r0, r1) of the im2col matrices of {@code images} images side by side, read from their sources
     * (image b's source at {@code src[srcOff + b*srcStride]}): column q of image b goes to
     * {@code col[colOff + (r - r0)*ldcol + b*P + q]}.
     */
    static void im2col(Plan pl, float[] src, int srcOff, int srcStride, int images, int r0, int r1, float[] col, int colOff, int ldcol) {
        int hs = pl.hs, ws = pl.ws, wo = pl.d.wo(), ho = pl.d.ho(), p = pl.d.p();
        boolean sameRows = ws == wo;
        for (int r = r0; r < r1; r++) {
            int iy0 = pl.iy0[r], ix0 = pl.ix0[r];
            int lo = Math.min(wo, Math.max(0, -ix0)), hi = Math.max(lo, Math.min(wo, ws - ix0));
            int yLo = Math.min(ho, Math.max(0, -iy0)), yHi = Math.max(yLo, Math.min(ho, hs - iy0));
            for (int b = 0; b < images; b++) {
                int plane = srcOff + b * srcStride + pl.plane[r];
                int row = colOff + (r - r0) * ldcol + b * p;
                if (yLo > 0) Arrays.fill(col, row, row + yLo * wo, 0f);
                if (yHi < ho) Arrays.fill(col, row + yHi * wo, row + ho * wo, 0f);
                if (lo >= hi) {
                    Arrays.fill(col, row + yLo * wo, row + yHi * wo, 0f);
                    continue;
                }
                if (sameRows && yHi > yLo) {
                    int s = plane + (yLo + iy0) * ws + ix0 + lo, dst = row + yLo * wo + lo;
                    System.arraycopy(src, s, col, dst, (yHi - 1 - yLo) * wo + hi - lo);
                    if (lo > 0 || hi < wo) zeroBorders(col, row, wo, yLo, yHi, lo, hi);
                    continue;
                }
                for (int oy = yLo; oy < yHi; oy++) {
                    int dst = row + oy * wo, s = plane + (oy + iy0) * ws + ix0;
                    for (int ox = 0; ox < lo; ox++) col[dst + ox] = 0f;
                    for (int ox = lo; ox < hi; ox++) col[dst + ox] = src[s + ox];
                    for (int ox = hi; ox < wo; ox++) col[dst + ox] = 0f;
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col} over all rows, for {@code images} images side by side: adds
     * {@code col[colOff + r*ldcol + b*P + q]} into image b's source at {@code src[srcOff + b*srcStride]} (which
     * the caller has zeroed or holds a partial sum). May overwrite the clipped positions of {@code col} with 0.
     */
    static void col2im(Plan pl, float[] col, int colOff, int ldcol, float[] src, int srcOff, int srcStride, int images) {
        int hs = pl.hs, ws = pl.ws, wo = pl.d.wo(), ho = pl.d.ho(), p = pl.d.p();
        boolean sameRows = ws == wo;
        int rows = pl.d.rows();
        for (int r = 0; r < rows; r++) {
            int iy0 = pl.iy0[r], ix0 = pl.ix0[r];
            int lo = Math.min(wo, Math.max(0, -ix0)), hi = Math.max(lo, Math.min(wo, ws - ix0));
            int yLo = Math.min(ho, Math.max(0, -iy0)), yHi = Math.max(yLo, Math.min(ho, hs - iy0));
            if (lo >= hi || yLo >= yHi) continue;
            for (int b = 0; b < images; b++) {
                int plane = srcOff + b * srcStride + pl.plane[r];
                int row = colOff + r * ldcol + b * p;
                if (sameRows) {
                    // zero the clipped positions inside the run, then add the run in one pass
                    if (lo > 0 || hi < wo) zeroBorders(col, row, wo, yLo, yHi, lo, hi);
                    int dst = plane + (yLo + iy0) * ws + ix0 + lo, s = row + yLo * wo + lo;
                    int len = (yHi - 1 - yLo) * wo + hi - lo;
                    for (int u = 0; u < len; u++) src[dst + u] += col[s + u];
                    continue;
                }
                for (int oy = yLo; oy < yHi; oy++) {
                    int s = row + oy * wo, dst = plane + (oy + iy0) * ws + ix0;
                    for (int ox = lo; ox < hi; ox++) src[dst + ox] += col[s + ox];
                }
            }
        }
    }

    /**
     * Zeroes columns [0, lo) and [hi, wo) of output rows [yLo, yHi) of a matrix row starting at {@code row}: the
     * right border of one output row and the left border of the next are adjacent, so each is one short run.
     */
    private static void zeroBorders(float[] col, int row, int wo, int yLo, int yHi, int lo, int hi) {
        int first = row + yLo * wo;
        for (int u = 0; u < lo; u++) col[first + u] = 0f;
        int gap = wo - hi + lo, b = row + yLo * wo + hi, end = row + (yHi - 1) * wo + hi;
        // the gap is the same for every output row: one straight-line loop per common width
        switch (gap) {
            case 1 -> { for (; b < end; b += wo) col[b] = 0f; }
            case 2 -> { for (; b < end; b += wo) { col[b] = 0f; col[b + 1] = 0f; } }
            case 3 -> { for (; b < end; b += wo) { col[b] = 0f; col[b + 1] = 0f; col[b + 2] = 0f; } }
            case 4 -> { for (; b < end; b += wo) { col[b] = 0f; col[b + 1] = 0f; col[b + 2] = 0f; col[b + 3] = 0f; } }
            default -> { for (; b < end; b += wo) for (int u = 0; u < gap; u++) col[b + u] = 0f; }
        }
        int last = row + (yHi - 1) * wo;
        for (int u = hi; u < wo; u++) col[last + u] = 0f;
    }
}

package dev.brink.engine.backend.cpu;

import dev.brink.engine.backend.ConvGeometry;

import java.util.Arrays;

/**
 * Float32 3x3 convolutions with stride 1 (VGG-16's, ResNet-18's and the WideResNets' layers) and their two
 * gradients by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray): each 2x2 block of outputs (a tile) is
 * {@code A^T [(G g G^T) ⊙ (B^T d B)] A} with g a 3x3 kernel and d the 4x4 input patch under the tile, so a layer
 * takes 16 multiplies per tile and channel pair instead of 36 (2.25x fewer), as 16 independent GEMMs over the
 * channels, one per point of the 4x4 transform:
 * <ul>
 *   <li>forward: {@code M_i[O x T] = U_i[O x C] * V_i[C x T]} with U the transformed kernels and V the transformed
 *       patches of all T tiles of the batch, then each tile's 2x2 outputs from its 16 values of M;</li>
 *   <li>input gradient: the forward pass of gy with the flipped, transposed kernel (padding {@code 2 - pad});</li>
 *   <li>weight gradient: the adjoint of the forward pass, {@code dU_i[O x C] = Z_i[O x T] * V_i^T} with
 *       {@code Z = A gy A^T} per tile, then {@code dw = G^T dU G}.</li>
 * </ul>
 * The transforms' coefficients are 0, ±1 and ±1/2, so the rounding error stays a small multiple of a direct
 * dot product's (WinogradConvTest bounds it). Every GEMM element is one chain of multiply-adds in ascending order
 * ({@link SgemmKernel}), every transform a fixed sequence of adds, and the work is split over planes and points
 * only: no result depends on the thread count. V, U (or Z) and the products live in the calling thread's
 * {@link CpuScratch} buffers (parallel parts write disjoint parts of them); each part stages its rows in its own.
 */
final class WinogradConv {
    /** Points of the 4x4 transform, one GEMM each. */
    private static final int POINTS = 16;

    private WinogradConv() {}

    /**
     * True when d is a 3x3, stride-1, undilated convolution with one group and padding at most 2 (so that its
     * input gradient is one too), and its transformed operands fit in Java arrays.
     */
    static boolean supports(ImplicitConv.Dims d) {
        ConvGeometry g = d.g();
        if (g.groups() != 1 || d.kh() != 3 || d.kw() != 3 || g.strideH() != 1 || g.strideW() != 1
                || g.dilationH() != 1 || g.dilationW() != 1 || g.padH() > 2 || g.padW() > 2
                || d.n() <= 0 || d.c() <= 0 || d.o() <= 0 || d.ho() <= 0 || d.wo() <= 0) return false;
        long tiles = (long) d.n() * ((d.ho() + 1) / 2) * ((d.wo() + 1) / 2), big = Integer.MAX_VALUE - 64;
        // the input gradient's tiles cover the input map (h x w), the forward pass's the output map
        long inTiles = (long) d.n() * ((d.h() + 1) / 2) * ((d.w() + 1) / 2);
        long most = Math.max(tiles, inTiles) * Math.max(d.c(), d.o());
        return POINTS * most < big && POINTS * (long) d.c() * d.o() < big;
    }

    /**
     * {@code y = conv(x, w)}: x at {@code xd[xo]} [N, C, H, W], w at {@code wd[wOff]} [O, C, 3, 3], y at {@code yd[yo]}
     * [N, O, Ho, Wo] (overwritten), all contiguous; d must be {@link #supports supported}.
     */
    static void forward(ImplicitConv.Dims d, float[] xd, int xo, float[] wd, int wOff, float[] yd, int yo) {
        boolean parallel = CpuParallel.partsFor(d.work()) > 1;
        float[] u = kernelPoints(wd, wOff, d.o(), d.c(), false, parallel);
        correlate(d, xd, xo, u, yd, yo);
    }

    /**
     * {@code dx = dL/dx} of the convolution d: gy at {@code gd[go]} [N, O, Ho, Wo], w at {@code wd[wOff]}
     * [O, C, 3, 3], dx at {@code dxd[dxo]} [N, C, H, W] (overwritten), all contiguous; d must be supported.
     */
    static void inputGrad(ImplicitConv.Dims d, float[] gd, int go, float[] wd, int wOff, float[] dxd, int dxo) {
        ConvGeometry g = d.g();
        ConvGeometry tg = new ConvGeometry(1, 1, 2 - g.padH(), 2 - g.padW(), 1, 1, 1);
        ImplicitConv.Dims t = new ImplicitConv.Dims(d.n(), d.o(), d.ho(), d.wo(), d.c(), 3, 3, d.h(), d.w(), tg);
        boolean parallel = CpuParallel.partsFor(d.work()) > 1;
        float[] u = kernelPoints(wd, wOff, d.c(), d.o(), true, parallel);
        correlate(t, gd, go, u, dxd, dxo);
    }

    /**
     * {@code dw = dL/dw} of the convolution d: x at {@code xd[xo]} [N, C, H, W], gy at {@code gd[go]}
     * [N, O, Ho, Wo], dw at {@code dwd[dwo]} [O, C, 3, 3] (overwritten), all contiguous; d must be supported.
     * The tiles are taken in blocks of whole tile rows; the blocks are split into a fixed number of groups (set by
     * the problem, not the thread count), each group accumulates {@code dU} over its blocks in order, and the
     * groups' sums are added in group order.
     */
    static void weightGrad(ImplicitConv.Dims d, float[] xd, int xo, float[] gd, int go, float[] dwd, int dwo) {
        int parts = CpuParallel.partsFor(d.work()), c = d.c(), o = d.o(), oc = o * c;
        int th = (d.ho() + 1) / 2, tw = (d.wo() + 1) / 2, tileRows = d.n() * th;
        int rowsPerBlock = Math.max(1, Math.min(tileRows, Math.min((WEIGHT_BLOCK_TILES + tw - 1) / tw,
                WEIGHT_BLOCK_FLOATS / (POINTS * Math.max(c, o) * tw))));
        int blocks = (tileRows + rowsPerBlock - 1) / rowsPerBlock;
        int groups = Math.max(1, Math.min(Math.min(MAX_GROUPS, blocks), PARTIAL_FLOATS / (POINTS * oc)));
        boolean gemmParallel = groups < parts;
        // group g's sums at pg[g * POINTS * oc], each overwritten by its first block (every group has one)
        float[] pg = CpuScratch.floats(CpuScratch.WINOGRAD_PARTIAL, groups * POINTS * oc);
        WinogradTransforms tr = WinogradTransforms.get();
        CpuParallel.forRange(groups, parts > 1, g -> {
            int b0 = (int) ((long) blocks * g / groups), b1 = (int) ((long) blocks * (g + 1) / groups), gOff = g * POINTS * oc;
            for (int bl = b0; bl < b1; bl++) {
                int r0 = bl * rowsPerBlock, r1 = Math.min(tileRows, r0 + rowsPerBlock), tb = (r1 - r0) * tw;
                float[] v = CpuScratch.floats(CpuScratch.WINOGRAD_INPUT, POINTS * c * tb);
                float[] z = CpuScratch.floats(CpuScratch.WINOGRAD_KERNEL, POINTS * o * tb);
                blockInput(d, xd, xo, th, tw, r0, r1, v, tr);
                blockGradient(d, gd, go, th, tw, r0, r1, z, tr);
                boolean add = bl > b0;
                for (int i = 0; i < POINTS; i++)
                    Sgemm.gemm(o, c, tb, SgemmPacking.strided(z, i * o * tb, tb, 1), SgemmPacking.strided(v, i * c * tb, 1, tb),
                            pg, gOff + i * oc, c, add, gemmParallel);
            }
        });
        float[] du = pg; // group 0's sums, then the others' added in group order
        if (groups > 1) CpuParallel.forRange(POINTS * o, parts > 1, row -> {
            for (int g = 1; g < groups; g++)
                for (int k = row * c, end = k + c, gk = g * POINTS * oc; k < end; k++) du[k] += pg[gk + k];
        });
        CpuParallel.forRange(o, parts > 1, r -> {
            float[] a = new float[POINTS], b = new float[12];
            for (int s = 0; s < c; s++) {
                for (int i = 0; i < POINTS; i++) a[i] = du[i * oc + r * c + s];
                for (int j = 0; j < 4; j++) { // G^T over the rows of dU: 4 -> 3
                    float a0 = a[j], a1 = a[4 + j], a2 = a[8 + j], a3 = a[12 + j];
                    b[j] = a0 + 0.5f * (a1 + a2);
                    b[4 + j] = 0.5f * (a1 - a2);
                    b[8 + j] = 0.5f * (a1 + a2) + a3;
                }
                int q = dwo + (r * c + s) * 9;
                for (int i = 0; i < 3; i++) { // then over the columns
                    float b0 = b[4 * i], b1 = b[4 * i + 1], b2 = b[4 * i + 2], b3 = b[4 * i + 3];
                    dwd[q + 3 * i] = b0 + 0.5f * (b1 + b2);
                    dwd[q + 3 * i + 1] = 0.5f * (b1 - b2);
                    dwd[q + 3 * i + 2] = 0.5f * (b1 + b2) + b3;
                }
            }
        });
    }

    /** Transformed input and products per forward block, in floats (about 1 MiB each: a core's L2). */
    private static final int BLOCK_FLOATS = 1 << 18;
    /** Tiles per weight-gradient block at least (the depth of its products). */
    private static final int WEIGHT_BLOCK_TILES = 256;
    /** Transformed input or output gradient per weight-gradient block, in floats, at most. */
    private static final int WEIGHT_BLOCK_FLOATS = 1 << 21;
    /** Groups of weight-gradient blocks at most, and the floats all their partial sums may take. */
    private static final int MAX_GROUPS = 8, PARTIAL_FLOATS = 1 << 22;

    /**
     * The forward pass of d with its kernels already transformed (u, [16][O][C]): the tiles are taken in blocks
     * of whole tile rows, small enough that a block's transformed input and products stay in cache; each block
     * is transformed, multiplied (16 GEMMs against the kernels, packed once per call) and transformed back by one
     * thread, so the blocks run in parallel and the products never go to memory.
     */
    private static void correlate(ImplicitConv.Dims d, float[] xd, int xo, float[] u, float[] yd, int yo) {
        int parts = CpuParallel.partsFor(d.work()), c = d.c(), o = d.o();
        int th = (d.ho() + 1) / 2, tw = (d.wo() + 1) / 2, tileRows = d.n() * th;
        SgemmKernel kernel = SgemmKernel.get();
        SgemmPacking.PrepackedA[] a = new SgemmPacking.PrepackedA[POINTS];
        int packed = SgemmPacking.PrepackedA.floats(o, c, kernel);
        float[] pa = CpuScratch.floats(CpuScratch.WINOGRAD_PACKED, POINTS * packed);
        CpuParallel.forRange(POINTS, parts > 1,
                i -> a[i] = new SgemmPacking.PrepackedA(o, c, SgemmPacking.strided(u, i * o * c, c, 1), kernel, pa, i * packed));
        int rowsPerBlock = Math.max(1, Math.min((tileRows + parts - 1) / parts, BLOCK_FLOATS / (POINTS * Math.max(c, o) * tw)));
        int blocks = (tileRows + rowsPerBlock - 1) / rowsPerBlock;
        boolean gemmParallel = blocks < parts;
        WinogradTransforms tr = WinogradTransforms.get();
        CpuParallel.forRange(blocks, parts > 1, bl -> {
            int r0 = bl * rowsPerBlock, r1 = Math.min(tileRows, r0 + rowsPerBlock), tb = (r1 - r0) * tw;
            float[] v = CpuScratch.floats(CpuScratch.WINOGRAD_INPUT, POINTS * c * tb);
            float[] m = CpuScratch.floats(CpuScratch.WINOGRAD_PRODUCT, POINTS * o * tb);
            blockInput(d, xd, xo, th, tw, r0, r1, v, tr);
            for (int i = 0; i < POINTS; i++)
                Sgemm.gemm(o, tb, c, a[i], SgemmPacking.strided(v, i * c * tb, tb, 1), m, i * o * tb, tb, false, gemmParallel);
            blockOutput(d, m, th, tw, r0, r1, yd, yo, tr);
        });
    }

    /**
     * The transformed kernels {@code U_i[r][s] = (G g G^T)_i}, [16][rows][cols], with g the kernel w[r, s]
     * ({@code w} [rows, cols, 3, 3]) or, when {@code flipped}, the flipped kernel w[s, r] ({@code w} [cols, rows, 3, 3]).
     */
    private static float[] kernelPoints(float[] wd, int wOff, int rows, int cols, boolean flipped, boolean parallel) {
        int rc = rows * cols;
        float[] u = CpuScratch.floats(CpuScratch.WINOGRAD_KERNEL, POINTS * rc);
        WinogradTransforms tr = WinogradTransforms.get();
        CpuParallel.forRange(rows, parallel, r -> {
            // row r's kernels as 9 runs of cols taps (g[k][s]), G over each kernel's rows into 12 runs (a[4j' + ...]),
            // then G over its columns straight into the 16 runs of U: every kernel in a run is one lane
            float[] st = CpuScratch.floats(CpuScratch.WINOGRAD_STAGE, 21 * cols);
            int a0 = 9 * cols;
            for (int s = 0; s < cols; s++) {
                int base = wOff + (flipped ? s * rows + r : r * cols + s) * 9;
                for (int k = 0; k < 9; k++) st[k * cols + s] = flipped ? wd[base + 8 - k] : wd[base + k];
            }
            for (int j = 0; j < 3; j++) // G over the rows of g: taps (j, 3 + j, 6 + j) -> a[j], a[3 + j], a[6 + j], a[9 + j]
                tr.kernel(st, j * cols, (3 + j) * cols, (6 + j) * cols, st, a0 + j * cols, a0 + (3 + j) * cols, a0 + (6 + j) * cols, a0 + (9 + j) * cols, cols);
            int q = r * cols;
            for (int i = 0; i < 4; i++) // then over the columns: a[3i], a[3i + 1], a[3i + 2] -> points 4i .. 4i + 3
                tr.kernel(st, a0 + 3 * i * cols, a0 + (3 * i + 1) * cols, a0 + (3 * i + 2) * cols,
                        u, (4 * i) * rc + q, (4 * i + 1) * rc + q, (4 * i + 2) * rc + q, (4 * i + 3) * rc + q, cols);
        });
        return u;
    }

    /**
     * The transformed input patches of tile rows [r0, r1) (tile row r: image r / th, row r % th), {@code v[i][c][t]}
     * for the block's tiles t = (r - r0) * tw + tx: per channel, the 16 patch values of every tile are gathered
     * into 16 runs (zero outside the map), then both passes of {@code B^T d B} run over whole runs.
     */
    private static void blockInput(ImplicitConv.Dims d, float[] xd, int xo, int th, int tw, int r0, int r1, float[] v,
                                   WinogradTransforms tr) {
        int c = d.c(), h = d.h(), w = d.w(), ph = d.g().padH(), pw = d.g().padW(), tb = (r1 - r0) * tw;
        // patches, then the rows transformed, then one input row zero-padded (from column -2 on), then its even and
        // odd columns
        int e = POINTS * tb, pr = 2 * e, ev = pr + 2 * tw + 4, od = ev + tw + 2;
        float[] s = CpuScratch.floats(CpuScratch.WINOGRAD_STAGE, od + tw + 2);
        Arrays.fill(s, pr, ev, 0f);
        for (int ch = 0; ch < c; ch++) {
            for (int r = r0; r < r1; r++) {
                int b = r / th, y0 = 2 * (r % th) - ph, t0 = (r - r0) * tw, plane = xo + (b * c + ch) * h * w;
                for (int i = 0; i < 4; i++) {
                    int y = y0 + i;
                    if (y < 0 || y >= h) {
                        for (int j = 0; j < 4; j++) Arrays.fill(s, (4 * i + j) * tb + t0, (4 * i + j) * tb + t0 + tw, 0f);
                        continue;
                    }
                    // s[ev + k] = x[2k - 2], s[od + k] = x[2k - 1] (0 off the row): patch column j of tile tx is
                    // x[2tx + j - pw], i.e. s[ev or od + tx + (j - pw + 2) / 2]
                    System.arraycopy(xd, plane + y * w, s, pr + 2, w); // the padding around it stays zero
                    for (int k = 0, q = pr; k < tw + 2; k++, q += 2) {
                        s[ev + k] = s[q];
                        s[od + k] = s[q + 1];
                    }
                    for (int j = 0; j < 4; j++) {
                        int u = j - pw + 2;
                        System.arraycopy(s, ((u & 1) == 0 ? ev : od) + (u >> 1), s, (4 * i + j) * tb + t0, tw);
                    }
                }
            }
            for (int j = 0; j < 4; j++) // B^T over the rows of the patches
                tr.input(s, j * tb, (4 + j) * tb, (8 + j) * tb, (12 + j) * tb, s, e + j * tb, e + (4 + j) * tb, e + (8 + j) * tb, e + (12 + j) * tb, tb);
            for (int i = 0; i < 4; i++) // then over the columns, into point 4i + j
                tr.input(s, e + 4 * i * tb, e + (4 * i + 1) * tb, e + (4 * i + 2) * tb, e + (4 * i + 3) * tb,
                        v, (4 * i * c + ch) * tb, ((4 * i + 1) * c + ch) * tb, ((4 * i + 2) * c + ch) * tb, ((4 * i + 3) * c + ch) * tb, tb);
        }
    }

    /**
     * The transformed output-gradient tiles of tile rows [r0, r1), {@code z[i][o][t] = (A gy A^T)_i} with the 2x2
     * tiles of gy (zero beyond its edge), gathered and transformed like {@link #blockInput}.
     */
    private static void blockGradient(ImplicitConv.Dims d, float[] gd, int go, int th, int tw, int r0, int r1, float[] z,
                                      WinogradTransforms tr) {
        int o = d.o(), ho = d.ho(), wo = d.wo(), tb = (r1 - r0) * tw;
        float[] s = CpuScratch.floats(CpuScratch.WINOGRAD_STAGE, 12 * tb); // 4 tile runs, then 8 rows transformed
        int e = 4 * tb;
        for (int oc = 0; oc < o; oc++) {
            for (int r = r0; r < r1; r++) {
                int b = r / th, y0 = 2 * (r % th), t0 = (r - r0) * tw, plane = go + (b * o + oc) * ho * wo;
                for (int a = 0; a < 2; a++) {
                    int y = y0 + a, row = plane + y * wo;
                    for (int j = 0; j < 2; j++) {
                        int q = (2 * a + j) * tb + t0;
                        if (y >= ho) {
                            Arrays.fill(s, q, q + tw, 0f);
                            continue;
                        }
                        for (int tx = 0; tx < tw; tx++) {
                            int x = 2 * tx + j;
                            s[q + tx] = x < wo ? gd[row + x] : 0f;
                        }
                    }
                }
            }
            for (int j = 0; j < 2; j++) // A over the rows of the tiles: run (i, j) at e + (2i + j) * tb
                tr.gradient(s, j * tb, (2 + j) * tb, s, e + j * tb, e + (2 + j) * tb, e + (4 + j) * tb, e + (6 + j) * tb, tb);
            for (int i = 0; i < 4; i++) // then over the columns, into point 4i + j
                tr.gradient(s, e + 2 * i * tb, e + (2 * i + 1) * tb,
                        z, (4 * i * o + oc) * tb, ((4 * i + 1) * o + oc) * tb, ((4 * i + 2) * o + oc) * tb, ((4 * i + 3) * o + oc) * tb, tb);
        }
    }

    /**
     * The outputs of tile rows [r0, r1) from the block's products {@code m[i][o][t]}: each tile's {@code A^T M A},
     * both passes over whole runs, then scattered into y, clipped at the map's edge.
     */
    private static void blockOutput(ImplicitConv.Dims d, float[] m, int th, int tw, int r0, int r1, float[] yd, int yo,
                                    WinogradTransforms tr) {
        int o = d.o(), ho = d.ho(), wo = d.wo(), tb = (r1 - r0) * tw, full = wo / 2;
        float[] s = CpuScratch.floats(CpuScratch.WINOGRAD_STAGE, 12 * tb); // 8 row-transformed runs, then 4 output runs
        int f = 8 * tb;
        for (int oc = 0; oc < o; oc++) {
            for (int j = 0; j < 4; j++) // A^T over the rows of M: run (rr, j) at (4rr + j) * tb
                tr.output(m, (j * o + oc) * tb, ((4 + j) * o + oc) * tb, ((8 + j) * o + oc) * tb, ((12 + j) * o + oc) * tb,
                        s, j * tb, (4 + j) * tb, tb);
            for (int rr = 0; rr < 2; rr++) // then over the columns: output (rr, a) at f + (2rr + a) * tb
                tr.output(s, 4 * rr * tb, (4 * rr + 1) * tb, (4 * rr + 2) * tb, (4 * rr + 3) * tb, s, f + 2 * rr * tb, f + (2 * rr + 1) * tb, tb);
            for (int r = r0; r < r1; r++) {
                int b = r / th, ty = r % th, t0 = (r - r0) * tw, yb = yo + (b * o + oc) * ho * wo;
                for (int rr = 0; rr < 2 && 2 * ty + rr < ho; rr++) {
                    int row = yb + (2 * ty + rr) * wo, q0 = f + 2 * rr * tb + t0, q1 = q0 + tb;
                    for (int tx = 0; tx < full; tx++) {
                        yd[row + 2 * tx] = s[q0 + tx];
                        yd[row + 2 * tx + 1] = s[q1 + tx];
                    }
                    if (full < tw) yd[row + 2 * full] = s[q0 + full]; // an odd map: the last tile's first column only
                }
            }
        }
    }
}

package dev.brink.engine.backend.cpu;

import dev.brink.engine.backend.ConvGeometry;

import java.util.Arrays;

/**
 * Float32 3x3 convolutions with stride 1 (VGG-16's, ResNet-18's and the WideResNets' layers) and their two
 * gradients by Winograd's minimal filtering F(m x m, 3x3) (Lavin and Gray), m = 2 or 4 ({@link WinogradTransforms};
 * {@link ConvPath#winogradTile} picks it per layer): each m x m block of outputs (a tile) is
 * {@code A^T [(G g G^T) ⊙ (B^T d B)] A} with g a 3x3 kernel and d the alpha x alpha input patch under the tile
 * ({@code alpha = m + 2}), so a layer takes alpha^2 multiplies per tile and channel pair instead of 9 m^2 (2.25x
 * fewer for F(2x2), 4x for F(4x4)), as alpha^2 independent GEMMs over the channels, one per transform point:
 * <ul>
 *   <li>forward: {@code M_i[O x T] = U_i[O x C] * V_i[C x T]} with U the transformed kernels and V the transformed
 *       patches of all T tiles of the batch, then each tile's outputs from its alpha^2 values of M;</li>
 *   <li>input gradient: the forward pass of gy with the flipped, transposed kernel (padding {@code 2 - pad});</li>
 *   <li>weight gradient: the adjoint of the forward pass, {@code dU_i[O x C] = Z_i[O x T] * V_i^T} with
 *       {@code Z = A gy A^T} per tile, then {@code dw = G^T dU G}.</li>
 * </ul>
 * F(2x2)'s coefficients are 0, ±1 and ±1/2, so its rounding error stays a small multiple of a direct dot product's;
 * F(4x4)'s (up to 8 and 1/24) make it a few times larger (WinogradConvTest bounds both). Every GEMM element is one
 * chain of multiply-adds in ascending order ({@link SgemmKernel}), every transform a fixed sequence of operations,
 * and the work is split over planes and points only: no result depends on the thread count. V, U (or Z) and the
 * products live in the calling thread's {@link CpuScratch} buffers (parallel parts write disjoint parts of them);
 * each part stages its rows in its own.
 */
final class WinogradConv {
    private WinogradConv() {}

    /**
     * True when d is a 3x3, stride-1, undilated convolution with one group and padding at most 2 (so that its
     * input gradient is one too), and its transformed operands fit in Java arrays with either tile.
     */
    static boolean supports(ImplicitConv.Dims d) {
        ConvGeometry g = d.g();
        if (g.groups() != 1 || d.kh() != 3 || d.kw() != 3 || g.strideH() != 1 || g.strideW() != 1
                || g.dilationH() != 1 || g.dilationW() != 1 || g.padH() > 2 || g.padW() > 2
                || d.n() <= 0 || d.c() <= 0 || d.o() <= 0 || d.ho() <= 0 || d.wo() <= 0) return false;
        long big = Integer.MAX_VALUE - 64;
        for (int m = 2; m <= 4; m += 2) {
            long points = (long) (m + 2) * (m + 2);
            long tiles = (long) d.n() * ((d.ho() + m - 1) / m) * ((d.wo() + m - 1) / m);
            // the input gradient's tiles cover the input map (h x w), the forward pass's the output map
            long inTiles = (long) d.n() * ((d.h() + m - 1) / m) * ((d.w() + m - 1) / m);
            long most = Math.max(tiles, inTiles) * Math.max(d.c(), d.o());
            if (points * most >= big || points * d.c() * d.o() >= big) return false;
        }
        return true;
    }

    /**
     * {@code y = conv(x, w)}: x at {@code xd[xo]} [N, C, H, W], w at {@code wd[wOff]} [O, C, 3, 3], y at {@code yd[yo]}
     * [N, O, Ho, Wo] (overwritten), all contiguous; d must be {@link #supports supported}.
     */
    static void forward(ImplicitConv.Dims d, float[] xd, int xo, float[] wd, int wOff, float[] yd, int yo) {
        WinogradTransforms tr = WinogradTransforms.get(ConvPath.winogradTile(d));
        float[] u = kernelPoints(wd, wOff, d.o(), d.c(), false, CpuParallel.partsFor(d.work()), tr);
        correlate(d, xd, xo, u, yd, yo, tr);
    }

    /**
     * {@code dx = dL/dx} of the convolution d: gy at {@code gd[go]} [N, O, Ho, Wo], w at {@code wd[wOff]}
     * [O, C, 3, 3], dx at {@code dxd[dxo]} [N, C, H, W] (overwritten), all contiguous; d must be supported.
     */
    static void inputGrad(ImplicitConv.Dims d, float[] gd, int go, float[] wd, int wOff, float[] dxd, int dxo) {
        WinogradTransforms tr = WinogradTransforms.get(ConvPath.winogradTile(d));
        ConvGeometry g = d.g();
        ConvGeometry tg = new ConvGeometry(1, 1, 2 - g.padH(), 2 - g.padW(), 1, 1, 1);
        ImplicitConv.Dims t = new ImplicitConv.Dims(d.n(), d.o(), d.ho(), d.wo(), d.c(), 3, 3, d.h(), d.w(), tg);
        float[] u = kernelPoints(wd, wOff, d.c(), d.o(), true, CpuParallel.partsFor(d.work()), tr);
        correlate(t, gd, go, u, dxd, dxo, tr);
    }

    /**
     * {@code dw = dL/dw} of the convolution d: x at {@code xd[xo]} [N, C, H, W], gy at {@code gd[go]}
     * [N, O, Ho, Wo], dw at {@code dwd[dwo]} [O, C, 3, 3] (overwritten), all contiguous; d must be supported.
     * The tiles are taken in blocks of whole tile rows; the blocks are split into a fixed number of groups (set by
     * the problem, not the thread count), each group accumulates {@code dU} over its blocks in order, and the
     * groups' sums are added in group order.
     */
    static void weightGrad(ImplicitConv.Dims d, float[] xd, int xo, float[] gd, int go, float[] dwd, int dwo) {
        WinogradTransforms tr = WinogradTransforms.get(ConvPath.winogradTile(d));
        int mt = tr.m(), al = tr.alpha(), points = al * al;
        int parts = CpuParallel.partsFor(d.work()), c = d.c(), o = d.o(), oc = o * c;
        int th = (d.ho() + mt - 1) / mt, tw = (d.wo() + mt - 1) / mt, tileRows = d.n() * th;
        int rowsPerBlock = Math.max(1, Math.min(tileRows, Math.min((WEIGHT_BLOCK_TILES + tw - 1) / tw,
                WEIGHT_BLOCK_FLOATS / (points * Math.max(c, o) * tw))));
        int blocks = (tileRows + rowsPerBlock - 1) / rowsPerBlock;
        int groups = Math.max(1, Math.min(Math.min(MAX_GROUPS, blocks), PARTIAL_FLOATS / (points * oc)));
        // fewer groups than parts: each block's transforms split over channel groups and its GEMMs over points
        int inner = groups < parts ? parts : 1;
        // group g's sums at pg[g * points * oc], each overwritten by its first block (every group has one)
        float[] pg = CpuScratch.floats(CpuScratch.WINOGRAD_PARTIAL, groups * points * oc);
        CpuParallel.forRange(groups, parts, g -> {
            int b0 = (int) ((long) blocks * g / groups), b1 = (int) ((long) blocks * (g + 1) / groups), gOff = g * points * oc;
            for (int bl = b0; bl < b1; bl++) {
                int r0 = bl * rowsPerBlock, r1 = Math.min(tileRows, r0 + rowsPerBlock), tb = (r1 - r0) * tw;
                float[] v = CpuScratch.floats(CpuScratch.WINOGRAD_INPUT, points * c * tb);
                float[] z = CpuScratch.floats(CpuScratch.WINOGRAD_KERNEL, points * o * tb);
                blockInput(d, xd, xo, th, tw, r0, r1, v, tr, inner);
                blockGradient(d, gd, go, th, tw, r0, r1, z, tr, inner);
                boolean add = bl > b0;
                CpuParallel.forRange(points, inner, i -> Sgemm.gemm(o, c, tb, SgemmPacking.strided(z, i * o * tb, tb, 1),
                        SgemmPacking.strided(v, i * c * tb, 1, tb), pg, gOff + i * oc, c, add, false));
            }
        });
        float[] du = pg; // group 0's sums, then the others' added in group order
        if (groups > 1) CpuParallel.forRange(points * o, parts, row -> {
            for (int g = 1; g < groups; g++)
                for (int k = row * c, end = k + c, gk = g * points * oc; k < end; k++) du[k] += pg[gk + k];
        });
        CpuParallel.forRange(o, parts, r -> {
            float[] a = new float[points], work = new float[3 * al];
            for (int s = 0; s < c; s++) {
                for (int i = 0; i < points; i++) a[i] = du[i * oc + r * c + s];
                tr.kernelGradient(a, work, dwd, dwo + (r * c + s) * 9);
            }
        });
    }

    /** Transformed input and products per forward block, in floats (about 1 MiB each: a core's L2). */
    private static final int BLOCK_FLOATS = 1 << 18;
    /**
     * Tiles per forward block at least, even past {@link #BLOCK_FLOATS}: each block streams every point's packed
     * kernels through its GEMMs, so blocks of few tiles are bound by that traffic. F(4x4)'s 36 points held its blocks
     * to 28-56 tiles on ResNet-18's 16x16 and VGG-16's 8x8 layers; at 256 its forward pass took 8.7 against 11.3 ms
     * on the 16x16 layer (JMH, 1 thread, batch 32), F(2x2)'s unchanged within noise.
     */
    private static final int MIN_BLOCK_TILES = 256;
    /** Tiles per weight-gradient block at least (the depth of its products). */
    private static final int WEIGHT_BLOCK_TILES = 256;
    /** Transformed input or output gradient per weight-gradient block, in floats, at most. */
    private static final int WEIGHT_BLOCK_FLOATS = 1 << 21;
    /** Groups of weight-gradient blocks at most, and the floats all their partial sums may take. */
    private static final int MAX_GROUPS = 8, PARTIAL_FLOATS = 1 << 22;

    /**
     * The forward pass of d with its kernels already transformed (u, [points][O][C]): the tiles are taken in blocks
     * of whole tile rows, small enough that a block's transformed input and products stay in cache; each block
     * is transformed, multiplied (one GEMM per point against the kernels, packed once per call) and transformed
     * back by one thread, so the blocks run in parallel and the products never go to memory.
     */
    private static void correlate(ImplicitConv.Dims d, float[] xd, int xo, float[] u, float[] yd, int yo, WinogradTransforms tr) {
        int mt = tr.m(), points = tr.alpha() * tr.alpha();
        int parts = CpuParallel.partsFor(d.work()), c = d.c(), o = d.o();
        int th = (d.ho() + mt - 1) / mt, tw = (d.wo() + mt - 1) / mt, tileRows = d.n() * th;
        SgemmKernel kernel = SgemmKernel.get();
        SgemmPacking.PrepackedA[] a = new SgemmPacking.PrepackedA[points];
        int packed = SgemmPacking.PrepackedA.floats(o, c, kernel);
        float[] pa = CpuScratch.floats(CpuScratch.WINOGRAD_PACKED, points * packed);
        CpuParallel.forRange(points, parts,
                i -> a[i] = new SgemmPacking.PrepackedA(o, c, SgemmPacking.strided(u, i * o * c, c, 1), kernel, pa, i * packed));
        int rowsPerBlock = Math.max(1, Math.min((tileRows + parts - 1) / parts,
                Math.max((MIN_BLOCK_TILES + tw - 1) / tw, BLOCK_FLOATS / (points * Math.max(c, o) * tw))));
        int blocks = (tileRows + rowsPerBlock - 1) / rowsPerBlock;
        boolean gemmParallel = blocks < parts;
        CpuParallel.forRange(blocks, parts, bl -> {
            int r0 = bl * rowsPerBlock, r1 = Math.min(tileRows, r0 + rowsPerBlock), tb = (r1 - r0) * tw;
            float[] v = CpuScratch.floats(CpuScratch.WINOGRAD_INPUT, points * c * tb);
            float[] m = CpuScratch.floats(CpuScratch.WINOGRAD_PRODUCT, points * o * tb);
            blockInput(d, xd, xo, th, tw, r0, r1, v, tr, 1);
            for (int i = 0; i < points; i++)
                Sgemm.gemm(o, tb, c, a[i], SgemmPacking.strided(v, i * c * tb, tb, 1), m, i * o * tb, tb, false, gemmParallel);
            blockOutput(d, m, th, tw, r0, r1, yd, yo, tr);
        });
    }

    /**
     * The transformed kernels {@code U_i[r][s] = (G g G^T)_i}, [points][rows][cols], with g the kernel w[r, s]
     * ({@code w} [rows, cols, 3, 3]) or, when {@code flipped}, the flipped kernel w[s, r] ({@code w} [cols, rows, 3, 3]).
     */
    private static float[] kernelPoints(float[] wd, int wOff, int rows, int cols, boolean flipped, int parts,
                                        WinogradTransforms tr) {
        int al = tr.alpha(), rc = rows * cols;
        float[] u = CpuScratch.floats(CpuScratch.WINOGRAD_KERNEL, al * al * rc);
        CpuParallel.forRange(rows, parts, r -> {
            // row r's kernels as 9 runs of cols taps (g[k][s]), G over each kernel's rows into 3 * alpha runs
            // (a[3i + j]), then G over its columns straight into the alpha^2 runs of U: every kernel in a run is one lane
            float[] st = CpuScratch.floats(CpuScratch.WINOGRAD_STAGE, (9 + 3 * al) * cols);
            int a0 = 9 * cols;
            for (int s = 0; s < cols; s++) {
                int base = wOff + (flipped ? s * rows + r : r * cols + s) * 9;
                for (int k = 0; k < 9; k++) st[k * cols + s] = flipped ? wd[base + 8 - k] : wd[base + k];
            }
            for (int j = 0; j < 3; j++) // G over the rows of g: taps (j, 3 + j, 6 + j) -> a[j], a[3 + j], ...
                tr.kernel(st, j * cols, 3 * cols, st, a0 + j * cols, 3 * cols, cols);
            int q = r * cols;
            for (int i = 0; i < al; i++) // then over the columns: a[3i], a[3i + 1], a[3i + 2] -> points alpha i ..
                tr.kernel(st, a0 + 3 * i * cols, cols, u, al * i * rc + q, rc, cols);
        });
        return u;
    }

    /** Lanes (channels times tiles) per transform call at least: the channels of a block are taken in groups of that many. */
    private static final int GROUP_LANES = 256;

    /** Channels per group for runs of tb tiles: enough for {@link #GROUP_LANES} lanes, at most all c. */
    private static int group(int c, int tb) {
        return Math.max(1, Math.min(c, (GROUP_LANES + tb - 1) / tb));
    }

    /**
     * The transformed input patches of tile rows [r0, r1) (tile row r: image r / th, row r % th), {@code v[i][c][t]}
     * for the block's tiles t = (r - r0) * tw + tx: per group of channels, the alpha^2 patch values of every tile are
     * gathered into alpha^2 runs of a staging buffer (zero outside the map), B^T runs over its rows in place, then
     * over its columns into v; each transform call covers the group's channels times the block's tiles, so the
     * vector loops stay long on small maps and the staging buffer stays in cache.
     */
    private static void blockInput(ImplicitConv.Dims d, float[] xd, int xo, int th, int tw, int r0, int r1, float[] v,
                                   WinogradTransforms tr, int parts) {
        int mt = tr.m(), al = tr.alpha(), c = d.c(), h = d.h(), w = d.w(), ph = d.g().padH(), pw = d.g().padW();
        int tb = (r1 - r0) * tw, ctb = c * tb, cg = group(c, tb);
        // patch column j of tile tx is x[m tx + j - pw]: tiles [lo[j], hi[j]) read inside the row, the rest are 0
        int[] lo = new int[al], hi = new int[al];
        for (int j = 0; j < al; j++) {
            int off = j - pw;
            lo[j] = Math.min(tw, off < 0 ? (-off + mt - 1) / mt : 0);
            hi[j] = Math.min(tw, Math.max(lo[j], Math.floorDiv(w - 1 - off, mt) + 1));
        }
        CpuParallel.forRange((c + cg - 1) / cg, parts, gi -> {
            int c0 = gi * cg, gc = Math.min(cg, c - c0), gl = gc * tb;
            float[] s = CpuScratch.floats(CpuScratch.WINOGRAD_STAGE, al * al * cg * tb);
            for (int ch = c0; ch < c0 + gc; ch++) {
                for (int r = r0; r < r1; r++) {
                    int b = r / th, y0 = mt * (r % th) - ph, t0 = (ch - c0) * tb + (r - r0) * tw, plane = xo + (b * c + ch) * h * w;
                    for (int i = 0; i < al; i++) {
                        int y = y0 + i;
                        if (y < 0 || y >= h) {
                            for (int j = 0; j < al; j++) Arrays.fill(s, (al * i + j) * gl + t0, (al * i + j) * gl + t0 + tw, 0f);
                            continue;
                        }
                        for (int j = 0; j < al; j++) {
                            int q = (al * i + j) * gl + t0, l = lo[j], u = hi[j];
                            if (l > 0) Arrays.fill(s, q, q + l, 0f);
                            for (int tx = l, x = plane + y * w + j - pw + mt * l; tx < u; tx++, x += mt) s[q + tx] = xd[x];
                            if (u < tw) Arrays.fill(s, q + u, q + tw, 0f);
                        }
                    }
                }
            }
            for (int j = 0; j < al; j++) // B^T over the rows of the patches, in place
                tr.input(s, j * gl, al * gl, s, j * gl, al * gl, gl);
            for (int i = 0; i < al; i++) // then over the columns, into point alpha i + j of v
                tr.input(s, al * i * gl, gl, v, al * i * ctb + c0 * tb, ctb, gl);
        });
    }

    /**
     * The transformed output-gradient tiles of tile rows [r0, r1), {@code z[i][o][t] = (A gy A^T)_i} with the m x m
     * tiles of gy (zero beyond its edge): per group of output channels, gathered into m^2 runs of a staging buffer,
     * transformed over their rows into alpha * m runs, then over their columns into z.
     */
    private static void blockGradient(ImplicitConv.Dims d, float[] gd, int go, int th, int tw, int r0, int r1, float[] z,
                                      WinogradTransforms tr, int parts) {
        int mt = tr.m(), al = tr.alpha(), o = d.o(), ho = d.ho(), wo = d.wo(), tb = (r1 - r0) * tw, otb = o * tb;
        int og = group(o, tb), e = mt * mt * og * tb;
        CpuParallel.forRange((o + og - 1) / og, parts, gi -> {
            int o0 = gi * og, gn = Math.min(og, o - o0), gl = gn * tb;
            float[] s = CpuScratch.floats(CpuScratch.WINOGRAD_STAGE, e + al * mt * og * tb);
            for (int oc = o0; oc < o0 + gn; oc++) {
                for (int r = r0; r < r1; r++) {
                    int b = r / th, y0 = mt * (r % th), t0 = (oc - o0) * tb + (r - r0) * tw, plane = go + (b * o + oc) * ho * wo;
                    for (int a = 0; a < mt; a++) {
                        int y = y0 + a, row = plane + y * wo;
                        for (int j = 0; j < mt; j++) {
                            int q = (mt * a + j) * gl + t0, hi = y >= ho ? 0 : Math.min(tw, Math.floorDiv(wo - 1 - j, mt) + 1);
                            for (int tx = 0, x = row + j; tx < hi; tx++, x += mt) s[q + tx] = gd[x];
                            if (hi < tw) Arrays.fill(s, q + hi, q + tw, 0f);
                        }
                    }
                }
            }
            for (int j = 0; j < mt; j++) // A over the rows of the tiles: run (i, j) at e + (m i + j) * gl
                tr.gradient(s, j * gl, mt * gl, s, e + j * gl, mt * gl, gl);
            for (int i = 0; i < al; i++) // then over the columns, into point alpha i + j of z
                tr.gradient(s, e + mt * i * gl, gl, z, al * i * otb + o0 * tb, otb, gl);
        });
    }

    /**
     * The outputs of tile rows [r0, r1) from the block's products {@code m[i][o][t]}: per group of output channels,
     * {@code A^T M A} over the rows of M into alpha * m runs of a staging buffer, then over its columns into m^2 runs,
     * then scattered into y, clipped at the map's edge.
     */
    private static void blockOutput(ImplicitConv.Dims d, float[] m, int th, int tw, int r0, int r1, float[] yd, int yo,
                                    WinogradTransforms tr) {
        int mt = tr.m(), al = tr.alpha(), o = d.o(), ho = d.ho(), wo = d.wo(), tb = (r1 - r0) * tw, otb = o * tb, full = wo / mt;
        int og = group(o, tb), f = al * mt * og * tb;
        float[] s = CpuScratch.floats(CpuScratch.WINOGRAD_STAGE, f + mt * mt * og * tb);
        for (int o0 = 0; o0 < o; o0 += og) {
            int gn = Math.min(og, o - o0), gl = gn * tb;
            for (int j = 0; j < al; j++) // A^T over the rows of M: run (rr, j) at (alpha rr + j) * gl
                tr.output(m, j * otb + o0 * tb, al * otb, s, j * gl, al * gl, gl);
            for (int rr = 0; rr < mt; rr++) // then over the columns: output (rr, a) at f + (m rr + a) * gl
                tr.output(s, al * rr * gl, gl, s, f + mt * rr * gl, gl, gl);
            for (int oc = o0; oc < o0 + gn; oc++) {
                for (int r = r0; r < r1; r++) {
                    int b = r / th, ty = r % th, t0 = f + (oc - o0) * tb + (r - r0) * tw, yb = yo + (b * o + oc) * ho * wo;
                    for (int rr = 0; rr < mt && mt * ty + rr < ho; rr++) {
                        int row = yb + (mt * ty + rr) * wo;
                        for (int a = 0; a < mt; a++) {
                            int q = (mt * rr + a) * gl + t0;
                            for (int tx = 0, x = row + a; tx < full; tx++, x += mt) yd[x] = s[q + tx];
                            if (mt * full + a < wo) yd[row + mt * full + a] = s[q + full]; // the last tile, clipped
                        }
                    }
                }
            }
        }
    }
}

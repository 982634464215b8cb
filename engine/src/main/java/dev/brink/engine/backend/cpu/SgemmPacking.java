package dev.brink.engine.backend.cpu;

/**
 * Packing of GEMM operands into the micro-panel layout the {@link SgemmKernel} reads, straight from the
 * operands' own layouts (so transposed or strided operands are never materialized first).
 *
 * <p>A block of A (rows {@code [i0, i0+mc)}, columns {@code [p0, p0+kc)}) becomes {@code ceil(mc/mr)} panels;
 * panel q holds, for each step p, the {@code mr} values of rows {@code i0 + q*mr ...} at
 * {@code dst[q*mr*kc + p*mr + r]}, rows past the block zero. A block of B (rows {@code [p0, p0+kc)}, columns
 * {@code [j0, j0+nc)}) becomes either {@code ceil(nc/nr)} panels with {@code dst[q*nr*kc + p*nr + j]} (packB
 * returns {@code nr}) or one row-major block {@code dst[p*ldb + j]} with {@code ldb} a multiple of {@code nr}
 * (packB returns {@code ldb}); columns past the block are zero either way.
 */
final class SgemmPacking {
    private SgemmPacking() {}

    /** A source of A blocks. */
    interface APacker {
        void packA(int i0, int mc, int p0, int kc, SgemmKernel k, float[] dst);

        /** The whole operand already packed (read in place by the GEMM), or null. */
        default PrepackedA prepacked() {
            return null;
        }
    }

    /** A source of B blocks; returns the layout written (see the class comment). */
    interface BPacker {
        int packB(int p0, int kc, int j0, int nc, SgemmKernel k, float[] dst);
    }

    /**
     * An m x k A operand packed once for every block the GEMM will ask for (k blocks of {@link Sgemm#KC}, each
     * holding all row panels), so that a weight matrix shared by many GEMMs is packed only once.
     */
    static final class PrepackedA implements APacker {
        /** Elements of A from which its blocks are packed in parallel. */
        private static final long PARALLEL_PACK = 1 << 18;
        final float[] data;
        final int mr;
        private final int mPad, base;
        private final APacker src;

        /** A packed into a new array. */
        PrepackedA(int m, int k, APacker src, SgemmKernel kernel) {
            this(m, k, src, kernel, null, 0);
        }

        /**
         * A packed into {@code buffer} from {@code base} on ({@link #floats} of them; a new array when buffer is
         * null): a caller that packs weights on every call hands a scratch buffer it keeps until the GEMMs are done.
         */
        PrepackedA(int m, int k, APacker src, SgemmKernel kernel, float[] buffer, int base) {
            this.src = src;
            mr = kernel.mr;
            mPad = Sgemm.roundUp(Math.max(m, 1), mr);
            int size = floats(m, k, kernel);
            if (buffer != null && (base < 0 || buffer.length - base < size))
                throw new IllegalArgumentException("prepack buffer of " + buffer.length + " floats has no " + size + " from " + base);
            data = buffer != null ? buffer : new float[size];
            this.base = buffer != null ? base : 0;
            int blocks = (Math.max(k, 0) + Sgemm.KC - 1) / Sgemm.KC;
            // blocks of k in parallel for large weights (VGG's 512x4608): packing is a full strided pass over A;
            // each block is packed into the packing thread's scratch, then copied to its place
            CpuParallel.forRange(blocks, CpuParallel.partsFor((long) mPad * k, PARALLEL_PACK), bl -> {
                int p0 = bl * Sgemm.KC, kc = Math.min(Sgemm.KC, k - p0);
                float[] block = CpuScratch.floats(CpuScratch.PREPACK_STAGE, mPad * kc);
                src.packA(0, m, p0, kc, kernel, block);
                System.arraycopy(block, 0, data, this.base + p0 * mPad, mPad * kc);
            });
        }

        /** Floats the packed m x k operand takes for {@code kernel}. */
        static int floats(int m, int k, SgemmKernel kernel) {
            return Sgemm.roundUp(Math.max(m, 1), kernel.mr) * Math.max(k, 0);
        }

        /** Offset in {@link #data} of the block starting at row i0 (a multiple of mr) and step p0 (a multiple of KC). */
        int offset(int i0, int p0, int kc) {
            return base + p0 * mPad + i0 * kc;
        }

        @Override
        public void packA(int i0, int mc, int p0, int kc, SgemmKernel k, float[] dst) {
            if (k.mr != mr || i0 % mr != 0 || p0 % Sgemm.KC != 0) src.packA(i0, mc, p0, kc, k, dst); // another kernel
            else System.arraycopy(data, offset(i0, p0, kc), dst, 0, Sgemm.roundUp(mc, mr) * kc);
        }

        @Override
        public PrepackedA prepacked() {
            return this;
        }
    }

    /** The matrix whose element (i, j) is {@code data[off + i*rs + j*cs]} (any strides, including 0). */
    static Strided strided(float[] data, int off, int rs, int cs) {
        return new Strided(data, off, rs, cs);
    }

    /**
     * The matrix whose element (i, j) is {@code data[off + i*rs + (j / seg) * segStride + j % seg]}: rows whose
     * columns come in contiguous segments of {@code seg}, e.g. channel o of several NCHW images side by side.
     */
    static Segmented segmented(float[] data, int off, int rs, int seg, int segStride) {
        return new Segmented(data, off, rs, seg, segStride);
    }

    /** A strided matrix; packs with contiguous reads when either stride is 1. */
    static final class Strided implements APacker, BPacker {
        private final float[] d;
        private final int off, rs, cs;

        Strided(float[] d, int off, int rs, int cs) {
            this.d = d;
            this.off = off;
            this.rs = rs;
            this.cs = cs;
        }

        @Override
        public void packA(int i0, int mc, int p0, int kc, SgemmKernel k, float[] dst) {
            float[] d = this.d;
            int mr = k.mr;
            for (int q = 0, i = i0; i < i0 + mc; q++, i += mr) {
                int base = q * mr * kc, rows = Math.min(mr, i0 + mc - i);
                if (cs == 1 && rs != 1 && rows == 8 && mr == 8) {
                    // rows contiguous along k: interleave the panel's rows, eight streams at a time
                    interleave8(d, off + i * rs + p0, rs, kc, dst, base, 8);
                } else if (cs == 1 && rs != 1) {
                    // rows contiguous along k: interleave the panel's rows
                    for (int r = 0; r < rows; r++) {
                        int s = off + (i + r) * rs + p0, t = base + r;
                        for (int p = 0; p < kc; p++) dst[t + p * mr] = d[s + p];
                    }
                } else if (rs == 1 && rows == mr) {
                    k.packPanelA(d, off + p0 * cs + i, cs, dst, base, kc);
                } else if (rs == 1) {
                    // columns contiguous along m: copy runs of mr
                    for (int p = 0; p < kc; p++) {
                        int s = off + (p0 + p) * cs + i, t = base + p * mr;
                        for (int r = 0; r < rows; r++) dst[t + r] = d[s + r];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        int s = off + (p0 + p) * cs + i * rs, t = base + p * mr;
                        for (int r = 0; r < rows; r++) dst[t + r] = d[s + r * rs];
                    }
                }
                zeroRows(dst, base, kc, mr, rows);
            }
        }

        @Override
        public int packB(int p0, int kc, int j0, int nc, SgemmKernel k, float[] dst) {
            float[] d = this.d;
            int nr = k.nr;
            for (int q = 0, j = j0; j < j0 + nc; q++, j += nr) {
                int base = q * nr * kc, cols = Math.min(nr, j0 + nc - j);
                if (cs == 1 && cols == nr) {
                    k.packPanelB(d, off + p0 * rs + j, rs, dst, base, kc);
                } else if (cs == 1) {
                    for (int p = 0; p < kc; p++) {
                        int s = off + (p0 + p) * rs + j, t = base + p * nr;
                        for (int c = 0; c < cols; c++) dst[t + c] = d[s + c];
                    }
                } else if (rs == 1) {
                    // transposed operand: columns contiguous along k. Eight columns at a time, step by step, so that
                    // each step writes eight adjacent floats of a panel row; column by column, every column's pass
                    // stored one float into each of the kc panel rows (the whole 32 KiB panel) and lost it from L1
                    int c = 0;
                    for (; c + 8 <= cols; c += 8) interleave8(d, off + (j + c) * cs + p0, cs, kc, dst, base + c, nr);
                    for (; c < cols; c++) {
                        int s = off + (j + c) * cs + p0;
                        for (int p = 0, t = base + c; p < kc; p++, t += nr) dst[t] = d[s + p];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        int s = off + (p0 + p) * rs + j * cs, t = base + p * nr;
                        for (int c = 0; c < cols; c++) dst[t + c] = d[s + c * cs];
                    }
                }
                zeroRows(dst, base, kc, nr, cols);
            }
            return nr;
        }
    }

    /** A matrix with segmented rows (see {@link #segmented}). */
    static final class Segmented implements APacker, BPacker {
        private final float[] d;
        private final int off, rs, seg, segStride;

        Segmented(float[] d, int off, int rs, int seg, int segStride) {
            this.d = d;
            this.off = off;
            this.rs = rs;
            this.seg = seg;
            this.segStride = segStride;
        }

        private int col(int j) {
            return (j / seg) * segStride + j % seg;
        }

        @Override
        public void packA(int i0, int mc, int p0, int kc, SgemmKernel k, float[] dst) {
            float[] d = this.d;
            int mr = k.mr;
            for (int q = 0, i = i0; i < i0 + mc; q++, i += mr) {
                int base = q * mr * kc, rows = Math.min(mr, i0 + mc - i);
                for (int r = 0; r < rows; r++) {
                    int row = off + (i + r) * rs;
                    // walk k in runs that stay inside one segment
                    for (int p = 0; p < kc; ) {
                        int j = p0 + p, within = j % seg, run = Math.min(kc - p, seg - within);
                        int s = row + (j / seg) * segStride + within, t = base + p * mr + r;
                        for (int u = 0; u < run; u++) dst[t + u * mr] = d[s + u];
                        p += run;
                    }
                }
                zeroRows(dst, base, kc, mr, rows);
            }
        }

        @Override
        public int packB(int p0, int kc, int j0, int nc, SgemmKernel k, float[] dst) {
            float[] d = this.d;
            int nr = k.nr;
            for (int q = 0, j = j0; j < j0 + nc; q++, j += nr) {
                int base = q * nr * kc, cols = Math.min(nr, j0 + nc - j);
                if (cols == nr && j / seg == (j + cols - 1) / seg) {
                    k.packPanelB(d, off + p0 * rs + col(j), rs, dst, base, kc);
                } else if (j / seg == (j + cols - 1) / seg) {
                    int c0 = col(j);
                    for (int p = 0; p < kc; p++) {
                        int s = off + (p0 + p) * rs + c0, t = base + p * nr;
                        for (int c = 0; c < cols; c++) dst[t + c] = d[s + c];
                    }
                } else {
                    for (int c = 0; c < cols; c++) {
                        int s = off + p0 * rs + col(j + c), t = base + c;
                        for (int p = 0; p < kc; p++) dst[t + p * nr] = d[s + p * rs];
                    }
                }
                zeroRows(dst, base, kc, nr, cols);
            }
            return nr;
        }
    }

    /**
     * Eight runs of {@code kc} floats, {@code stride} apart from {@code src} on, interleaved: step p's eight values go
     * to {@code dst[t + p * dstStep .. + 7]}. Step by step, so that each step writes eight adjacent floats.
     */
    private static void interleave8(float[] d, int src, int stride, int kc, float[] dst, int t, int dstStep) {
        int s0 = src, s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride, s4 = s3 + stride, s5 = s4 + stride, s6 = s5 + stride, s7 = s6 + stride;
        for (int p = 0; p < kc; p++, t += dstStep) {
            dst[t] = d[s0 + p];
            dst[t + 1] = d[s1 + p];
            dst[t + 2] = d[s2 + p];
            dst[t + 3] = d[s3 + p];
            dst[t + 4] = d[s4 + p];
            dst[t + 5] = d[s5 + p];
            dst[t + 6] = d[s6 + p];
            dst[t + 7] = d[s7 + p];
        }
    }

    /** Zeroes lanes [valid, width) of every step of a panel. */
    private static void zeroRows(float[] dst, int base, int kc, int width, int valid) {
        if (valid == width) return;
        for (int p = 0; p < kc; p++) {
            int t = base + p * width;
            for (int r = valid; r < width; r++) dst[t + r] = 0f;
        }
    }
}

package dev.brink.engine.backend.cpu;

/**
 * Per-thread scratch arena for the float kernels: a few named float buffers that grow to the largest size asked
 * for and are reused by every later kernel on the same thread, so the hot paths of a training step do not
 * allocate. Contents are undefined on return; a kernel must not hold a buffer across a call that may use the
 * same slot. Buffers larger than {@link #RETAIN_LIMIT} floats are handed out but not kept.
 */
final class CpuScratch {
    /** Packed A block of the GEMM. */
    static final int PACK_A = 0;
    /** Packed B block of the GEMM. */
    static final int PACK_B = 1;
    /** Edge tile of the GEMM. */
    static final int TILE = 2;
    /** im2col matrix or column gradient of a convolution. */
    static final int COLUMNS = 3;
    /** GEMM output of a convolution before it is scattered to NCHW. */
    static final int GEMM_OUT = 4;
    /** Contiguous copy of an operand. */
    static final int OPERAND = 5;
    /** Second contiguous copy of an operand. */
    static final int OPERAND2 = 6;
    /** One row of an im2col matrix. */
    static final int ROW = 7;
    /** Phase planes of strided convolution inputs (or their gradient). */
    static final int PHASES = 8;
    /** Transformed input tiles of a Winograd convolution ({@link WinogradConv}). */
    static final int WINOGRAD_INPUT = 9;
    /** Transformed kernels, or transformed output-gradient tiles, of a Winograd convolution. */
    static final int WINOGRAD_KERNEL = 10;
    /** The per-point products of a Winograd convolution. */
    static final int WINOGRAD_PRODUCT = 11;
    /** Staging rows of one plane in a Winograd transform. */
    static final int WINOGRAD_STAGE = 12;
    /** One k block of a {@link SgemmPacking.PrepackedA} operand while it is packed. */
    static final int PREPACK_STAGE = 13;
    /** The 16 prepacked kernel matrices of a Winograd forward pass or input gradient. */
    static final int WINOGRAD_PACKED = 14;
    /** The partial weight-gradient sums of a Winograd weight gradient's groups of tile blocks. */
    static final int WINOGRAD_PARTIAL = 15;
    /** The flipped, transposed kernel of a lowered stride-1 input gradient while it is prepacked. */
    static final int FLIPPED_KERNEL = 16;
    private static final int SLOTS = 17;

    /** Largest buffer (in floats) kept for reuse: 16 Mi floats, 64 MiB. */
    static final int RETAIN_LIMIT = 1 << 24;

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[SLOTS][]);

    private CpuScratch() {}

    /** A buffer of at least {@code size} floats for {@code slot} on the calling thread (contents undefined). */
    static float[] floats(int slot, int size) {
        float[][] b = BUFFERS.get();
        float[] f = b[slot];
        if (f != null && f.length >= size) return f;
        // Grow geometrically so slowly increasing sizes do not reallocate every time.
        int n = (int) Math.min(Integer.MAX_VALUE - 16, Math.max((long) size, f == null ? 0 : f.length + (long) (f.length >> 1)));
        if (size > RETAIN_LIMIT) return new float[size];
        n = Math.min(n, Math.max(size, RETAIN_LIMIT));
        f = new float[n];
        b[slot] = f;
        return f;
    }
}

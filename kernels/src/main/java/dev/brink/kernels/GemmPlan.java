package dev.brink.kernels;

/**
 * How a row-major strided-batched product {@code C = A B} maps onto column-major BLAS: row-major C (m x n) is
 * column-major {@code C^T} (n x m) {@code = B^T A^T}, so the BLAS call is {@code gemm(opFirst, opSecond, n, m, k,
 * B, ldFirst, A, ldSecond, C, ldc)}. A row-major operand (unit column stride) is its own transpose in column-major
 * terms (no transposition); a column-major one (unit row stride) is passed transposed.
 */
record GemmPlan(boolean transFirst, int ldFirst, boolean transSecond, int ldSecond, int ldc) {
    /** The plan, or null when an operand is neither row- nor column-major or C is not row-major. */
    static GemmPlan of(int m, int n, int k, Blas.Operand a, Blas.Operand b, Blas.Operand c) {
        int[] first = layout(k, n, b.rowStride(), b.colStride());
        int[] second = layout(m, k, a.rowStride(), a.colStride());
        int[] out = layout(m, n, c.rowStride(), c.colStride());
        if (first == null || second == null || out == null || out[0] != 0) return null;
        return new GemmPlan(first[0] != 0, first[1], second[0] != 0, second[1], out[1]);
    }

    /** {transposed (0/1), leading dimension} of a rows x cols operand, or null. Strides of size-1 axes do not matter. */
    private static int[] layout(int rows, int cols, int rowStride, int colStride) {
        if (cols == 1) colStride = 1;
        if (rows == 1) rowStride = Math.max(cols, 1);
        if (colStride == 1 && rowStride >= Math.max(1, cols)) return new int[] {0, rowStride};
        if (rowStride == 1 && colStride >= Math.max(1, rows)) return new int[] {1, colStride};
        return null;
    }
}

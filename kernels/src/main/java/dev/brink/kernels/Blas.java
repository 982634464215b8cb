package dev.brink.kernels;

import dev.brink.engine.DType;

/** Batched matrix products by a vendor library (cuBLAS); {@link CudaMatmul} falls back to the gemm kernel. */
public interface Blas {
    /**
     * One row-major matrix operand of a strided batch: element (i, j) of batch b is at element
     * {@code offset + b * batchStride + i * rowStride + j * colStride} of {@code buffer}.
     */
    record Operand(Device.Buffer buffer, long offset, int rowStride, int colStride, long batchStride) {}

    /**
     * {@code C[b] = A[b] B[b]} ({@code +=} when {@code accumulate}) for {@code b < batch}, A m x k, B k x n, C m x n.
     *
     * @return false when the library cannot take these layouts (the caller then uses another path)
     */
    boolean gemm(DType dtype, int m, int n, int k, int batch, Operand a, Operand b, Operand c, boolean accumulate);

    /** Library name and version, for {@code brink info}. */
    String describe();
}

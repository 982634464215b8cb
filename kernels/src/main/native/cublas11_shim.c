/*
 * libcublas.so.11 for machines that have only cuBLAS 12 or 13: JCublas 11.7.0's native library is linked against
 * cuBLAS 11's versioned symbols, so it cannot load a newer libcublas. This library defines that symbol version and
 * forwards the functions Brink calls (JCublasGemm; signatures unchanged since cuBLAS 11) to the newest libcublas it
 * finds. Without one, they return CUBLAS_STATUS_NOT_INITIALIZED and Brink uses its own gemm kernel. Build with
 * `make cuda-shims`, then put kernels/target/cuda-shims on LD_LIBRARY_PATH.
 */
#include "forward.h"

#define CUBLAS_FUNCTIONS(X)                                                                                    \
    X(cublasCreate_v2) X(cublasDestroy_v2) X(cublasSetStream_v2) X(cublasGetStream_v2) X(cublasGetVersion_v2) \
    X(cublasSetMathMode) X(cublasGetMathMode) X(cublasSetPointerMode_v2) X(cublasGetPointerMode_v2)            \
    X(cublasSgemm_v2) X(cublasDgemm_v2) X(cublasSgemmStridedBatched) X(cublasDgemmStridedBatched)

FORWARD_ALL(CUBLAS_FUNCTIONS, 1)
FORWARD_RESOLVE_ALL(CUBLAS_FUNCTIONS, "libcublas.so.13", "libcublas.so.12")

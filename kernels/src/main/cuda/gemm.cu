// Batched, strided matrix product C = A B (or C += A B): the built-in fallback for Backend.matmul when cuBLAS
// cannot be loaded. 16x16 shared-memory tiles, accumulation in the element type; every operand is addressed through its own
// row/column element strides, and per-batch base offsets come from a Layout over the (broadcast) batch shape.
#include "brink.cuh"

#define TILE 16

struct GemmParams {
    int m, n, k, accumulate;
    int aRow, aCol, bRow, bCol, cRow, cCol;
    /** Batch positions; operands 0 a, 1 b, 2 c (offsets include each tensor's own offset). */
    Layout batch;
};

template <typename T>
BK_DEV void gemm_tiled(const T* X, const T* Y, T* C, const GemmParams& p) {
    typedef typename BkAcc<T>::type A;
    __shared__ A As[TILE][TILE + 1];
    __shared__ A Bs[TILE][TILE + 1];
    int tx = threadIdx.x, ty = threadIdx.y;
    for (int b = blockIdx.z; b < p.batch.n; b += gridDim.z) {
        int off[3];
        bk_offsets<3>(p.batch, b, off);
        for (int r0 = blockIdx.y * TILE; r0 < p.m; r0 += gridDim.y * TILE) {
            for (int c0 = blockIdx.x * TILE; c0 < p.n; c0 += gridDim.x * TILE) {
                int row = r0 + ty, col = c0 + tx;
                A acc = 0;
                for (int k0 = 0; k0 < p.k; k0 += TILE) {
                    As[ty][tx] = row < p.m && k0 + tx < p.k ? (A)X[off[0] + row * p.aRow + (k0 + tx) * p.aCol] : (A)0;
                    Bs[ty][tx] = k0 + ty < p.k && col < p.n ? (A)Y[off[1] + (k0 + ty) * p.bRow + col * p.bCol] : (A)0;
                    __syncthreads();
                    for (int q = 0; q < TILE; q++) acc += As[ty][q] * Bs[q][tx];
                    __syncthreads();
                }
                if (row < p.m && col < p.n) {
                    int o = off[2] + row * p.cRow + col * p.cCol;
                    C[o] = (T)(p.accumulate ? (A)C[o] + acc : acc);
                }
            }
        }
    }
}

// Launch with 16x16 thread blocks.
extern "C" __global__ void gemm_f32(const float* a, const float* b, float* c, GemmParams p) { gemm_tiled<float>(a, b, c, p); }
extern "C" __global__ void gemm_f64(const double* a, const double* b, double* c, GemmParams p) { gemm_tiled<double>(a, b, c, p); }

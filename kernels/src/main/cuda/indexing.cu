// gather and scatterAdd along one axis (Backend.gather, Backend.scatterAdd). The walk is over index's shape; an
// index outside [0, bound) is skipped and reported in err (smallest row-major position wins), which the host
// checks at its next synchronization.
#include "brink.cuh"

#define BK_INDEXING(S, T)                                                                                   \
    /* Layout operands: 0 x (axis stride 0), 1 index, 2 out. */                                              \
    extern "C" __global__ void gather_##S(const T* x, const int* index, T* out, Layout L, int axisStride,   \
                                          int bound, unsigned long long* err) {                              \
        BK_GRID_LOOP(i, L.n) {                                                                               \
            int off[3];                                                                                      \
            bk_offsets<3>(L, i, off);                                                                        \
            int k = index[off[1]];                                                                           \
            if (k < 0 || k >= bound) {                                                                       \
                bk_report(err, i, k);                                                                        \
                continue;                                                                                    \
            }                                                                                                \
            out[off[2]] = x[off[0] + k * axisStride];                                                        \
        }                                                                                                    \
    }                                                                                                        \
    /* Layout operands: 0 src, 1 index, 2 out (axis stride 0). Accumulates with atomicAdd. */                \
    extern "C" __global__ void scatter_add_##S(const T* src, const int* index, T* out, Layout L,              \
                                               int axisStride, int bound, unsigned long long* err) {         \
        BK_GRID_LOOP(i, L.n) {                                                                               \
            int off[3];                                                                                      \
            bk_offsets<3>(L, i, off);                                                                        \
            int k = index[off[1]];                                                                           \
            if (k < 0 || k >= bound) {                                                                       \
                bk_report(err, i, k);                                                                        \
                continue;                                                                                    \
            }                                                                                                \
            atomicAdd(&out[off[2] + k * axisStride], src[off[0]]);                                           \
        }                                                                                                    \
    }
BK_INDEXING(f32, float)
BK_INDEXING(f64, double)
BK_INDEXING(i32, int)

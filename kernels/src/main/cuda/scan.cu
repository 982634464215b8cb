// Inclusive prefix sums along one axis (Backend.cumsum), forward or reverse: one block per line, the line
// processed in chunks of blockDim.x elements with a shared-memory (Hillis-Steele) scan and a running carry, in
// double.
#include "brink.cuh"


template <typename T>
BK_DEV void cumsum_block(const T* x, T* out, const LineLayout& L, int reverse) {
    __shared__ double sh[BK_RBLOCK];
    int t = threadIdx.x, nb = blockDim.x;
    for (int line = blockIdx.x; line < L.lines; line += gridDim.x) {
        int off[2];
        bk_offsets<2>(L.outer, line, off);
        double carry = 0;
        for (int base = 0; base < L.len; base += nb) {
            int j = base + t;
            int pos = reverse ? L.len - 1 - j : j;
            sh[t] = j < L.len ? (double)x[off[0] + pos * L.xStep] : 0.0;
            __syncthreads();
            for (int s = 1; s < nb; s <<= 1) {
                double add = t >= s ? sh[t - s] : 0.0;
                __syncthreads();
                sh[t] += add;
                __syncthreads();
            }
            if (j < L.len) out[off[1] + pos * L.oStep] = bk_from<T>(carry + sh[t]);
            carry += sh[nb - 1];
            __syncthreads();
        }
    }
}

#define BK_CUMSUM(S, T)                                                                             \
    /* One block (power-of-two size <= 256) per line; reverse != 0 gives suffix sums. */             \
    extern "C" __global__ void cumsum_##S(const T* x, T* out, LineLayout L, int reverse) {          \
        cumsum_block<T>(x, out, L, reverse);                                                         \
    }
BK_CUMSUM(f32, float)
BK_CUMSUM(f64, double)
BK_CUMSUM(i32, int)

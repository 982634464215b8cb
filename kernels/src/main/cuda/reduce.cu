// Reductions (Backend.reduce) and arg-reductions (Backend.argReduce). Sums accumulate in double; MAX/MIN
// propagate NaN; argmax/argmin pick the first NaN if there is one, else the first extreme.
#include "brink.cuh"

/**
 * Output positions (kept dimensions: x's stride and out's stride) and reduced positions (x's stride), each
 * walked row-major. The Java side fills it from the keepdim layout.
 */
struct ReduceLayout {
    int nOut, nRed;
    int outRank, redRank;
    int xOffset, oOffset;
    int outSize[BK_MAX_DIMS];
    int outXStride[BK_MAX_DIMS];
    int outOStride[BK_MAX_DIMS];
    int redSize[BK_MAX_DIMS];
    int redXStride[BK_MAX_DIMS];
};

enum { R_SUM, R_MAX, R_MIN };

BK_DEV void out_offsets(const ReduceLayout& L, int o, int* xo, int* oo) {
    int x = L.xOffset, y = L.oOffset;
    for (int d = L.outRank - 1; d >= 0; d--) {
        int c = o % L.outSize[d];
        o /= L.outSize[d];
        x += c * L.outXStride[d];
        y += c * L.outOStride[d];
    }
    *xo = x;
    *oo = y;
}

BK_DEV int red_offset(const ReduceLayout& L, int r) {
    int x = 0;
    for (int d = L.redRank - 1; d >= 0; d--) {
        int c = r % L.redSize[d];
        r /= L.redSize[d];
        x += c * L.redXStride[d];
    }
    return x;
}

BK_DEV double combine(int op, double a, double b) {
    if (op == R_SUM) return a + b;
    if (a != a) return a;
    if (b != b) return b;
    return op == R_MAX ? (b > a ? b : a) : (b < a ? b : a);
}

BK_DEV double identity(int op) {
    return op == R_SUM ? 0.0 : (op == R_MAX ? -1.0 / 0.0 : 1.0 / 0.0);
}

template <typename T>
BK_DEV void reduce_block(int op, const T* x, T* out, const ReduceLayout& L) {
    __shared__ double sh[BK_RBLOCK];
    int t = threadIdx.x;
    for (int o = blockIdx.x; o < L.nOut; o += gridDim.x) {
        int xo, oo;
        out_offsets(L, o, &xo, &oo);
        double acc = identity(op);
        for (int r = t; r < L.nRed; r += blockDim.x) acc = combine(op, acc, (double)x[xo + red_offset(L, r)]);
        sh[t] = acc;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (t < s) sh[t] = combine(op, sh[t], sh[t + s]);
            __syncthreads();
        }
        if (t == 0) out[oo] = bk_from<T>(sh[0]);
        __syncthreads();
    }
}

template <typename T>
BK_DEV void reduce_thread(int op, const T* x, T* out, const ReduceLayout& L) {
    BK_GRID_LOOP(o, L.nOut) {
        int xo, oo;
        out_offsets(L, (int)o, &xo, &oo);
        double acc = identity(op);
        for (int r = 0; r < L.nRed; r++) acc = combine(op, acc, (double)x[xo + red_offset(L, r)]);
        out[oo] = bk_from<T>(acc);
    }
}

/** True when candidate (v, i) beats (bv, bi): a NaN beats numbers, then the extreme, then the lower index. */
BK_DEV bool arg_better(bool isMax, double v, int i, double bv, int bi) {
    if (bi < 0) return i >= 0;
    if (i < 0) return false;
    bool n = v != v, bn = bv != bv;
    if (n || bn) return n && (!bn || i < bi);
    if (v == bv) return i < bi;
    return isMax ? v > bv : v < bv;
}

template <typename T>
BK_DEV void argreduce_block(int isMax, const T* x, int* out, const ReduceLayout& L) {
    __shared__ double sv[BK_RBLOCK];
    __shared__ int si[BK_RBLOCK];
    int t = threadIdx.x;
    for (int o = blockIdx.x; o < L.nOut; o += gridDim.x) {
        int xo, oo;
        out_offsets(L, o, &xo, &oo);
        double bv = 0;
        int bi = -1;
        for (int r = t; r < L.nRed; r += blockDim.x) {
            double v = (double)x[xo + red_offset(L, r)];
            if (arg_better(isMax != 0, v, r, bv, bi)) { bv = v; bi = r; }
        }
        sv[t] = bv;
        si[t] = bi;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (t < s && arg_better(isMax != 0, sv[t + s], si[t + s], sv[t], si[t])) {
                sv[t] = sv[t + s];
                si[t] = si[t + s];
            }
            __syncthreads();
        }
        if (t == 0) out[oo] = si[0] < 0 ? 0 : si[0];
        __syncthreads();
    }
}

#define BK_REDUCE(S, T)                                                                            \
    /* One block (power-of-two size <= 256) per output position; op = ReduceKernel.ordinal(). */    \
    extern "C" __global__ void reduce_block_##S(int op, const T* x, T* out, ReduceLayout L) {      \
        reduce_block<T>(op, x, out, L);                                                             \
    }                                                                                               \
    /* One thread per output position: for short reductions over many outputs. */                  \
    extern "C" __global__ void reduce_thread_##S(int op, const T* x, T* out, ReduceLayout L) {     \
        reduce_thread<T>(op, x, out, L);                                                            \
    }                                                                                               \
    /* One block per output position; the reduced part is one axis (redRank 1). */                  \
    extern "C" __global__ void argreduce_##S(int isMax, const T* x, int* out, ReduceLayout L) {    \
        argreduce_block<T>(isMax, x, out, L);                                                       \
    }
BK_REDUCE(f32, float)
BK_REDUCE(f64, double)
BK_REDUCE(i32, int)

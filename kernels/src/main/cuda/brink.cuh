// Shared definitions of Brink's CUDA kernels: launch-parameter structs (laid out exactly as the Java side packs
// them: ints only, in declaration order), index arithmetic, dtype conversions with Java's semantics, NaN-aware
// comparisons and a shared-memory block reduction. Every helper is static inline or a template, so each .cu
// file compiles on its own with nvcc and, against the emulation header, with g++.
#pragma once

#define BK_DEV static __device__ __forceinline__
#define BK_MAX_DIMS 8
#define BK_MAX_OPS 4
/** Largest block size of the reduction kernels (their static shared arrays have this many slots). */
#define BK_RBLOCK 256

/**
 * A walk over the n positions of a shape (row-major), with per-operand element strides (0 where broadcast) and
 * base offsets. The Java side drops size-1 dimensions and merges dimensions that are contiguous for every operand.
 */
struct Layout {
    int n;
    int rank;
    int size[BK_MAX_DIMS];
    int offset[BK_MAX_OPS];
    int stride[BK_MAX_OPS][BK_MAX_DIMS];
};

/** Lines along one axis (cumsum, argsort): `outer` walks the shape with that axis removed (operands 0 x, 1 out). */
struct LineLayout {
    int lines, len, xStep, oStep;
    Layout outer;
};

/** Offsets of position i for the first NOPS operands. */
template <int NOPS>
BK_DEV void bk_offsets(const Layout& L, long long i, int* off) {
    for (int op = 0; op < NOPS; op++) off[op] = L.offset[op];
    for (int d = L.rank - 1; d >= 0; d--) {
        int s = L.size[d];
        int c = (int)(i % s);
        i /= s;
        for (int op = 0; op < NOPS; op++) off[op] += c * L.stride[op][d];
    }
}

/** Grid-stride loop over [0, n). */
#define BK_GRID_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); \
         i += (long long)blockDim.x * gridDim.x)

// ---------------------------------------------------------------- conversions (Java's casts)

BK_DEV int bk_to_i32(double v) {
    if (v != v) return 0;
    if (v >= 2147483647.0) return 2147483647;
    if (v <= -2147483648.0) return (int)(-2147483647 - 1);
    return (int)v;
}

template <typename T> struct BkConv;
template <> struct BkConv<float> { BK_DEV float from(double v) { return (float)v; } };
template <> struct BkConv<double> { BK_DEV double from(double v) { return v; } };
template <> struct BkConv<int> { BK_DEV int from(double v) { return bk_to_i32(v); } };

/** Accumulator of the product kernels (gemm, conv): float32 accumulates in float32 (as cuBLAS and cuDNN do), float64 in float64. */
template <typename T> struct BkAcc { typedef T type; };

/** double to T: float rounds to nearest, int truncates toward zero, saturates, NaN becomes 0. */
template <typename T>
BK_DEV T bk_from(double v) { return BkConv<T>::from(v); }

// ---------------------------------------------------------------- math overloads (float and double)

BK_DEV bool bk_isnan(double x) { return x != x; }
BK_DEV float bk_exp(float x) { return expf(x); }
BK_DEV double bk_exp(double x) { return exp(x); }
BK_DEV float bk_log(float x) { return logf(x); }
BK_DEV double bk_log(double x) { return log(x); }
BK_DEV float bk_log1p(float x) { return log1pf(x); }
BK_DEV double bk_log1p(double x) { return log1p(x); }
BK_DEV float bk_sqrt(float x) { return sqrtf(x); }
BK_DEV double bk_sqrt(double x) { return sqrt(x); }
BK_DEV float bk_tanh(float x) { return tanhf(x); }
BK_DEV double bk_tanh(double x) { return tanh(x); }
BK_DEV float bk_abs(float x) { return fabsf(x); }
BK_DEV double bk_abs(double x) { return fabs(x); }

/** max/min that propagate NaN (Java's Math.max/min up to the sign of zero). */
template <typename T>
BK_DEV T bk_max(T a, T b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
template <typename T>
BK_DEV T bk_min(T a, T b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }

/** sign with sign(0) = 0 and sign(NaN) = NaN. */
template <typename T>
BK_DEV T bk_sign(T a) { return a > 0 ? (T)1 : (a < 0 ? (T)-1 : (a == 0 ? (T)0 : a)); }

/** x clipped to [lo, hi] as Tensor.clamp does: min(max(x, lo), hi), NaN propagating. */
template <typename T>
BK_DEV T bk_clamp(T x, T lo, T hi) { return bk_min(bk_max(x, lo), hi); }

// ---------------------------------------------------------------- block reduction

/**
 * Sum of v over the block (blockDim.x a power of two, at most BK_RBLOCK). Every thread of the block must call it;
 * every thread gets the result.
 */
BK_DEV double bk_block_sum(double v, double* sh) {
    int t = threadIdx.x;
    sh[t] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) sh[t] += sh[t + s];
        __syncthreads();
    }
    double r = sh[0];
    __syncthreads();
    return r;
}

/** NaN-propagating maximum of v over the block (same calling rules as bk_block_sum). */
BK_DEV double bk_block_max(double v, double* sh) {
    int t = threadIdx.x;
    sh[t] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) sh[t] = bk_max(sh[t], sh[t + s]);
        __syncthreads();
    }
    double r = sh[0];
    __syncthreads();
    return r;
}

/** Error slot of the indexing kernels: keeps the smallest (row-major position, bad value) seen. */
BK_DEV void bk_report(unsigned long long* err, long long position, int value) {
    unsigned long long packed = ((unsigned long long)position << 32) | (unsigned long long)(unsigned int)value;
    atomicMin(err, packed);
}

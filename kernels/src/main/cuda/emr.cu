// Per-class Jacobian-row work of effective margin regularization (seed 004): the K one-hot backward seeds for a
// batch replicated K times (one backward pass then yields all K input-gradient rows), the squared L2 norm of each
// row, and the squared norms of the row differences w_y - w_j that EMR's effective margins divide by.
#include "brink.cuh"

/** out [K * B, K]: row c * B + i is the one-hot vector of class c (the seed of replica block c). */
template <typename T>
BK_DEV void emr_seeds(T* out, int k, int b) {
    BK_GRID_LOOP(e, (long long)k * b * k) {
        int j = (int)(e % k);
        int c = (int)(e / k / b);
        out[e] = j == c ? (T)1 : (T)0;
    }
}

/** out [R] = sum_d x[r, d]^2 for contiguous x [R, D]; one block per row, in double. */
template <typename T>
BK_DEV void row_sqnorm(const T* x, T* out, int rows, int cols) {
    __shared__ double sh[BK_RBLOCK];
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* row = x + (long long)r * cols;
        double acc = 0;
        for (int d = threadIdx.x; d < cols; d += blockDim.x) acc += (double)row[d] * (double)row[d];
        acc = bk_block_sum(acc, sh);
        if (threadIdx.x == 0) out[r] = (T)acc;
    }
}

/**
 * out [B, K] = ||J[y_i, i, :] - J[j, i, :]||^2 for Jacobian rows J [K, B, D] (replica block c holds the gradients
 * of logit c) and labels y [B]; one block per (i, j). A label outside [0, K) gives NaN and is reported in err.
 */
template <typename T>
BK_DEV void pair_sqnorm(const T* jac, const int* labels, T* out, int k, int b, int d, unsigned long long* err) {
    __shared__ double sh[BK_RBLOCK];
    for (int e = blockIdx.x; e < b * k; e += gridDim.x) {
        int i = e / k, j = e % k;
        int y = labels[i];
        bool bad = y < 0 || y >= k;
        double acc = 0;
        if (!bad) {
            const T* wy = jac + ((long long)y * b + i) * d;
            const T* wj = jac + ((long long)j * b + i) * d;
            for (int q = threadIdx.x; q < d; q += blockDim.x) {
                double v = (double)wy[q] - (double)wj[q];
                acc += v * v;
            }
        }
        acc = bk_block_sum(acc, sh);
        if (threadIdx.x == 0) {
            if (bad) bk_report(err, i, y);
            out[e] = bad ? (T)(0.0 / 0.0) : (T)acc;
        }
    }
}

#define BK_EMR(S, T)                                                                                          \
    extern "C" __global__ void emr_seeds_##S(T* out, int k, int b) { emr_seeds<T>(out, k, b); }             \
    extern "C" __global__ void row_sqnorm_##S(const T* x, T* out, int rows, int cols) {                     \
        row_sqnorm<T>(x, out, rows, cols);                                                                   \
    }                                                                                                        \
    extern "C" __global__ void emr_pair_sqnorm_##S(const T* jac, const int* labels, T* out, int k, int b,   \
                                                   int d, unsigned long long* err) {                         \
        pair_sqnorm<T>(jac, labels, out, k, b, d, err);                                                      \
    }
BK_EMR(f32, float)
BK_EMR(f64, double)

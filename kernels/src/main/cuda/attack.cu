// Attack-step kernels (CudaBackend.signStep, l2Step, projectLinf, projectL2, projectL1: the CUDA backend's
// overrides of the engine's Backend methods behind F.signStep, F.l2Step, F.projectLinf/L2/L1, which the attacks
// call) over contiguous batches [N, M] (M = features per sample). Per-sample kernels run one block (power-of-two
// size <= 256) per sample and compute in double. The CPU backend's CpuAttackSteps follows them step for step.
#include "brink.cuh"

/** out = x + alpha * sign(g), in T (as x.add(g.sign().mul(alpha)) computes it). */
template <typename T>
BK_DEV void sign_step(const T* x, const T* g, T* out, int total, double alpha) {
    T a = (T)alpha;
    BK_GRID_LOOP(i, total) out[i] = x[i] + a * bk_sign(g[i]);
}

/** out = x + alpha * g / max(||g||_2, 1e-12) per sample. */
template <typename T>
BK_DEV void l2_step(const T* x, const T* g, T* out, int n, int m, double alpha) {
    __shared__ double sh[BK_RBLOCK];
    for (int s = blockIdx.x; s < n; s += gridDim.x) {
        const T* gs = g + (long long)s * m;
        double acc = 0;
        for (int i = threadIdx.x; i < m; i += blockDim.x) acc += (double)gs[i] * (double)gs[i];
        double norm = sqrt(bk_block_sum(acc, sh));
        double scale = alpha / (norm > 1e-12 ? norm : 1e-12);
        for (int i = threadIdx.x; i < m; i += blockDim.x) {
            long long e = (long long)s * m + i;
            out[e] = (T)((double)x[e] + scale * (double)g[e]);
        }
    }
}

/** out = clamp(x, max(x0 - eps, lo), min(x0 + eps, hi)): the exact projection onto L-inf ball and box. */
template <typename T>
BK_DEV void project_linf(const T* x, const T* x0, T* out, int total, double eps, double lo, double hi) {
    BK_GRID_LOOP(i, total) {
        double c = (double)x0[i];
        out[i] = (T)bk_clamp((double)x[i], bk_max(c - eps, lo), bk_min(c + eps, hi));
    }
}

/** d = x - x0 scaled by min(1, eps / ||d||_2) per sample, then x0 + d clipped to [lo, hi]. */
template <typename T>
BK_DEV void project_l2(const T* x, const T* x0, T* out, int n, int m, double eps, double lo, double hi) {
    __shared__ double sh[BK_RBLOCK];
    for (int s = blockIdx.x; s < n; s += gridDim.x) {
        long long b = (long long)s * m;
        double acc = 0;
        for (int i = threadIdx.x; i < m; i += blockDim.x) {
            double d = (double)x[b + i] - (double)x0[b + i];
            acc += d * d;
        }
        double norm = sqrt(bk_block_sum(acc, sh));
        double f = norm > eps ? eps / (norm > 1e-12 ? norm : 1e-12) : 1.0;
        for (int i = threadIdx.x; i < m; i += blockDim.x) {
            double c = (double)x0[b + i];
            out[b + i] = (T)bk_clamp(c + ((double)x[b + i] - c) * f, lo, hi);
        }
    }
}

/**
 * Euclidean projection of d = x - x0 onto the L1 ball of radius eps per sample (soft-thresholding at theta, the
 * same theta as Duchi et al.'s sort-based rule), then x0 + d clipped to [lo, hi]. theta comes from Michelot's
 * iteration theta <- (sum of |d_i| over |d_i| > theta - eps) / count, which starts below the answer, rises
 * monotonically and stops exactly when the active set no longer changes (at most m rounds, a few in practice).
 */
template <typename T>
BK_DEV void project_l1(const T* x, const T* x0, T* out, int n, int m, double eps, double lo, double hi) {
    __shared__ double sh[BK_RBLOCK];
    for (int s = blockIdx.x; s < n; s += gridDim.x) {
        long long b = (long long)s * m;
        double acc = 0;
        for (int i = threadIdx.x; i < m; i += blockDim.x) acc += bk_abs((double)x[b + i] - (double)x0[b + i]);
        double total = bk_block_sum(acc, sh);
        double theta = 0;
        if (total > eps) {
            theta = (total - eps) / m;
            double count = m;
            for (int round = 0; round <= m; round++) {
                double sum = 0, cnt = 0;
                for (int i = threadIdx.x; i < m; i += blockDim.x) {
                    double a = bk_abs((double)x[b + i] - (double)x0[b + i]);
                    if (a > theta) { sum += a; cnt += 1; }
                }
                sum = bk_block_sum(sum, sh);
                cnt = bk_block_sum(cnt, sh);
                if (cnt == count || cnt == 0) break;
                count = cnt;
                theta = (sum - eps) / cnt;
            }
            if (theta < 0) theta = 0;
        }
        for (int i = threadIdx.x; i < m; i += blockDim.x) {
            double c = (double)x0[b + i], d = (double)x[b + i] - c;
            double a = bk_abs(d) - theta;
            double shrunk = a > 0 ? (d > 0 ? a : -a) : 0.0;
            out[b + i] = (T)bk_clamp(c + shrunk, lo, hi);
        }
    }
}

#define BK_ATTACK(S, T)                                                                                        \
    extern "C" __global__ void sign_step_##S(const T* x, const T* g, T* out, int total, double alpha) {       \
        sign_step<T>(x, g, out, total, alpha);                                                                 \
    }                                                                                                          \
    extern "C" __global__ void l2_step_##S(const T* x, const T* g, T* out, int n, int m, double alpha) {      \
        l2_step<T>(x, g, out, n, m, alpha);                                                                    \
    }                                                                                                          \
    extern "C" __global__ void project_linf_##S(const T* x, const T* x0, T* out, int total, double eps,       \
                                                double lo, double hi) {                                        \
        project_linf<T>(x, x0, out, total, eps, lo, hi);                                                       \
    }                                                                                                          \
    extern "C" __global__ void project_l2_##S(const T* x, const T* x0, T* out, int n, int m, double eps,      \
                                              double lo, double hi) {                                          \
        project_l2<T>(x, x0, out, n, m, eps, lo, hi);                                                          \
    }                                                                                                          \
    extern "C" __global__ void project_l1_##S(const T* x, const T* x0, T* out, int n, int m, double eps,      \
                                              double lo, double hi) {                                          \
        project_l1<T>(x, x0, out, n, m, eps, lo, hi);                                                          \
    }
BK_ATTACK(f32, float)
BK_ATTACK(f64, double)

// Cross-entropy with label smoothing, forward, per sample (CudaBackend.crossEntropy): logits [N, K], int32
// labels [N], out [N] = (1 - s) * (lse - z_y) + s * (lse - mean_k z_k), with lse the log-sum-exp of the row
// (Loss.crossEntropy with Reduction.NONE). One block per sample, in double. A label outside [0, K) gives NaN and
// is reported in err.
#include "brink.cuh"

template <typename T>
BK_DEV void cross_entropy(const T* z, const int* labels, T* out, int n, int k, double smoothing,
                          unsigned long long* err) {
    __shared__ double sh[BK_RBLOCK];
    for (int s = blockIdx.x; s < n; s += gridDim.x) {
        const T* row = z + (long long)s * k;
        double mx = -1.0 / 0.0, sum = 0;
        for (int j = threadIdx.x; j < k; j += blockDim.x) {
            mx = bk_max(mx, (double)row[j]);
            sum += (double)row[j];
        }
        mx = bk_block_max(mx, sh);
        sum = bk_block_sum(sum, sh);
        double se = 0;
        for (int j = threadIdx.x; j < k; j += blockDim.x) se += exp((double)row[j] - mx);
        se = bk_block_sum(se, sh);
        if (threadIdx.x == 0) {
            int y = labels[s];
            double loss;
            if (y < 0 || y >= k) {
                bk_report(err, s, y);
                loss = 0.0 / 0.0;
            } else {
                double lse = mx + log(se);
                double nll = lse - (double)row[y];
                loss = smoothing == 0 ? nll : (1 - smoothing) * nll + smoothing * (lse - sum / k);
            }
            out[s] = (T)loss;
        }
    }
}

extern "C" __global__ void cross_entropy_f32(const float* z, const int* labels, float* out, int n, int k,
                                             double smoothing, unsigned long long* err) {
    cross_entropy<float>(z, labels, out, n, k, smoothing, err);
}
extern "C" __global__ void cross_entropy_f64(const double* z, const int* labels, double* out, int n, int k,
                                             double smoothing, unsigned long long* err) {
    cross_entropy<double>(z, labels, out, n, k, smoothing, err);
}

// Max-pooling switches (Backend.maxPool2dIndices): one thread per output position. The flat index h * W + w of
// the window's maximum within its (n, c) plane; padding never wins; ties go to the first position in row-major
// window order; the first NaN wins; a window entirely in the padding gets -1.
#include "brink.cuh"

struct PoolParams {
    int n, c, h, w, ho, wo;
    int kh, kw, sh, sw, ph, pw, dh, dw;
    int xOffset, xs0, xs1, xs2, xs3;
    int oOffset, os0, os1, os2, os3;
};

template <typename T>
BK_DEV void maxpool_indices(const T* x, int* out, const PoolParams& p) {
    long long total = (long long)p.n * p.c * p.ho * p.wo;
    BK_GRID_LOOP(e, total) {
        int ox = (int)(e % p.wo);
        long long r = e / p.wo;
        int oy = (int)(r % p.ho);
        r /= p.ho;
        int ci = (int)(r % p.c);
        int ni = (int)(r / p.c);
        const T* plane = x + p.xOffset + ni * p.xs0 + ci * p.xs1;
        int best = -1;
        T bestV = 0;
        for (int i = 0; i < p.kh && !(best >= 0 && bestV != bestV); i++) {
            int iy = oy * p.sh - p.ph + i * p.dh;
            if (iy < 0 || iy >= p.h) continue;
            for (int j = 0; j < p.kw; j++) {
                int ix = ox * p.sw - p.pw + j * p.dw;
                if (ix < 0 || ix >= p.w) continue;
                T v = plane[iy * p.xs2 + ix * p.xs3];
                if (v != v) {
                    best = iy * p.w + ix;
                    bestV = v;
                    break;
                }
                if (best < 0 || v > bestV) {
                    best = iy * p.w + ix;
                    bestV = v;
                }
            }
        }
        out[p.oOffset + ni * p.os0 + ci * p.os1 + oy * p.os2 + ox * p.os3] = best;
    }
}

extern "C" __global__ void maxpool2d_indices_f32(const float* x, int* out, PoolParams p) { maxpool_indices<float>(x, out, p); }
extern "C" __global__ void maxpool2d_indices_f64(const double* x, int* out, PoolParams p) { maxpool_indices<double>(x, out, p); }

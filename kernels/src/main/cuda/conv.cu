// Direct 2-D convolution kernels: the built-in fallback for Backend.conv2d / conv2dInputGrad / conv2dWeightGrad
// when cuDNN cannot be loaded. Cross-correlation over NCHW input x, OIHW weight w and NCHW output y, each
// addressed through its own strides; grouped and dilated; deterministic (no atomics). Forward and input gradient
// accumulate in the element type; the weight gradient (a long reduction) in double.
#include "brink.cuh"

struct ConvParams {
    int n, c, h, w, o, kh, kw, ho, wo, groups;
    int sh, sw, ph, pw, dh, dw;
    int xOffset, xs0, xs1, xs2, xs3;
    int wOffset, ws0, ws1, ws2, ws3;
    int yOffset, ys0, ys1, ys2, ys3;
};

/** y = conv(x, w): one thread per output element. */
template <typename T>
BK_DEV void conv_fwd(const T* x, const T* w, T* y, const ConvParams& p) {
    int cg = p.c / p.groups, og = p.o / p.groups;
    BK_GRID_LOOP(e, (long long)p.n * p.o * p.ho * p.wo) {
        int ox = (int)(e % p.wo);
        long long r = e / p.wo;
        int oy = (int)(r % p.ho);
        r /= p.ho;
        int oc = (int)(r % p.o);
        int ni = (int)(r / p.o);
        int c0 = (oc / og) * cg;
        typename BkAcc<T>::type acc = 0;
        for (int ci = 0; ci < cg; ci++) {
            for (int i = 0; i < p.kh; i++) {
                int iy = oy * p.sh - p.ph + i * p.dh;
                if (iy < 0 || iy >= p.h) continue;
                for (int j = 0; j < p.kw; j++) {
                    int ix = ox * p.sw - p.pw + j * p.dw;
                    if (ix < 0 || ix >= p.w) continue;
                    acc += x[p.xOffset + ni * p.xs0 + (c0 + ci) * p.xs1 + iy * p.xs2 + ix * p.xs3]
                         * w[p.wOffset + oc * p.ws0 + ci * p.ws1 + i * p.ws2 + j * p.ws3];
                }
            }
        }
        y[p.yOffset + ni * p.ys0 + oc * p.ys1 + oy * p.ys2 + ox * p.ys3] = (T)acc;
    }
}

/** dx = conv^T(gy, w) (x's roles: dx): one thread per input element, gathering the outputs it touched. */
template <typename T>
BK_DEV void conv_bwd_data(const T* gy, const T* w, T* dx, const ConvParams& p) {
    int cg = p.c / p.groups, og = p.o / p.groups;
    BK_GRID_LOOP(e, (long long)p.n * p.c * p.h * p.w) {
        int ix = (int)(e % p.w);
        long long r = e / p.w;
        int iy = (int)(r % p.h);
        r /= p.h;
        int c = (int)(r % p.c);
        int ni = (int)(r / p.c);
        int g = c / cg, ci = c % cg;
        typename BkAcc<T>::type acc = 0;
        for (int i = 0; i < p.kh; i++) {
            int ty = iy + p.ph - i * p.dh;
            if (ty < 0 || ty % p.sh != 0) continue;
            int oy = ty / p.sh;
            if (oy >= p.ho) continue;
            for (int j = 0; j < p.kw; j++) {
                int tx = ix + p.pw - j * p.dw;
                if (tx < 0 || tx % p.sw != 0) continue;
                int ox = tx / p.sw;
                if (ox >= p.wo) continue;
                for (int oc = g * og; oc < (g + 1) * og; oc++)
                    acc += gy[p.yOffset + ni * p.ys0 + oc * p.ys1 + oy * p.ys2 + ox * p.ys3]
                         * w[p.wOffset + oc * p.ws0 + ci * p.ws1 + i * p.ws2 + j * p.ws3];
            }
        }
        dx[p.xOffset + ni * p.xs0 + c * p.xs1 + iy * p.xs2 + ix * p.xs3] = (T)acc;
    }
}

/** dw = sum over images and output positions of gy * x (w's roles: dw): one block per weight element. */
template <typename T>
BK_DEV void conv_bwd_filter(const T* x, const T* gy, T* dw, const ConvParams& p) {
    __shared__ double sh[BK_RBLOCK];
    int cg = p.c / p.groups, og = p.o / p.groups;
    int nw = p.o * cg * p.kh * p.kw;
    int per = p.ho * p.wo, total = p.n * per;
    for (int e = blockIdx.x; e < nw; e += gridDim.x) {
        int j = e % p.kw, r = e / p.kw;
        int i = r % p.kh;
        r /= p.kh;
        int ci = r % cg, oc = r / cg;
        int c = (oc / og) * cg + ci;
        double acc = 0;
        for (int q = threadIdx.x; q < total; q += blockDim.x) {
            int ni = q / per, pq = q % per, oy = pq / p.wo, ox = pq % p.wo;
            int iy = oy * p.sh - p.ph + i * p.dh, ix = ox * p.sw - p.pw + j * p.dw;
            if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
            acc += (double)gy[p.yOffset + ni * p.ys0 + oc * p.ys1 + oy * p.ys2 + ox * p.ys3]
                 * (double)x[p.xOffset + ni * p.xs0 + c * p.xs1 + iy * p.xs2 + ix * p.xs3];
        }
        double s = bk_block_sum(acc, sh);
        if (threadIdx.x == 0) dw[p.wOffset + oc * p.ws0 + ci * p.ws1 + i * p.ws2 + j * p.ws3] = (T)s;
    }
}

#define BK_CONV(S, T)                                                                                          \
    extern "C" __global__ void conv2d_fwd_##S(const T* x, const T* w, T* y, ConvParams p) { conv_fwd<T>(x, w, y, p); } \
    extern "C" __global__ void conv2d_bwd_data_##S(const T* gy, const T* w, T* dx, ConvParams p) {            \
        conv_bwd_data<T>(gy, w, dx, p);                                                                        \
    }                                                                                                          \
    /* One block (power-of-two size <= 256) per weight element. */                                             \
    extern "C" __global__ void conv2d_bwd_filter_##S(const T* x, const T* gy, T* dw, ConvParams p) {          \
        conv_bwd_filter<T>(x, gy, dw, p);                                                                      \
    }
BK_CONV(f32, float)
BK_CONV(f64, double)

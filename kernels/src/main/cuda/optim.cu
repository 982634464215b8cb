// Fused optimizer updates (Backend.optimizerStep, dev.brink.engine.backend.OptimizerKernel): one pass over a
// contiguous parameter, its gradient and its state, with the composed update's operations in the same order, in
// place of the ten or so elementwise kernels (and fresh tensors) of the composed update.
#include "brink.cuh"

/** SGD with momentum, dampening, Nesterov and L2 weight decay (OptimizerKernel.SGD); buf unused without momentum. */
template <typename T>
BK_DEV void sgd_step(T* p, const T* g, T* buf, int n, double lr, double momentum, double dampening, int nesterov,
                     double wd, int first) {
    T neg_lr = (T)-lr, mom = (T)momentum, damp = (T)(1 - dampening), w = (T)wd;
    BK_GRID_LOOP(i, n) {
        T d = g[i];
        if (wd != 0) d = d + p[i] * w;
        if (momentum != 0) {
            T b = first ? d : buf[i] * mom + d * damp;
            buf[i] = b;
            d = nesterov ? d + b * mom : b;
        }
        p[i] = p[i] + d * neg_lr;
    }
}

/** Adam / AdamW (OptimizerKernel.ADAM); bc1 = 1 - beta1^t, bc2 = 1 - beta2^t. */
template <typename T>
BK_DEV void adam_step(T* p, const T* g, T* m, T* v, int n, double lr, double beta1, double beta2, double eps,
                      double wd, int adamw, double bc1, double bc2) {
    T b1 = (T)beta1, c1 = (T)(1 - beta1), b2 = (T)beta2, c2 = (T)(1 - beta2), e = (T)eps;
    T shrink = (T)(1 - lr * wd), l2 = (T)wd, neg_step = (T)(-lr / bc1), root2 = (T)sqrt(bc2);
    bool decay = !adamw && wd != 0;
    BK_GRID_LOOP(i, n) {
        T pi = p[i], gi = g[i];
        T base = adamw ? pi * shrink : pi;
        if (decay) gi = gi + pi * l2;
        T mi = m[i] * b1 + gi * c1;
        T vi = v[i] * b2 + gi * c2 * gi;
        m[i] = mi;
        v[i] = vi;
        T denom = bk_sqrt(vi) / root2 + e;
        p[i] = base + mi * neg_step / denom;
    }
}

#define BK_OPTIM(S, T)                                                                                          \
    extern "C" __global__ void sgd_step_##S(T* p, const T* g, T* buf, int n, double lr, double momentum,        \
                                            double dampening, int nesterov, double wd, int first) {             \
        sgd_step<T>(p, g, buf, n, lr, momentum, dampening, nesterov, wd, first);                                \
    }                                                                                                           \
    extern "C" __global__ void adam_step_##S(T* p, const T* g, T* m, T* v, int n, double lr, double beta1,      \
                                             double beta2, double eps, double wd, int adamw, double bc1,        \
                                             double bc2) {                                                      \
        adam_step<T>(p, g, m, v, n, lr, beta1, beta2, eps, wd, adamw, bc1, bc2);                                \
    }
BK_OPTIM(f32, float)
BK_OPTIM(f64, double)

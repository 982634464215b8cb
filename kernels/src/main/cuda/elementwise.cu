// Elementwise kernels over strided, broadcast operands (Backend.fill, copy, unary, binary, where).
// Every kernel walks a Layout with a grid-stride loop; operand order in the Layout is documented per kernel.
#include "brink.cuh"

// Unary op codes: UnaryKernel.ordinal().
enum { U_NEG, U_ABS, U_SIGN, U_EXP, U_LOG, U_SQRT, U_RECIPROCAL, U_SQUARE, U_RELU, U_LEAKY_RELU, U_SIGMOID, U_TANH,
       U_SOFTPLUS, U_POW_SCALAR };
// Binary op codes: BinaryKernel.ordinal().
enum { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_MASK_POSITIVE };

template <typename T>
BK_DEV T sigmoid(T x) {
    if (x >= 0) return (T)1 / ((T)1 + bk_exp(-x));
    T e = bk_exp(x);
    return e / ((T)1 + e);
}

template <typename T>
BK_DEV T softplus(T x) {
    if (x > 20) return x;
    return bk_max(x, (T)0) + bk_log1p(bk_exp(-bk_abs(x)));
}

/** Java's Math.pow where it differs from C's pow: a NaN exponent, and |a| == 1 with an infinite exponent. */
BK_DEV double java_pow(double a, double b) {
    if (b != b) return b;
    if (fabs(a) == 1.0 && fabs(b) == 1.0 / 0.0) return 0.0 / 0.0;
    return pow(a, b);
}

/**
 * a^b for int32 tensors: exact repeated squaring for small non-negative integer exponents, since the device's pow
 * may land an ulp below an integer and the conversion to int would truncate that to the next integer down.
 */
BK_DEV double int_pow(double a, double b) {
    if (b < 0 || b > 64 || b != floor(b)) return java_pow(a, b);
    double r = 1, base = a;
    for (long long e = (long long)b; e > 0; e >>= 1) {
        if (e & 1) r *= base;
        base *= base;
    }
    return r;
}

template <typename T> struct BkIsInt { static const bool value = false; };
template <> struct BkIsInt<int> { static const bool value = true; };

template <typename T>
BK_DEV T unary_op(int op, double alpha, T a) {
    switch (op) {
        case U_NEG: return -a;
        case U_ABS: return bk_abs(a);
        case U_SIGN: return bk_sign(a);
        case U_EXP: return bk_exp(a);
        case U_LOG: return bk_log(a);
        case U_SQRT: return bk_sqrt(a);
        case U_RECIPROCAL: return (T)1 / a;
        case U_SQUARE: return a * a;
        case U_RELU: return a > 0 ? a : (a != a ? a : (T)0);
        case U_LEAKY_RELU: return a > 0 ? a : (T)(alpha * (double)a);
        case U_SIGMOID: return sigmoid(a);
        case U_TANH: return bk_tanh(a);
        case U_SOFTPLUS: return softplus(a);
        case U_POW_SCALAR: return (T)java_pow((double)a, alpha);
        default: return (T)(0.0 / 0.0);
    }
}

/** Binary ops in the compute type C (the storage type for floats, double for int32), stored as T. */
template <typename C>
BK_DEV C binary_op(int op, C a, C b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_POW: return (C)java_pow((double)a, (double)b);
        case B_MAX: return bk_max(a, b);
        case B_MIN: return bk_min(a, b);
        case B_EQ: return a == b ? 1 : 0;
        case B_NE: return a != b ? 1 : 0;
        case B_LT: return a < b ? 1 : 0;
        case B_LE: return a <= b ? 1 : 0;
        case B_GT: return a > b ? 1 : 0;
        case B_GE: return a >= b ? 1 : 0;
        case B_MASK_POSITIVE: return b > 0 ? a : 0;
        default: return (C)(0.0 / 0.0);
    }
}

template <typename T> struct Compute { typedef T type; };
template <> struct Compute<int> { typedef double type; };

#define BK_FILL(S, T)                                                              \
    /* Layout operand 0: out. */                                                    \
    extern "C" __global__ void fill_##S(T* out, Layout L, double value) {          \
        T v = bk_from<T>(value);                                                    \
        BK_GRID_LOOP(i, L.n) {                                                      \
            int off[1];                                                             \
            bk_offsets<1>(L, i, off);                                               \
            out[off[0]] = v;                                                        \
        }                                                                           \
    }
BK_FILL(f32, float)
BK_FILL(f64, double)
BK_FILL(i32, int)

#define BK_COPY(SS, ST, DS, DT)                                                          \
    /* Layout operands: 0 src, 1 dst. Converts through double (Java's casts). */        \
    extern "C" __global__ void copy_##SS##_##DS(const ST* src, DT* dst, Layout L) {      \
        BK_GRID_LOOP(i, L.n) {                                                            \
            int off[2];                                                                   \
            bk_offsets<2>(L, i, off);                                                     \
            dst[off[1]] = bk_from<DT>((double)src[off[0]]);                               \
        }                                                                                 \
    }
#define BK_COPY_FROM(SS, ST) \
    BK_COPY(SS, ST, f32, float) BK_COPY(SS, ST, f64, double) BK_COPY(SS, ST, i32, int)
BK_COPY_FROM(f32, float)
BK_COPY_FROM(f64, double)
BK_COPY_FROM(i32, int)

#define BK_UNARY(S, T)                                                                         \
    /* Layout operands: 0 x, 1 out. op = UnaryKernel.ordinal(). */                              \
    extern "C" __global__ void unary_##S(int op, double alpha, const T* x, T* out, Layout L) { \
        BK_GRID_LOOP(i, L.n) {                                                                  \
            int off[2];                                                                         \
            bk_offsets<2>(L, i, off);                                                           \
            out[off[1]] = unary_op<T>(op, alpha, x[off[0]]);                                    \
        }                                                                                       \
    }
BK_UNARY(f32, float)
BK_UNARY(f64, double)

#define BK_BINARY(S, T)                                                                       \
    /* Layout operands: 0 a, 1 b, 2 out. op = BinaryKernel.ordinal(). */                       \
    extern "C" __global__ void binary_##S(int op, const T* a, const T* b, T* out, Layout L) { \
        typedef Compute<T>::type C;                                                            \
        BK_GRID_LOOP(i, L.n) {                                                                 \
            int off[3];                                                                        \
            bk_offsets<3>(L, i, off);                                                          \
            out[off[2]] = bk_from<T>(BkIsInt<T>::value && op == B_POW                          \
                    ? int_pow((double)a[off[0]], (double)b[off[1]])                               \
                    : (double)binary_op<C>(op, (C)a[off[0]], (C)b[off[1]]));                      \
        }                                                                                      \
    }
BK_BINARY(f32, float)
BK_BINARY(f64, double)
BK_BINARY(i32, int)

#define BK_WHERE(S, T)                                                                            \
    /* Layout operands: 0 cond, 1 a, 2 b, 3 out. */                                                \
    extern "C" __global__ void where_##S(const T* cond, const T* a, const T* b, T* out, Layout L) { \
        BK_GRID_LOOP(i, L.n) {                                                                     \
            int off[4];                                                                            \
            bk_offsets<4>(L, i, off);                                                              \
            out[off[3]] = cond[off[0]] != 0 ? a[off[1]] : b[off[2]];                               \
        }                                                                                          \
    }
BK_WHERE(f32, float)
BK_WHERE(f64, double)
BK_WHERE(i32, int)

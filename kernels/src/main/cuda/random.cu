// Counter-based random fill (Backend.random): a port of dev.brink.engine.Generator. Element i (row-major) of
// out is uniform(seed, counter + i) (24-bit uniformFloat for float32) or, for normals, Box-Muller on the
// uniforms at counters counter + 2i and counter + 2i + 1. 64-bit arithmetic wraps as Java's long does; Java's
// >>> is the unsigned shift here.
#include "brink.cuh"

typedef unsigned long long u64;

BK_DEV u64 mix64(u64 z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/** Generator.bits(seed, index). */
BK_DEV u64 bits(u64 seed, u64 index) {
    return mix64(seed * 0x9E3779B97F4A7C15ULL + mix64(index + 0x632BE59BD9B4E019ULL));
}

/** Generator.uniform: 53 random bits in [0, 1). */
BK_DEV double uniform(u64 seed, u64 index) {
    return (double)(bits(seed, index) >> 11) * 0x1.0p-53;
}

/** Generator.uniformFloat: 24 random bits in [0, 1). */
BK_DEV float uniform_float(u64 seed, u64 index) {
    return (float)(bits(seed, index) >> 40) * 0x1.0p-24f;
}

/** Generator.normal(seed, counter, i). */
BK_DEV double normal(u64 seed, u64 counter, u64 i) {
    double u1 = 1.0 - uniform(seed, counter + 2 * i);
    double u2 = uniform(seed, counter + 2 * i + 1);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.141592653589793 * u2);
}

// Layout operand 0: out. seed and counter are Java longs (two's complement, used as unsigned).
extern "C" __global__ void random_uniform_f32(float* out, Layout L, long long seed, long long counter) {
    BK_GRID_LOOP(i, L.n) {
        int off[1];
        bk_offsets<1>(L, i, off);
        out[off[0]] = uniform_float((u64)seed, (u64)counter + (u64)i);
    }
}

extern "C" __global__ void random_uniform_f64(double* out, Layout L, long long seed, long long counter) {
    BK_GRID_LOOP(i, L.n) {
        int off[1];
        bk_offsets<1>(L, i, off);
        out[off[0]] = uniform((u64)seed, (u64)counter + (u64)i);
    }
}

extern "C" __global__ void random_normal_f32(float* out, Layout L, long long seed, long long counter) {
    BK_GRID_LOOP(i, L.n) {
        int off[1];
        bk_offsets<1>(L, i, off);
        out[off[0]] = (float)normal((u64)seed, (u64)counter, (u64)i);
    }
}

extern "C" __global__ void random_normal_f64(double* out, Layout L, long long seed, long long counter) {
    BK_GRID_LOOP(i, L.n) {
        int off[1];
        bk_offsets<1>(L, i, off);
        out[off[0]] = normal((u64)seed, (u64)counter, (u64)i);
    }
}

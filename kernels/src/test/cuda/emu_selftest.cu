// Kernels that test the emulator itself (never compiled by nvcc: they live under src/test): that it detects a
// barrier that not every thread reaches, a write past the end of an allocation, and a missing barrier (threads
// run in a different order between barriers), and that shared memory and barriers behave as on a GPU.
#include "brink.cuh"

/** out[t] = value written by thread (t + 1) % blockDim.x into shared memory before a barrier. */
extern "C" __global__ void selftest_shared_rotate(int* out) {
    __shared__ int sh[256];
    int t = threadIdx.x;
    sh[t] = t * 10 + (int)blockIdx.x;
    __syncthreads();
    out[blockIdx.x * blockDim.x + t] = sh[(t + 1) % blockDim.x];
}

/** The same without the barrier: on a GPU a race; the emulator must make it visibly wrong. */
extern "C" __global__ void selftest_missing_barrier(int* out) {
    __shared__ int sh[256];
    int t = threadIdx.x;
    sh[t] = t * 10 + (int)blockIdx.x;
    out[blockIdx.x * blockDim.x + t] = sh[(t + 1) % blockDim.x];
}

/** Thread 0 returns before the barrier that the others wait at. */
extern "C" __global__ void selftest_divergent_barrier(int* out) {
    if (threadIdx.x == 0) return;
    __syncthreads();
    out[threadIdx.x] = 1;
}

/** Writes one element past the end of out (n elements). */
extern "C" __global__ void selftest_overflow(int* out, int n) {
    if (threadIdx.x == 0) out[n] = 7;
}

/** Every thread of every block adds 1 to *counter. */
extern "C" __global__ void selftest_atomic(int* counter) {
    atomicAdd(counter, 1);
}

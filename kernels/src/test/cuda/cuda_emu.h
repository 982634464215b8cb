// CUDA emulation for testing Brink's kernels on a machine without a GPU: force-included (g++ -x c++ -include
// cuda_emu.h) ahead of an unchanged .cu file. Each thread of a block is a fiber (emu_runtime.cpp); blocks run one
// after another; a block's threads run in turn until each returns or reaches __syncthreads, which is a barrier
// (the runtime reports threads that return while others wait). __shared__ variables are function statics: one
// copy per kernel, shared by the threads of the block that is running. Fibers switch only at barriers, so the
// atomics below are plain read-modify-writes.
#pragma once

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

struct dim3 {
    unsigned int x, y, z;
};

extern dim3 threadIdx, blockIdx, blockDim, gridDim;

#define __global__ __attribute__((used, noinline))
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)

/** Barrier of the running block (emu_runtime.cpp). */
void __syncthreads();

inline float atomicAdd(float* p, float v) { float o = *p; *p = o + v; return o; }
inline double atomicAdd(double* p, double v) { double o = *p; *p = o + v; return o; }
inline int atomicAdd(int* p, int v) { int o = *p; *p = o + v; return o; }
inline unsigned long long atomicMin(unsigned long long* p, unsigned long long v) {
    unsigned long long o = *p;
    if (v < o) *p = v;
    return o;
}
inline int atomicMax(int* p, int v) { int o = *p; if (v > o) *p = v; return o; }

inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __fdividef(float a, float b) { return a / b; }

namespace bk_emu {

/** One launch argument as the Java side sent it: a device address or the raw bytes of a value. */
struct Arg {
    bool pointer;
    uint64_t address;
    std::vector<uint8_t> bytes;
};

/** Checks the arguments against the kernel's parameter types and binds them into a callable body. */
typedef bool (*Prepare)(const std::vector<Arg>&, std::string& error, std::function<void()>& body);

std::map<std::string, Prepare>& registry();

template <typename T>
bool convert(const Arg& a, T& out, std::string& error, size_t index) {
    if constexpr (std::is_pointer<T>::value) {
        if (!a.pointer) {
            error = "argument " + std::to_string(index) + " must be a device pointer, got a " +
                    std::to_string(a.bytes.size()) + "-byte value";
            return false;
        }
        out = reinterpret_cast<T>(a.address);
    } else {
        if (a.pointer || a.bytes.size() != sizeof(T)) {
            error = "argument " + std::to_string(index) + " must be a " + std::to_string(sizeof(T)) +
                    "-byte value, got " + (a.pointer ? std::string("a pointer") : std::to_string(a.bytes.size()) + " bytes");
            return false;
        }
        memcpy(&out, a.bytes.data(), sizeof(T));
    }
    return true;
}

template <typename... A, size_t... I>
bool prepare_with(void (*kernel)(A...), const std::vector<Arg>& args, std::string& error,
                  std::function<void()>& body, std::index_sequence<I...>) {
    if (args.size() != sizeof...(A)) {
        error = "expected " + std::to_string(sizeof...(A)) + " arguments, got " + std::to_string(args.size());
        return false;
    }
    auto values = std::make_shared<std::tuple<typename std::decay<A>::type...>>();
    bool ok = true;
    ((ok = ok && convert(args[I], std::get<I>(*values), error, I)), ...);
    if (!ok) return false;
    body = [kernel, values] { std::apply(kernel, *values); };
    return true;
}

template <typename F> struct Arity;
template <typename... A> struct Arity<void (*)(A...)> { static constexpr size_t value = sizeof...(A); };

/** The Prepare function of kernel K (parameter types deduced from its signature). */
template <auto K>
bool prepare(const std::vector<Arg>& args, std::string& error, std::function<void()>& body) {
    return prepare_with(K, args, error, body, std::make_index_sequence<Arity<decltype(K)>::value>{});
}

/** Adds a translation unit's kernels to the registry at start-up. */
struct Registrar {
    Registrar(std::initializer_list<std::pair<const char*, Prepare>> kernels) {
        for (auto& k : kernels) registry()[k.first] = k.second;
    }
};

}  // namespace bk_emu

// The emulated device: a process that serves memory and kernel-launch requests from the Java test suite
// (EmulatedDevice) over stdin/stdout, and runs kernels compiled from the unchanged .cu sources (cuda_emu.h).
//
// Protocol (little-endian; every reply starts with a status byte: 0 ok, 1 error followed by u32 length + text):
//   'A' u64 bytes                    -> u64 address (zero-filled; guard bytes on both sides)
//   'F' u64 address                  -> (frees)
//   'W' u64 address u64 n, n bytes   -> (writes)
//   'R' u64 address u64 n            -> n bytes
//   'C' u64 dst u64 src u64 n        -> (memmove)
//   'S' u64 address u64 n u8 value   -> (memset)
//   'L' u16 len name, u32 grid[3], u32 block[3], u16 nargs, args (u8 1 + u64 address | u8 0 + u32 len + bytes)
//   'K'                              -> u32 count, then u16 len + name per registered kernel
//   'Q'                              -> exits
// Launch checks: the kernel exists, argument kinds and sizes match its parameters, pointers lie inside live
// allocations, launch bounds are valid for a real GPU, threads of a block agree on barriers, and no kernel wrote
// outside its allocations (guard bytes).
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#include "cuda_emu.h"

dim3 threadIdx, blockIdx, blockDim, gridDim;

std::map<std::string, bk_emu::Prepare>& bk_emu::registry() {
    static std::map<std::string, bk_emu::Prepare> r;
    return r;
}

namespace {

// ------------------------------------------------------------------ fibers

enum State { RUNNABLE, AT_BARRIER, DONE };
const size_t STACK = 256 * 1024;

struct Fiber {
    ucontext_t ctx;
    char* stack = nullptr;
    State state = DONE;
};

std::vector<Fiber> fibers;
ucontext_t scheduler;
int current = 0;
std::function<void()>* body = nullptr;

void entry() {
    (*body)();
    fibers[current].state = DONE;
    swapcontext(&fibers[current].ctx, &scheduler);
}

bool run_grid(dim3 grid, dim3 block, std::function<void()>& kernel, std::string& error) {
    long long threads = (long long)block.x * block.y * block.z;
    if (grid.x < 1 || grid.y < 1 || grid.z < 1 || block.x < 1 || block.y < 1 || block.z < 1) {
        error = "empty grid or block";
        return false;
    }
    if (threads > 1024 || block.x > 1024 || block.y > 1024 || block.z > 64) {
        error = "block of " + std::to_string(block.x) + "x" + std::to_string(block.y) + "x" + std::to_string(block.z) +
                " exceeds the CUDA limits (1024 threads, z <= 64)";
        return false;
    }
    if (grid.x > 2147483647u || grid.y > 65535 || grid.z > 65535) {
        error = "grid exceeds the CUDA limits (x < 2^31, y and z <= 65535)";
        return false;
    }
    while ((long long)fibers.size() < threads) {
        fibers.emplace_back();
        fibers.back().stack = (char*)malloc(STACK);
    }
    body = &kernel;
    gridDim = grid;
    blockDim = block;
    int n = (int)threads;
    long long blockNumber = 0;
    for (unsigned bz = 0; bz < grid.z; bz++)
        for (unsigned by = 0; by < grid.y; by++)
            for (unsigned bx = 0; bx < grid.x; bx++, blockNumber++) {
                blockIdx = {bx, by, bz};
                for (int t = 0; t < n; t++) {
                    Fiber& f = fibers[t];
                    getcontext(&f.ctx);
                    f.ctx.uc_stack.ss_sp = f.stack;
                    f.ctx.uc_stack.ss_size = STACK;
                    f.ctx.uc_link = nullptr;
                    makecontext(&f.ctx, entry, 0);
                    f.state = RUNNABLE;
                }
                for (int phase = 0;; phase++) {
                    // Alternate the order in which threads run between barriers, so that a missing barrier
                    // (a thread reading what another has not written yet) shows up as a wrong result.
                    bool reverse = ((phase + blockNumber) & 1) != 0;
                    for (int k = 0; k < n; k++) {
                        int t = reverse ? n - 1 - k : k;
                        if (fibers[t].state != RUNNABLE) continue;
                        current = t;
                        threadIdx = {(unsigned)(t % block.x), (unsigned)(t / block.x % block.y),
                                     (unsigned)(t / (block.x * block.y))};
                        swapcontext(&scheduler, &fibers[t].ctx);
                    }
                    int done = 0, waiting = 0;
                    for (int t = 0; t < n; t++) {
                        if (fibers[t].state == DONE) done++;
                        else waiting++;
                    }
                    if (done == n) break;
                    if (done > 0) {
                        error = "barrier divergence in block (" + std::to_string(bx) + "," + std::to_string(by) + "," +
                                std::to_string(bz) + "): " + std::to_string(done) + " threads returned while " +
                                std::to_string(waiting) + " wait at __syncthreads";
                        return false;
                    }
                    for (int t = 0; t < n; t++) fibers[t].state = RUNNABLE;
                }
            }
    return true;
}

// ------------------------------------------------------------------ memory with guard bytes

const size_t GUARD = 64;
const uint8_t GUARD_BYTE = 0xA5;
std::map<uint64_t, size_t> allocations;  // address -> size

bool inside(uint64_t address, uint64_t n, std::string& error) {
    auto it = allocations.upper_bound(address);
    if (it != allocations.begin()) {
        --it;
        if (address >= it->first && address + n <= it->first + it->second) return true;
    }
    error = "address range [" + std::to_string(address) + ", +" + std::to_string(n) + ") is not inside a live allocation";
    return false;
}

bool guards_intact(std::string& error) {
    for (auto& a : allocations) {
        uint8_t* p = (uint8_t*)a.first;
        for (size_t i = 0; i < GUARD; i++) {
            if (p[-1 - (long)i] != GUARD_BYTE || p[a.second + i] != GUARD_BYTE) {
                error = "a kernel wrote outside an allocation of " + std::to_string(a.second) + " bytes";
                memset(p - GUARD, GUARD_BYTE, GUARD);  // reported once
                memset(p + a.second, GUARD_BYTE, GUARD);
                return false;
            }
        }
    }
    return true;
}

// ------------------------------------------------------------------ protocol

void read_exact(void* p, size_t n) {
    if (n && fread(p, 1, n, stdin) != n) exit(0);  // the test JVM went away
}
template <typename T> T get() {
    T v;
    read_exact(&v, sizeof(T));
    return v;
}
void put(const void* p, size_t n) { fwrite(p, 1, n, stdout); }
template <typename T> void put(T v) { put(&v, sizeof(T)); }

void ok() { put<uint8_t>(0); }
void fail(const std::string& message) {
    put<uint8_t>(1);
    put<uint32_t>((uint32_t)message.size());
    put(message.data(), message.size());
}

void launch() {
    uint16_t len = get<uint16_t>();
    std::string name(len, '\0');
    read_exact(&name[0], len);
    dim3 grid, block;
    grid.x = get<uint32_t>(), grid.y = get<uint32_t>(), grid.z = get<uint32_t>();
    block.x = get<uint32_t>(), block.y = get<uint32_t>(), block.z = get<uint32_t>();
    uint16_t nargs = get<uint16_t>();
    std::vector<bk_emu::Arg> args(nargs);
    std::string error;
    for (auto& a : args) {
        a.pointer = get<uint8_t>() != 0;
        if (a.pointer) {
            a.address = get<uint64_t>();
            if (a.address != 0 && error.empty() && !inside(a.address, 0, error)) error = "pointer argument: " + error;
        } else {
            a.bytes.resize(get<uint32_t>());
            read_exact(a.bytes.data(), a.bytes.size());
        }
    }
    if (!error.empty()) return fail(name + ": " + error);
    auto it = bk_emu::registry().find(name);
    if (it == bk_emu::registry().end()) return fail("no kernel named " + name);
    std::function<void()> kernel;
    if (!it->second(args, error, kernel)) return fail(name + ": " + error);
    if (!run_grid(grid, block, kernel, error)) return fail(name + ": " + error);
    if (!guards_intact(error)) return fail(name + ": " + error);
    ok();
}

}  // namespace

void __syncthreads() {
    fibers[current].state = AT_BARRIER;
    swapcontext(&fibers[current].ctx, &scheduler);
}

int main() {
    static char inbuf[1 << 16], outbuf[1 << 16];
    setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    for (;;) {
        int c = fgetc(stdin);
        if (c == EOF || c == 'Q') return 0;
        std::string error;
        switch (c) {
            case 'A': {
                uint64_t n = get<uint64_t>();
                uint8_t* p = (uint8_t*)malloc(n + 2 * GUARD);
                if (!p) { fail("out of memory"); break; }
                memset(p, GUARD_BYTE, GUARD);
                memset(p + GUARD, 0, n);
                memset(p + GUARD + n, GUARD_BYTE, GUARD);
                allocations[(uint64_t)(p + GUARD)] = n;
                ok();
                put<uint64_t>((uint64_t)(p + GUARD));
                break;
            }
            case 'F': {
                uint64_t a = get<uint64_t>();
                auto it = allocations.find(a);
                if (it == allocations.end()) { fail("free of an unknown address"); break; }
                free((uint8_t*)a - GUARD);
                allocations.erase(it);
                ok();
                break;
            }
            case 'W': {
                uint64_t a = get<uint64_t>(), n = get<uint64_t>();
                std::vector<uint8_t> data(n);
                read_exact(data.data(), n);
                if (!inside(a, n, error)) { fail("write: " + error); break; }
                memcpy((void*)a, data.data(), n);
                ok();
                break;
            }
            case 'R': {
                uint64_t a = get<uint64_t>(), n = get<uint64_t>();
                if (!inside(a, n, error)) { fail("read: " + error); break; }
                ok();
                put((void*)a, n);
                break;
            }
            case 'C': {
                uint64_t d = get<uint64_t>(), s = get<uint64_t>(), n = get<uint64_t>();
                if (!inside(d, n, error) || !inside(s, n, error)) { fail("copy: " + error); break; }
                memmove((void*)d, (void*)s, n);
                ok();
                break;
            }
            case 'S': {
                uint64_t a = get<uint64_t>(), n = get<uint64_t>();
                uint8_t v = get<uint8_t>();
                if (!inside(a, n, error)) { fail("memset: " + error); break; }
                memset((void*)a, v, n);
                ok();
                break;
            }
            case 'L':
                launch();
                break;
            case 'K': {
                ok();
                put<uint32_t>((uint32_t)bk_emu::registry().size());
                for (auto& k : bk_emu::registry()) {
                    put<uint16_t>((uint16_t)k.first.size());
                    put(k.first.data(), k.first.size());
                }
                break;
            }
            default:
                fail(std::string("unknown command ") + (char)c);
        }
        fflush(stdout);
    }
}

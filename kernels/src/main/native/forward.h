/*
 * Forwarding shims for the CUDA libraries JCuda 11.7.0 was linked against (see cublas11_shim.c, cudnn8_shim.c).
 * FORWARD_ALL(LIST, STATUS) defines, for each function of LIST, a global symbol that is a bare jump (x86-64) through
 * a pointer, so arguments and results pass through untouched, whatever the signature. The pointers start at a stub
 * that returns STATUS (the library's "not initialized/supported" status), and resolve_all(LIST, names) points them
 * at the newest library found: a missing library or function then reads as an error status, never as a crash.
 */
#ifndef BRINK_FORWARD_H
#define BRINK_FORWARD_H
#include <dlfcn.h>

#define FORWARD_POINTER(name) __attribute__((visibility("hidden"), used)) void *brink_fwd_##name = (void *)forward_unavailable;

#define FORWARD_TRAMPOLINE(name)                           \
    __asm__(".text\n"                                      \
            ".globl " #name "\n"                           \
            ".type " #name ", @function\n" #name ":\n"     \
            "\tjmp *brink_fwd_" #name "(%rip)\n"           \
            ".size " #name ", .-" #name "\n");

#define FORWARD_RESOLVE(name) { void *f = dlsym(lib, #name); if (f) brink_fwd_##name = f; }

#define FORWARD_ALL(LIST, STATUS)                                      \
    static int forward_unavailable(void) { return STATUS; }            \
    LIST(FORWARD_POINTER)                                              \
    LIST(FORWARD_TRAMPOLINE)

/* Opens the first library of the null-terminated names that loads and resolves every function of LIST in it. */
#define FORWARD_RESOLVE_ALL(LIST, ...)                                                                  \
    __attribute__((constructor)) static void forward_resolve(void) {                                   \
        const char *names[] = {__VA_ARGS__, 0};                                                        \
        void *lib = 0;                                                                                 \
        for (int i = 0; names[i] && !lib; i++) lib = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);        \
        if (!lib) return;                                                                              \
        LIST(FORWARD_RESOLVE)                                                                          \
    }
#endif

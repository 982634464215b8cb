/*
 * libcublas.so.11 for machines that have only a newer cuBLAS (12 or 13): JCublas 11.7.0's native library is linked
 * against cuBLAS 11's versioned symbols, so it cannot load a newer libcublas. This library defines that symbol
 * version and forwards the few functions Brink's cuBLAS path calls (JCublasGemm) to the newest libcublas it finds;
 * their signatures are unchanged since cuBLAS 11. Build with `make cublas-shim`, then put the folder holding it
 * on LD_LIBRARY_PATH. Every other cuBLAS function is absent: calling one ends the process.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef int status_t; /* cublasStatus_t */

static void *lib;

static void *sym(const char *name) {
    if (!lib) {
        const char *names[] = {"libcublas.so.13", "libcublas.so.12", "libcublas.so"};
        for (unsigned i = 0; i < sizeof names / sizeof *names && !lib; i++) lib = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
        if (!lib) {
            fprintf(stderr, "cublas11 shim: no libcublas.so.13, .so.12 or .so found: %s\n", dlerror());
            abort();
        }
    }
    void *f = dlsym(lib, name);
    if (!f) {
        fprintf(stderr, "cublas11 shim: %s missing from the loaded libcublas\n", name);
        abort();
    }
    return f;
}

#define FORWARD(name, params, args)                              \
    status_t name params {                                       \
        static status_t (*f) params;                             \
        if (!f) f = (status_t (*) params) sym(#name);            \
        return f args;                                           \
    }

FORWARD(cublasCreate_v2, (void **handle), (handle))
FORWARD(cublasDestroy_v2, (void *handle), (handle))
FORWARD(cublasSetStream_v2, (void *handle, void *stream), (handle, stream))
FORWARD(cublasGetVersion_v2, (void *handle, int *version), (handle, version))
FORWARD(cublasSgemmStridedBatched,
        (void *h, int ta, int tb, int m, int n, int k, const float *alpha, const float *a, int lda, long long sa,
         const float *b, int ldb, long long sb, const float *beta, float *c, int ldc, long long sc, int batch),
        (h, ta, tb, m, n, k, alpha, a, lda, sa, b, ldb, sb, beta, c, ldc, sc, batch))
FORWARD(cublasDgemmStridedBatched,
        (void *h, int ta, int tb, int m, int n, int k, const double *alpha, const double *a, int lda, long long sa,
         const double *b, int ldb, long long sb, const double *beta, double *c, int ldc, long long sc, int batch),
        (h, ta, tb, m, n, k, alpha, a, lda, sa, b, ldb, sb, beta, c, ldc, sc, batch))

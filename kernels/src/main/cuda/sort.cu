// Stable argsort along one axis (Backend.argsort), NaN last in both directions: the lines are copied into a
// contiguous (key, index) buffer, sorted by bottom-up merge passes (run width 1, 2, 4, ...; each element finds
// its place in the merged run by binary search in the other run, so a pass needs no barriers), and the indices
// are written back through out's layout.
#include "brink.cuh"


/** Strictly "a sorts before b": NaN after everything, ascending or descending otherwise. */
BK_DEV bool before(double a, double b, int descending) {
    if (a != a) return false;
    if (b != b) return true;
    return descending ? a > b : a < b;
}

#define BK_ARGSORT_LOAD(S, T)                                                                      \
    /* keys[line * len + j] = x's element j of the line, idx = j. */                                \
    extern "C" __global__ void argsort_load_##S(const T* x, double* keys, int* idx, LineLayout L) { \
        BK_GRID_LOOP(e, (long long)L.lines * L.len) {                                               \
            int line = (int)(e / L.len), j = (int)(e % L.len);                                      \
            int off[2];                                                                             \
            bk_offsets<2>(L.outer, line, off);                                                      \
            keys[e] = (double)x[off[0] + j * L.xStep];                                              \
            idx[e] = j;                                                                             \
        }                                                                                           \
    }
BK_ARGSORT_LOAD(f32, float)
BK_ARGSORT_LOAD(f64, double)
BK_ARGSORT_LOAD(i32, int)

/** One merge pass: sorted runs of `width` become sorted runs of 2 * width (stable: the left run wins ties). */
extern "C" __global__ void argsort_merge(const double* kin, const int* iin, double* kout, int* iout, int lines,
                                         int len, int width, int descending) {
    BK_GRID_LOOP(e, (long long)lines * len) {
        int line = (int)(e / len), j = (int)(e % len);
        long long base = (long long)line * len;
        int start = (j / (2 * width)) * (2 * width);
        int mid = start + width < len ? start + width : len;
        int end = start + 2 * width < len ? start + 2 * width : len;
        double key = kin[e];
        int pos;
        if (j < mid) {
            // Left element: count right-run elements strictly before it.
            int lo = mid, hi = end;
            while (lo < hi) {
                int m = lo + (hi - lo) / 2;
                if (before(kin[base + m], key, descending)) lo = m + 1; else hi = m;
            }
            pos = start + (j - start) + (lo - mid);
        } else {
            // Right element: count left-run elements not after it (equal ones stay in front).
            int lo = start, hi = mid;
            while (lo < hi) {
                int m = lo + (hi - lo) / 2;
                if (!before(key, kin[base + m], descending)) lo = m + 1; else hi = m;
            }
            pos = start + (j - mid) + (lo - start);
        }
        kout[base + pos] = key;
        iout[base + pos] = iin[e];
    }
}

/** out's element j of each line = idx[line * len + j]. */
extern "C" __global__ void argsort_store(const int* idx, int* out, LineLayout L) {
    BK_GRID_LOOP(e, (long long)L.lines * L.len) {
        int line = (int)(e / L.len), j = (int)(e % L.len);
        int off[2];
        bk_offsets<2>(L.outer, line, off);
        out[off[1] + j * L.oStep] = idx[e];
    }
}

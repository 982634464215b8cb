package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.Storage;

/**
 * Host memory of the CPU backend: exactly one of a {@code float[]} (FLOAT32), {@code double[]} (FLOAT64) or
 * {@code int[]} (INT32). The arrays are exposed (not copied) so that faster kernels can work on them directly.
 *
 * <p>The package-private {@code load}/{@code store} helpers move a strided run of elements to or from a
 * {@code double[]} scratch buffer; the reference kernels compute in double and convert on store (float32 rounds,
 * int32 truncates toward zero and saturates, NaN becomes 0, as Java's casts do).
 */
public final class CpuStorage implements Storage {
    private final DType dtype;
    private final int size;
    // not final: release() drops them, so that a released storage cannot reach the array its successor now uses
    private float[] f;
    private double[] d;
    private int[] i;
    private boolean released;
    // set while this storage holds an array taken from the pool: a twin over the same array that the pool takes if
    // this storage dies unreleased (released with this one, so an array is never offered twice)
    private CpuStorage twin;

    private CpuStorage(DType dtype, float[] f, double[] d, int[] i) {
        this.dtype = dtype;
        this.f = f;
        this.d = d;
        this.i = i;
        this.size = f != null ? f.length : d != null ? d.length : i.length;
    }

    /** A zero-filled buffer of {@code size} elements. */
    public static CpuStorage allocate(DType dtype, int size) {
        if (size < 0) throw new IllegalArgumentException("allocate: negative size " + size);
        return switch (dtype) {
            case FLOAT32 -> new CpuStorage(dtype, new float[size], null, null);
            case FLOAT64 -> new CpuStorage(dtype, null, new double[size], null);
            case INT32 -> new CpuStorage(dtype, null, null, new int[size]);
        };
    }

    /** Wraps {@code data} without copying (FLOAT32). */
    public static CpuStorage wrap(float[] data) {
        return new CpuStorage(DType.FLOAT32, data, null, null);
    }

    /** Wraps {@code data} without copying (FLOAT64). */
    public static CpuStorage wrap(double[] data) {
        return new CpuStorage(DType.FLOAT64, null, data, null);
    }

    /** Wraps {@code data} without copying (INT32). */
    public static CpuStorage wrap(int[] data) {
        return new CpuStorage(DType.INT32, null, null, data);
    }

    /**
     * Moves this storage's array to a new storage and releases this one (a recycled array gets a new identity:
     * {@link CpuStoragePool}); every later use of this one fails.
     */
    static CpuStorage moveToNew(CpuStorage s) {
        CpuStorage moved = new CpuStorage(s.dtype, s.f, s.d, s.i);
        s.release();
        return moved;
    }

    /** Drops the array: from now on every access fails with an error saying the memory was released. */
    void release() {
        if (twin != null) twin.release();
        twin = null;
        f = null;
        d = null;
        i = null;
        released = true;
    }

    /**
     * Marks this storage's array as one the pool handed out: should the storage become unreachable before it is
     * released (a tensor that died inside a scope while a young collection ran), {@link #orphanReclaimer} returns
     * the array to the pool instead of leaving it in the old generation until a full collection.
     */
    void armReclaim() {
        twin = new CpuStorage(dtype, f, d, i);
    }

    @Override
    public Runnable orphanReclaimer() {
        CpuStorage t = twin; // not this: the action is held while this storage may die
        return t == null ? null : () -> CpuStoragePool.offer(t); // offer ignores a released twin, and releases it
    }

    /** Whether {@link #release} ran (the memory went back to the backend: a scope closed, or a backward pass recycled it). */
    public boolean isReleased() {
        return released;
    }

    /** The CPU storage behind {@code t}, or an error naming the backend that owns it or saying it was released. */
    public static CpuStorage of(Tensor t) {
        Storage s = t.storage();
        if (s instanceof CpuStorage c) {
            if (c.released) throw releasedError("tensor of shape " + dev.brink.engine.Shape.str(t.shape()));
            return c;
        }
        throw new IllegalArgumentException("cpu backend: tensor lives on backend '" + s.backend().name() + "', not cpu");
    }

    /** Why {@code accessor} has no array to return: this storage was released, or holds another dtype. */
    private IllegalStateException noArray(String accessor) {
        if (released) return releasedError("storage of " + size + " elements");
        return new IllegalStateException(accessor + ": storage is " + dtype.label());
    }

    private static IllegalStateException releasedError(String what) {
        return new IllegalStateException("cpu backend: a " + what + " was used after its memory was released (the "
                + "TensorScope it was made in closed, or a backward pass recycled it); keep it with TensorScope.keep "
                + "or read it before the scope closes");
    }

    @Override
    public Backend backend() {
        return CpuBackend.INSTANCE;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int size() {
        return size;
    }

    /** The backing array of a FLOAT32 storage (not a copy). */
    public float[] floats() {
        if (f == null) throw noArray("floats()");
        return f;
    }

    /** The backing array of a FLOAT64 storage (not a copy). */
    public double[] doubles() {
        if (d == null) throw noArray("doubles()");
        return d;
    }

    /** The backing array of an INT32 storage (not a copy). */
    public int[] ints() {
        if (i == null) throw noArray("ints()");
        return i;
    }

    @Override
    public String toString() {
        return "CpuStorage(" + dtype.label() + ", " + size + (released ? ", released" : "") + ")";
    }

    // ------------------------------------------------------------------ element access for the reference kernels

    double get(int off) {
        return switch (dtype) {
            case FLOAT32 -> f[off];
            case FLOAT64 -> d[off];
            case INT32 -> i[off];
        };
    }

    void set(int off, double v) {
        switch (dtype) {
            case FLOAT32 -> f[off] = (float) v;
            case FLOAT64 -> d[off] = v;
            case INT32 -> i[off] = (int) v;
        }
    }

    /** dst[dOff + j] = this[off + j * stride] for j < len. */
    void load(int off, int stride, double[] dst, int dOff, int len) {
        if (len <= 0) return;
        switch (dtype) {
            case FLOAT64 -> {
                if (stride == 1) System.arraycopy(d, off, dst, dOff, len);
                else for (int j = 0; j < len; j++) dst[dOff + j] = d[off + j * stride];
            }
            case FLOAT32 -> {
                if (stride == 1) for (int j = 0; j < len; j++) dst[dOff + j] = f[off + j];
                else for (int j = 0; j < len; j++) dst[dOff + j] = f[off + j * stride];
            }
            case INT32 -> {
                for (int j = 0; j < len; j++) dst[dOff + j] = i[off + j * stride];
            }
        }
    }

    /** this[off + j * stride] = src[sOff + j] (converted) for j < len. */
    void store(double[] src, int sOff, int off, int stride, int len) {
        if (len <= 0) return;
        switch (dtype) {
            case FLOAT64 -> {
                if (stride == 1) System.arraycopy(src, sOff, d, off, len);
                else for (int j = 0; j < len; j++) d[off + j * stride] = src[sOff + j];
            }
            case FLOAT32 -> {
                if (stride == 1) for (int j = 0; j < len; j++) f[off + j] = (float) src[sOff + j];
                else for (int j = 0; j < len; j++) f[off + j * stride] = (float) src[sOff + j];
            }
            case INT32 -> {
                for (int j = 0; j < len; j++) i[off + j * stride] = (int) src[sOff + j];
            }
        }
    }

    /** Copies a strided run between storages of the same dtype without going through double. */
    static void copySameType(CpuStorage src, int sOff, int sStride, CpuStorage dst, int dOff, int dStride, int len) {
        if (len <= 0) return;
        Object a = src.array(), b = dst.array();
        if (sStride == 1 && dStride == 1) {
            System.arraycopy(a, sOff, b, dOff, len);
            return;
        }
        switch (src.dtype) {
            case FLOAT32 -> { for (int j = 0; j < len; j++) dst.f[dOff + j * dStride] = src.f[sOff + j * sStride]; }
            case FLOAT64 -> { for (int j = 0; j < len; j++) dst.d[dOff + j * dStride] = src.d[sOff + j * sStride]; }
            case INT32 -> { for (int j = 0; j < len; j++) dst.i[dOff + j * dStride] = src.i[sOff + j * sStride]; }
        }
    }

    private Object array() {
        return switch (dtype) {
            case FLOAT32 -> f;
            case FLOAT64 -> d;
            case INT32 -> i;
        };
    }
}

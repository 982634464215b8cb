package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;

/** Helpers shared by the float32 fast paths: dispatch checks and contiguous access to float operands. */
final class FloatKernels {
    private FloatKernels() {}

    /** True when every tensor is FLOAT32 (the fast paths' precondition). */
    static boolean floats(Tensor... ts) {
        for (Tensor t : ts) if (t.dtype() != DType.FLOAT32) return false;
        return true;
    }

    /**
     * The row-major elements of t: its own storage array when t is contiguous (then {@link #offset} applies),
     * otherwise a new contiguous copy (offset 0).
     */
    static float[] data(Tensor t) {
        if (t.isContiguous()) return CpuStorage.of(t).floats();
        float[] r = new float[t.numel()];
        FloatElementwise.copy(t, Tensor.fromStorage(CpuStorage.wrap(r), t.shape(), dev.brink.engine.Shape.contiguousStrides(t.shape()), 0));
        return r;
    }

    /** Offset of element 0 in {@link #data}{@code (t)}. */
    static int offset(Tensor t) {
        return t.isContiguous() ? t.offset() : 0;
    }
}

package dev.brink.kernels;

import dev.brink.engine.Tensor;
import dev.brink.engine.backend.RandomKind;

import static dev.brink.kernels.CudaBackend.sfx;

/** Counter-based random fill (random.cu), element i in row-major order drawn exactly as Generator defines. */
final class CudaRandom {
    private CudaRandom() {}

    static void random(CudaBackend be, RandomKind kind, long seed, long counter, Tensor out) {
        if (!out.dtype().isFloating()) throw new IllegalArgumentException("random: dtype must be floating, got " + out.dtype().label());
        int[] l = Layouts.layout(out.shape(), new int[] {out.offset()}, out.strides());
        if (l[0] == 0) return;
        String name = (kind == RandomKind.UNIFORM ? "random_uniform_" : "random_normal_") + sfx(out.dtype());
        be.launch(name, Layouts.grid(l[0], 256), Layouts.threads(256),
                new KernelArgs().ptr(be.buf(out)).struct(l).i64(seed).i64(counter));
    }
}

package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.RandomKind;

/**
 * Counter-based random fill. Element i (row-major) of out is {@code Generator.uniform(seed, counter + i)}
 * ({@code uniformFloat} for FLOAT32) or {@code Generator.normal(seed, counter, i)} (rounded to float for
 * FLOAT32), so the values do not depend on the backend, the thread count or the layout of out.
 */
final class CpuRandom {
    private CpuRandom() {}

    static void random(RandomKind kind, long seed, long counter, Tensor out) {
        DType dt = out.dtype();
        if (!dt.isFloating()) throw new IllegalArgumentException("random: dtype must be floating, got " + dt.label());
        CpuStorage os = CpuStorage.of(out);
        StridedIndexer it = new StridedIndexer(out.shape(), new int[]{out.offset()}, out.strides());
        int n = Math.min(CpuElementwise.CHUNK, Math.max(it.inner, 1));
        double[] buf = new double[n];
        long i = 0; // row-major element index
        boolean f32 = dt == DType.FLOAT32;
        for (long r = it.rows(); r > 0; r--, it.next()) {
            for (int j = 0; j < it.inner; j += n) {
                int len = Math.min(n, it.inner - j);
                for (int q = 0; q < len; q++, i++) {
                    buf[q] = kind == RandomKind.UNIFORM
                            ? (f32 ? Generator.uniformFloat(seed, counter + i) : Generator.uniform(seed, counter + i))
                            : Generator.normal(seed, counter, i);
                }
                os.store(buf, 0, it.pos[0] + j * it.innerStride[0], it.innerStride[0], len);
            }
        }
    }
}

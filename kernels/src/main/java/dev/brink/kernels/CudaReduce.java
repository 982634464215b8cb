package dev.brink.kernels;

import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ReduceKernel;

import static dev.brink.kernels.CudaBackend.sfx;

/**
 * reduce and argReduce (reduce.cu). Long reductions, or few outputs, run one block per output position with a
 * shared-memory tree; short reductions over many outputs run one thread per output.
 */
final class CudaReduce {
    private CudaReduce() {}

    /** Whether a reduction of nRed items into nOut outputs runs one block per output. */
    static boolean blockPerOutput(long nOut, long nRed) {
        return nRed >= 64 || nOut <= 64;
    }

    static void reduce(CudaBackend be, ReduceKernel k, Tensor x, boolean[] axes, Tensor out) {
        int[] l = Layouts.reduce(x.shape(), x.strides(), x.offset(), axes, out.strides(), out.offset());
        int nOut = l[0], nRed = l[1];
        if (nOut == 0) return;
        KernelArgs args = new KernelArgs().i32(k.ordinal()).ptr(be.buf(x)).ptr(be.buf(out)).struct(l);
        if (blockPerOutput(nOut, nRed))
            be.launch("reduce_block_" + sfx(x.dtype()), Layouts.blocks(nOut), Layouts.threads(Layouts.reductionBlock(nRed)), args);
        else
            be.launch("reduce_thread_" + sfx(x.dtype()), Layouts.grid(nOut, 256), Layouts.threads(256), args);
    }

    static void argReduce(CudaBackend be, ReduceKernel k, Tensor x, int axis, Tensor out) {
        if (k == ReduceKernel.SUM) throw new IllegalArgumentException("argReduce: SUM has no index");
        boolean[] axes = new boolean[x.dim()];
        axes[axis] = true;
        int[] l = Layouts.reduce(x.shape(), x.strides(), x.offset(), axes, out.strides(), out.offset());
        if (l[0] == 0) return;
        be.launch("argreduce_" + sfx(x.dtype()), Layouts.blocks(l[0]), Layouts.threads(Layouts.reductionBlock(l[1])),
                new KernelArgs().i32(k == ReduceKernel.MAX ? 1 : 0).ptr(be.buf(x)).ptr(be.buf(out)).struct(l));
    }
}

package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.backend.ReduceKernel;
import org.junit.jupiter.api.Test;

import static dev.brink.kernels.KernelTestSupport.assertMatches;
import static dev.brink.kernels.KernelTestSupport.empty;
import static dev.brink.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * reduce.cu (reduce_block_*, reduce_thread_*, argreduce_*) against the CPU backend: every dtype and reduction,
 * several axis sets on strided inputs, both launch shapes (block per output, thread per output), NaN propagation
 * and the first-NaN / first-extreme rule of the arg-reductions.
 */
class ReduceKernelTest {
    CudaBackend backend() {
        return KernelTestSupport.emulated();
    }

    private void check(ReduceKernel k, KernelTestSupport.Pair x, boolean... axes) {
        int[] keep = x.shape();
        for (int d = 0; d < keep.length; d++) if (axes[d]) keep[d] = 1;
        KernelTestSupport.Pair out = empty(backend(), x.dtype(), keep);
        KernelTestSupport.CPU.reduce(k, x.cpu(), axes, out.cpu());
        backend().reduce(k, x.dev(), axes, out.dev());
        String what = k + " " + x.dtype() + " of " + Shape.str(x.shape()) + " over " + java.util.Arrays.toString(axes);
        if (k != ReduceKernel.SUM || x.dtype() == DType.INT32) {
            assertMatches(what, out);
            return;
        }
        dev.brink.engine.Tensor mag = dev.brink.engine.Tensor.empty(KernelTestSupport.CPU, DType.FLOAT64, keep);
        KernelTestSupport.CPU.reduce(k, KernelTestSupport.absCpu(x.cpu()), axes, mag);
        KernelTestSupport.assertMatchesScaled(what, out.cpu(), out.dev(), mag, x.cpu().numel() / Math.max(1, mag.numel()));
    }

    @Test
    void everyReductionInEveryDtypeOverSeveralAxisSets() {
        for (DType t : DType.values()) {
            for (ReduceKernel k : ReduceKernel.values()) {
                KernelTestSupport.Pair x = random(backend(), 7 + k.ordinal(), t, false, 3, 5, 70);
                check(k, x, false, false, true);
                check(k, x, true, false, true);
                check(k, x, true, true, true);
                check(k, x, true, false, false);
                check(k, x.map(v -> v.permute(2, 0, 1)), false, true, false);
                check(k, x, false, false, false);
            }
        }
    }

    @Test
    void bothLaunchShapesAreUsed() {
        assertTrue(CudaReduce.blockPerOutput(10, 1000));
        assertFalse(CudaReduce.blockPerOutput(4000, 3));
        for (ReduceKernel k : ReduceKernel.values()) {
            KernelTestSupport.Pair many = random(backend(), 11, DType.FLOAT32, false, 300, 3);
            check(k, many, false, true);
            KernelTestSupport.Pair few = random(backend(), 12, DType.FLOAT64, false, 2, 3000);
            check(k, few, false, true);
        }
    }

    @Test
    void nanPropagatesThroughMaxAndMinAndSum() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (ReduceKernel k : ReduceKernel.values()) {
                KernelTestSupport.Pair x = random(backend(), 13, t, true, 6, 40);
                check(k, x, false, true);
                check(k, x, true, false);
            }
        }
    }

    @Test
    void argReductionsPickTheFirstNanOrTheFirstExtreme() {
        double[] data = {1, 3, 3, 2, /**/ 5, Double.NaN, 7, Double.NaN, /**/ -1, -4, -4, 0, /**/ 2, 2, 2, 2};
        for (DType t : DType.values()) {
            double[] d = data.clone();
            if (t == DType.INT32) for (int i = 0; i < d.length; i++) if (Double.isNaN(d[i])) d[i] = 9;
            KernelTestSupport.Pair x = KernelTestSupport.pair(backend(), t, d, 4, 4);
            for (ReduceKernel k : new ReduceKernel[] {ReduceKernel.MAX, ReduceKernel.MIN}) {
                for (int axis = 0; axis < 2; axis++) {
                    int[] s = Shape.with(x.shape(), axis, 1);
                    KernelTestSupport.Pair out = empty(backend(), DType.INT32, s);
                    KernelTestSupport.CPU.argReduce(k, x.cpu(), axis, out.cpu());
                    backend().argReduce(k, x.dev(), axis, out.dev());
                    assertMatches("arg" + k + " " + t + " axis " + axis, out);
                }
            }
            KernelTestSupport.Pair long_ = random(backend(), 14, t, t != DType.INT32, 3, 1000).map(v -> v.transpose(0, 1));
            for (ReduceKernel k : new ReduceKernel[] {ReduceKernel.MAX, ReduceKernel.MIN}) {
                KernelTestSupport.Pair out = empty(backend(), DType.INT32, 1, 3);
                KernelTestSupport.CPU.argReduce(k, long_.cpu(), 0, out.cpu());
                backend().argReduce(k, long_.dev(), 0, out.dev());
                assertMatches("arg" + k + " " + t + " over 1000 strided", out);
            }
        }
    }
}

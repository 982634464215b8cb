package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.brink.kernels.KernelTestSupport.assertMatches;
import static dev.brink.kernels.KernelTestSupport.empty;
import static dev.brink.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * indexing.cu (gather_*, scatter_add_*) against the CPU backend: every dtype, both axes, strided operands,
 * repeated indices (atomic accumulation), and an out-of-range index raised at the next read with the CPU's message.
 */
class IndexingKernelTest {
    CudaBackend backend() {
        return KernelTestSupport.emulated();
    }

    private KernelTestSupport.Pair indices(long seed, int bound, int... shape) {
        Random r = new Random(seed);
        double[] d = new double[(int) Layouts.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = r.nextInt(bound);
        return KernelTestSupport.pair(backend(), DType.INT32, d, shape);
    }

    @Test
    void gatherInEveryDtypeAlongEachAxis() {
        for (DType t : DType.values()) {
            KernelTestSupport.Pair x = random(backend(), 21, t, true, 5, 7).map(v -> v.transpose(0, 1));
            for (int axis = 0; axis < 2; axis++) {
                int bound = x.shape()[axis];
                int[] is = axis == 0 ? new int[] {9, 4} : new int[] {6, 11};
                KernelTestSupport.Pair idx = indices(22 + axis, bound, is);
                KernelTestSupport.Pair out = empty(backend(), t, is);
                KernelTestSupport.CPU.gather(x.cpu(), axis, idx.cpu(), out.cpu());
                backend().gather(x.dev(), axis, idx.dev(), out.dev());
                assertMatches("gather " + t + " axis " + axis, out);
            }
        }
    }

    @Test
    void scatterAddAccumulatesRepeatedIndicesInEveryDtype() {
        for (DType t : DType.values()) {
            for (int axis = 0; axis < 2; axis++) {
                int[] is = {6, 5};
                KernelTestSupport.Pair src = random(backend(), 31, t, false, is);
                KernelTestSupport.Pair idx = indices(32 + axis, 3, is);
                KernelTestSupport.Pair out = random(backend(), 33, t, false, axis == 0 ? new int[] {3, 5} : new int[] {6, 3});
                KernelTestSupport.CPU.scatterAdd(src.cpu(), axis, idx.cpu(), out.cpu());
                backend().scatterAdd(src.dev(), axis, idx.dev(), out.dev());
                assertMatches("scatterAdd " + t + " axis " + axis, out);
            }
        }
    }

    @Test
    void anOutOfRangeIndexIsRaisedAtTheNextReadWithTheCpuMessage() {
        KernelTestSupport.Pair x = random(backend(), 41, DType.FLOAT32, false, 4, 3);
        double[] bad = {0, 1, 2, 3, 4, 1, -1, 0, 2};
        KernelTestSupport.Pair idx = KernelTestSupport.pair(backend(), DType.INT32, bad, 3, 3);
        KernelTestSupport.Pair out = empty(backend(), DType.FLOAT32, 3, 3);
        IndexOutOfBoundsException cpu = assertThrows(IndexOutOfBoundsException.class,
                () -> KernelTestSupport.CPU.gather(x.cpu(), 0, idx.cpu(), out.cpu()));
        backend().gather(x.dev(), 0, idx.dev(), out.dev());
        IndexOutOfBoundsException dev = assertThrows(IndexOutOfBoundsException.class, () -> out.dev().toDoubleArray());
        assertEquals(cpu.getMessage(), dev.getMessage());
        Tensor fine = Tensor.fromHost(backend(), DType.FLOAT32, new double[] {1, 2}, 2);
        assertEquals(3.0, fine.sum().item(), "the error is raised once; the backend stays usable");
        KernelTestSupport.Pair sOut = empty(backend(), DType.FLOAT32, 4, 3);
        KernelTestSupport.Pair src = random(backend(), 42, DType.FLOAT32, false, 3, 3);
        IndexOutOfBoundsException cpu2 = assertThrows(IndexOutOfBoundsException.class,
                () -> KernelTestSupport.CPU.scatterAdd(src.cpu(), 0, idx.cpu(), sOut.cpu()));
        backend().scatterAdd(src.dev(), 0, idx.dev(), sOut.dev());
        IndexOutOfBoundsException dev2 = assertThrows(IndexOutOfBoundsException.class, () -> backend().synchronize());
        assertEquals(cpu2.getMessage(), dev2.getMessage());
    }
}

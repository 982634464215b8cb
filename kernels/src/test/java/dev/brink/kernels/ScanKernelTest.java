package dev.brink.kernels;

import dev.brink.engine.DType;
import org.junit.jupiter.api.Test;

import static dev.brink.kernels.KernelTestSupport.assertMatches;
import static dev.brink.kernels.KernelTestSupport.empty;
import static dev.brink.kernels.KernelTestSupport.random;

/**
 * scan.cu (cumsum_*) and sort.cu (argsort_load_*, argsort_merge, argsort_store) against the CPU backend: every
 * dtype, forward and reverse, lines shorter and longer than a block, strided lines, and for argsort ties
 * (stability), NaN (last both ways) and signed zeros (equal).
 */
class ScanKernelTest {
    CudaBackend backend() {
        return KernelTestSupport.emulated();
    }

    @Test
    void cumsumInEveryDtypeBothDirections() {
        for (DType t : DType.values()) {
            for (int len : new int[] {1, 5, 256, 700}) {
                KernelTestSupport.Pair x = random(backend(), 61 + len, t, false, 3, len);
                for (int axis = 0; axis < 2; axis++) {
                    for (boolean reverse : new boolean[] {false, true}) {
                        KernelTestSupport.Pair in = axis == 0 ? x.map(v -> v.transpose(0, 1)) : x;
                        KernelTestSupport.Pair out = empty(backend(), t, in.shape());
                        int ax = axis == 0 ? 0 : 1;
                        KernelTestSupport.CPU.cumsum(in.cpu(), ax, reverse, out.cpu());
                        backend().cumsum(in.dev(), ax, reverse, out.dev());
                        dev.brink.engine.Tensor mag = dev.brink.engine.Tensor.empty(KernelTestSupport.CPU, DType.FLOAT64, in.shape());
                        KernelTestSupport.CPU.cumsum(KernelTestSupport.absCpu(in.cpu()), ax, reverse, mag);
                        KernelTestSupport.assertMatchesScaled("cumsum " + t + " len " + len + (reverse ? " reverse" : ""), out.cpu(), out.dev(), mag, len);
                    }
                }
            }
        }
    }

    @Test
    void argsortIsStableWithNanLastInEveryDtype() {
        for (DType t : DType.values()) {
            for (int len : new int[] {1, 2, 3, 7, 64, 300}) {
                double[] d = KernelTestSupport.data(71 + len, t, 4 * len, t != DType.INT32);
                if (t != DType.INT32) for (int i = 0; i < d.length; i += 3) d[i] = Math.rint(d[i]);
                if (t != DType.INT32 && d.length > 10) {
                    d[1] = -0.0;
                    d[2] = 0.0;
                    d[5] = Double.NaN;
                }
                KernelTestSupport.Pair x = KernelTestSupport.pair(backend(), t, d, 4, len);
                for (int axis = 0; axis < 2; axis++) {
                    for (boolean desc : new boolean[] {false, true}) {
                        KernelTestSupport.Pair in = axis == 0 ? x.map(v -> v.transpose(0, 1)) : x;
                        KernelTestSupport.Pair out = empty(backend(), DType.INT32, in.shape());
                        KernelTestSupport.CPU.argsort(in.cpu(), axis, desc, out.cpu());
                        backend().argsort(in.dev(), axis, desc, out.dev());
                        assertMatches("argsort " + t + " len " + len + " axis " + axis + (desc ? " descending" : ""), out);
                    }
                }
            }
        }
    }
}

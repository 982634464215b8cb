package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.backend.PoolGeometry;
import org.junit.jupiter.api.Test;

import static dev.brink.kernels.KernelTestSupport.assertMatches;
import static dev.brink.kernels.KernelTestSupport.empty;
import static dev.brink.kernels.KernelTestSupport.random;

/**
 * pool.cu (maxpool2d_indices_*) against the CPU backend: padding, stride, dilation, a strided input, ties (small
 * integers) and NaN.
 */
class PoolKernelTest {
    CudaBackend backend() {
        return KernelTestSupport.emulated();
    }

    @Test
    void maxPoolSwitchesMatchTheCpu() {
        PoolGeometry[] gs = {PoolGeometry.of(2, 2, 0), PoolGeometry.of(3, 2, 1), PoolGeometry.of(3, 1, 1),
                new PoolGeometry(3, 2, 2, 1, 1, 0, 2, 1), new PoolGeometry(4, 4, 1, 1, 2, 2, 3, 3)};
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (boolean ties : new boolean[] {false, true}) {
                KernelTestSupport.Pair x = random(backend(), 51, t, !ties, 2, 3, 9, 8);
                if (ties) x = x.map(v -> v.sign());
                for (boolean strided : new boolean[] {false, true}) {
                    KernelTestSupport.Pair in = strided ? x.map(v -> v.transpose(2, 3)) : x;
                    for (PoolGeometry g : gs) {
                        int[] s = in.shape();
                        KernelTestSupport.Pair out = empty(backend(), DType.INT32, s[0], s[1], g.outH(s[2]), g.outW(s[3]));
                        KernelTestSupport.CPU.maxPool2dIndices(in.cpu(), g, out.cpu());
                        backend().maxPool2dIndices(in.dev(), g, out.dev());
                        assertMatches("maxPool2dIndices " + t + " " + g + (ties ? " ties" : "") + (strided ? " strided" : ""), out);
                    }
                }
            }
        }
    }
}

package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.OptimizerKernel;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.brink.kernels.KernelTestSupport.CPU;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * optim.cu (sgd_step_*, adam_step_*) against the CPU backend's fused updates (which equal the composed updates bit
 * for bit, FusedOptimizerTest), over three steps on the same inputs: within 1e-12 relative in float64 and a few
 * float32 roundings in float32 (a GPU may contract a*b+c into one rounding).
 */
class OptimizerKernelTest {
    CudaBackend backend() {
        return KernelTestSupport.emulated();
    }

    private static final int N = 1000;

    private static double[] data(long seed, double scale) {
        Random r = new Random(seed);
        double[] d = new double[N];
        for (int i = 0; i < N; i++) d[i] = scale * r.nextGaussian();
        return d;
    }

    /** Runs {@code steps} updates on both backends from the same start; compares parameter and state after each. */
    private void check(OptimizerKernel k, double[][] settings, int states) {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double tol = t == DType.FLOAT64 ? 1e-12 : 2e-6;
            for (double[] s : settings) {
                Tensor[] dev = new Tensor[1 + states], cpu = new Tensor[1 + states];
                for (int j = 0; j <= states; j++) {
                    double[] init = j == 0 ? data(1, 1) : new double[N];  // parameter; zero state
                    dev[j] = Tensor.fromHost(backend(), t, init, 10, 100);
                    cpu[j] = Tensor.fromHost(CPU, t, init, 10, 100);
                }
                for (int step = 1; step <= 3; step++) {
                    double[] g = data(10 + step, 0.5);
                    double[] h = k == OptimizerKernel.SGD
                            ? new double[] {s[0], s[1], s[2], s[3], s[4], step == 1 ? 1 : 0}
                            : new double[] {s[0], s[1], s[2], s[3], s[4], s[5], 1 - Math.pow(s[1], step), 1 - Math.pow(s[2], step)};
                    Tensor gd = Tensor.fromHost(backend(), t, g, 10, 100), gc = Tensor.fromHost(CPU, t, g, 10, 100);
                    if (step == 2) { // the same gradient as a transposed (non-contiguous) view
                        double[] gt = new double[N];
                        for (int i = 0; i < 10; i++) for (int j = 0; j < 100; j++) gt[j * 10 + i] = g[i * 100 + j];
                        gd = Tensor.fromHost(backend(), t, gt, 100, 10).transpose(0, 1);
                        assertTrue(!gd.isContiguous());
                    }
                    Tensor d1 = states > 0 ? dev[1] : null, d2 = states > 1 ? dev[2] : null;
                    Tensor c1 = states > 0 ? cpu[1] : null, c2 = states > 1 ? cpu[2] : null;
                    assertTrue(backend().optimizerStep(k, h, dev[0], gd, d1, d2), k + " " + t + " ran on the device");
                    assertTrue(CPU.optimizerStep(k, h, cpu[0], gc, c1, c2));
                    for (int j = 0; j <= states; j++) {
                        double[] want = cpu[j].toDoubleArray(), got = dev[j].toDoubleArray();
                        for (int i = 0; i < N; i++)
                            assertEquals(want[i], got[i], tol * Math.max(1, Math.abs(want[i])),
                                    k + " " + t + " " + java.util.Arrays.toString(s) + " step " + step + (j == 0 ? " param" : " state " + j) + " [" + i + "]");
                    }
                }
            }
        }
    }

    @Test
    void sgdMatchesTheCpu() {
        check(OptimizerKernel.SGD, new double[][] {{0.1, 0, 0, 0, 0}, {0.05, 0.9, 0, 0, 0}, {0.05, 0.9, 0.1, 1, 5e-4}}, 1);
    }

    @Test
    void adamMatchesTheCpu() {
        check(OptimizerKernel.ADAM, new double[][] {{1e-3, 0.9, 0.999, 1e-8, 0, 0}, {0.02, 0.8, 0.95, 1e-6, 0.1, 0}, {3e-4, 0.9, 0.999, 1e-8, 1e-2, 1}}, 2);
    }

    @Test
    void declinesANonContiguousParameter() {
        Tensor p = Tensor.fromHost(backend(), DType.FLOAT32, data(3, 1), 10, 100);
        double[] before = p.toDoubleArray();
        Tensor g = Tensor.fromHost(backend(), DType.FLOAT32, data(4, 1), 100, 10);
        assertTrue(!backend().optimizerStep(OptimizerKernel.SGD, new double[] {0.1, 0, 0, 0, 0, 0}, p.transpose(0, 1), g, null, null));
        assertArrayEquals(before, p.toDoubleArray(), 0.0);
    }
}

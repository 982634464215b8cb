package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.Loss;
import org.junit.jupiter.api.Test;

import static dev.brink.kernels.KernelTestSupport.CPU;
import static dev.brink.kernels.KernelTestSupport.assertMatches;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * loss.cu (cross_entropy_*) against Loss.crossEntropy(..., NONE) on the CPU in float64: label smoothing 0, 0.1
 * and 1, large logits (log-sum-exp stability), a block-sized class count, and a label out of range.
 */
class LossKernelTest {
    CudaBackend backend() {
        return KernelTestSupport.emulated();
    }

    @Test
    void perSampleCrossEntropyWithLabelSmoothing() {
        for (int k : new int[] {10, 300}) {
            int n = 7;
            double[] z = KernelTestSupport.data(200 + k, DType.FLOAT64, n * k, false);
            for (int i = 0; i < k; i++) z[i] *= 60; // sample 0: large logits
            double[] y = new double[n];
            for (int i = 0; i < n; i++) y[i] = (i * 7 + 3) % k;
            for (double s : new double[] {0, 0.1, 1}) {
                Tensor want = Loss.crossEntropy(Tensor.fromHost(CPU, DType.FLOAT64, z, n, k),
                        Tensor.fromHost(CPU, DType.INT32, y, n), s, Loss.Reduction.NONE);
                for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                    Tensor zt = Tensor.fromHost(CPU, t, z, n, k).to(DType.FLOAT64);
                    Tensor ref = Loss.crossEntropy(zt, Tensor.fromHost(CPU, DType.INT32, y, n), s, Loss.Reduction.NONE);
                    Tensor got = backend().crossEntropy(Tensor.fromHost(backend(), t, z, n, k), Tensor.fromHost(backend(), DType.INT32, y, n), s);
                    assertMatches("crossEntropy k " + k + " smoothing " + s + " " + t, t == DType.FLOAT64 ? want : ref.to(DType.FLOAT32), got, 2);
                }
            }
        }
    }

    @Test
    void aLabelOutOfRangeIsReported() {
        Tensor z = Tensor.fromHost(backend(), DType.FLOAT32, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor y = Tensor.fromHost(backend(), DType.INT32, new double[] {2, 3}, 2);
        Tensor loss = backend().crossEntropy(z, y, 0.0);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, loss::toDoubleArray);
        assertTrue(e.getMessage().contains("label 1 (row-major) = 3 is out of range [0, 3)"), e.getMessage());
    }
}

package dev.brink.kernels;

import dev.brink.engine.Autograd;
import dev.brink.engine.GradOptions;
import dev.brink.engine.DType;
import dev.brink.engine.Derivatives;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static dev.brink.kernels.KernelTestSupport.CPU;
import static dev.brink.kernels.KernelTestSupport.assertMatches;
import static dev.brink.kernels.KernelTestSupport.assertMatchesAbs;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * emr.cu (emr_seeds_*, row_sqnorm_*, emr_pair_sqnorm_*): the seeds against their definition, and the whole EMR
 * row computation (replicate the batch K times, one backward pass with the K seed blocks, squared norms of the
 * rows and of their differences) on the CUDA backend against Derivatives.jacobianRows (K passes) on the CPU.
 */
class EmrKernelTest {
    CudaBackend backend() {
        return KernelTestSupport.emulated();
    }

    @Test
    void seedsAreOneHotBlocks() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            int k = 4, b = 3;
            double[] want = new double[k * b * k];
            for (int c = 0; c < k; c++) for (int i = 0; i < b; i++) want[(c * b + i) * k + c] = 1;
            assertMatches("emrSeeds " + t, Tensor.fromHost(CPU, t, want, k * b, k), backend().emrSeeds(t, k, b));
        }
    }

    /** A small nonlinear classifier [B, 6] -> [B, 4] built from engine ops on either backend. */
    static Function<Tensor, Tensor> model(Backend be, DType t, boolean inFloat64) {
        Tensor w1 = Tensor.fromHost(be, t, KernelTestSupport.data(301, DType.FLOAT64, 6 * 9, false), 6, 9);
        Tensor w2 = Tensor.fromHost(be, t, KernelTestSupport.data(302, DType.FLOAT64, 9 * 4, false), 9, 4);
        Tensor v1 = inFloat64 ? w1.to(DType.FLOAT64) : w1, v2 = inFloat64 ? w2.to(DType.FLOAT64) : w2;
        return x -> x.matmul(v1).tanh().matmul(v2);
    }

    @Test
    void oneBackwardPassWithTheSeedsGivesEveryJacobianRow() {
        int b = 5, k = 4, d = 6;
        double[] xs = KernelTestSupport.data(303, DType.FLOAT64, b * d, false);
        double[] labels = {0, 3, 1, 1, 2};
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            // float64 reference on the same (rounded) inputs and weights
            Function<Tensor, Tensor> ref = model(CPU, t, true);
            Tensor rowsCpu = Derivatives.jacobianRows(ref, Tensor.fromHost(CPU, t, xs, b, d).to(DType.FLOAT64), false); // [K, B, D]
            double atol = t == DType.FLOAT64 ? 1e-12 : 2e-5; // float32: ~40 accumulated products of magnitude ~5

            CudaBackend be = backend();
            Tensor x = Tensor.fromHost(be, t, xs, b, d);
            Tensor xr = x.unsqueeze(0).expand(k, b, d).reshape(k * b, d).contiguous().requiresGrad(true);
            Tensor logits = model(be, t, false).apply(xr); // [K * B, K]
            Tensor seeds = be.emrSeeds(t, k, b);
            Tensor rows = Autograd.grad(logits, xr, GradOptions.defaults().gradOutputs(seeds))[0];
            Tensor want = rowsCpu.reshape(k * b, d);
            assertMatchesAbs("Jacobian rows " + t, t == DType.FLOAT64 ? want : want.to(t), rows, atol);

            Tensor norms = be.rowSquaredNorms(rows);
            Tensor wantNorms = want.square().sum(new int[] {1}, false);
            assertMatchesAbs("row squared norms " + t, t == DType.FLOAT64 ? wantNorms : wantNorms.to(t), norms, 10 * atol);

            Tensor y = Tensor.fromHost(be, DType.INT32, labels, b);
            Tensor pairs = be.emrPairSquaredNorms(rows.reshape(k, b, d), y);
            double[] jr = rowsCpu.toDoubleArray();
            double[] pw = new double[b * k];
            for (int i = 0; i < b; i++)
                for (int j = 0; j < k; j++)
                    for (int q = 0; q < d; q++) {
                        double v = jr[((int) labels[i] * b + i) * d + q] - jr[(j * b + i) * d + q];
                        pw[i * k + j] += v * v;
                    }
            double largest = 1;  // the squared norms reach the hundreds: float32 rounding scales with them
            for (double v : pw) largest = Math.max(largest, Math.abs(v));
            assertMatchesAbs("pair squared norms " + t, Tensor.fromHost(CPU, DType.FLOAT64, pw, b, k).to(t), pairs, 10 * atol * largest);
        }
    }

    @Test
    void rowSquaredNormsOfLongRowsAndABadLabel() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double[] v = KernelTestSupport.data(304, DType.FLOAT64, 3 * 1000, false);
            Tensor cpu = Tensor.fromHost(CPU, DType.FLOAT64, v, 3, 10, 100);
            Tensor want = cpu.square().sum(new int[] {1, 2}, false);
            assertMatches("rowSquaredNorms " + t, t == DType.FLOAT64 ? want : want.to(DType.FLOAT32),
                    backend().rowSquaredNorms(Tensor.fromHost(backend(), t, v, 3, 10, 100)), 2);
        }
        Tensor jac = Tensor.fromHost(backend(), DType.FLOAT32, new double[12], 2, 3, 2);
        Tensor out = backend().emrPairSquaredNorms(jac, Tensor.fromHost(backend(), DType.INT32, new double[] {0, 5, 1}, 3));
        assertThrows(IndexOutOfBoundsException.class, out::toDoubleArray);
    }
}

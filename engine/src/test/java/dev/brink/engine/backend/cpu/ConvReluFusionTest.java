package dev.brink.engine.backend.cpu;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradOptions;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * conv2d with a bias and {@code conv2d_relu} apply the bias (and relu) in place to the convolution's output; their
 * values, gradients and gradients of gradients must be those of the separate convolution, broadcast addition and
 * relu, bit for bit, in float32 and float64, on one thread and three. (Their finite-difference checks are in
 * GradCheckCases.)
 */
class ConvReluFusionTest {
    @AfterEach
    void restore() {
        CpuParallel.setThreads(0);
    }

    /** The composition the fused ops replace: conv2d without bias, then add, then relu. */
    private static Tensor composed(Tensor x, Tensor w, Tensor b, ConvGeometry g, boolean relu) {
        Tensor y = F.conv2d(x, w, null, g);
        if (b != null) y = y.add(b.reshape(1, b.size(0), 1, 1));
        return relu ? y.relu() : y;
    }

    private static Tensor fused(Tensor x, Tensor w, Tensor b, ConvGeometry g, boolean relu) {
        return relu ? F.conv2dRelu(x, w, b, g) : F.conv2d(x, w, b, g);
    }

    @Test
    void valuesGradientsAndSecondOrderEqualTheComposition() {
        Generator gen = new Generator(11);
        for (int threads : new int[] {1, 3}) {
            CpuParallel.setThreads(threads);
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                for (boolean relu : new boolean[] {false, true}) {
                    for (boolean bias : new boolean[] {false, true}) {
                        if (!relu && !bias) continue;
                        for (ConvGeometry g : new ConvGeometry[] {ConvGeometry.of(1, 2), ConvGeometry.of(2, 1)}) {
                            String what = dt.label() + (relu ? " relu" : "") + (bias ? " bias" : "") + " " + g + " threads " + threads;
                            Tensor x = Tensor.randn(gen, dt, 3, 2, 9, 9).requiresGrad(true);
                            Tensor w = Tensor.randn(gen, dt, 4, 2, 5, 5).requiresGrad(true);
                            Tensor b = bias ? Tensor.randn(gen, dt, 4).mul(2.0).detach().requiresGrad(true) : null;
                            Tensor yf = fused(x, w, b, g, relu), yc = composed(x, w, b, g, relu);
                            assertArrayEquals(yc.toDoubleArray(), yf.toDoubleArray(), 0.0, what + ": values");
                            if (relu) {
                                int zeros = 0;
                                for (double v : yf.toDoubleArray()) if (v == 0) zeros++;
                                assertTrue(zeros > 0 && zeros < yf.numel(), what + ": relu cuts some outputs, not all (" + zeros + ")");
                            }
                            Tensor v = Tensor.randn(gen, dt, yf.shape());
                            Tensor[] in = b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
                            // first order, and the input gradient's squared norm differentiated again (double backprop)
                            Tensor[] gf = Autograd.grad(yf.mul(v).sum(), in, GradOptions.defaults().createGraph());
                            Tensor[] gc = Autograd.grad(yc.mul(v).sum(), in, GradOptions.defaults().createGraph());
                            for (int i = 0; i < in.length; i++)
                                assertArrayEquals(gc[i].toDoubleArray(), gf[i].toDoubleArray(), 0.0, what + ": gradient " + i);
                            Tensor[] hf = Autograd.grad(gf[0].square().sum().add(gf[1].mul(gf[0].sum()).sum()), new Tensor[] {x, w}, GradOptions.defaults().allowUnused());
                            Tensor[] hc = Autograd.grad(gc[0].square().sum().add(gc[1].mul(gc[0].sum()).sum()), new Tensor[] {x, w}, GradOptions.defaults().allowUnused());
                            for (int i = 0; i < 2; i++)
                                assertArrayEquals(hc[i].toDoubleArray(), hf[i].toDoubleArray(), 0.0, what + ": second order " + i);
                        }
                    }
                }
            }
        }
    }

    /**
     * A backend without the CPU's one-pass kernels (CountingBackend: every kernel on the CPU, the Backend interface's
     * defaults for the rest, as the CUDA backend runs them) applies the bias and relu with its addition and relu
     * kernels writing into their own input: the same values, and batch norm + relu the same as on the CPU.
     */
    @Test
    void theBackendDefaultsWritingInPlaceGiveTheCpuKernelsValues() {
        Generator gen = new Generator(17);
        dev.brink.engine.backend.CountingBackend other = new dev.brink.engine.backend.CountingBackend(false);
        Tensor x = Tensor.randn(gen, DType.FLOAT32, 2, 3, 7, 7), w = Tensor.randn(gen, DType.FLOAT32, 4, 3, 3, 3);
        Tensor b = Tensor.randn(gen, DType.FLOAT32, 4);
        Tensor xo = on(other, x), wo = on(other, w), bo = on(other, b);
        for (boolean relu : new boolean[] {false, true}) {
            Tensor cpu = fused(x, w, b, ConvGeometry.of(1, 1), relu), moved = fused(xo, wo, bo, ConvGeometry.of(1, 1), relu);
            assertTrue(moved.backend() == other, "the result stays on the inputs' backend");
            assertArrayEquals(cpu.toDoubleArray(), moved.toDoubleArray(), 0.0, "conv2d" + (relu ? "_relu" : " with bias"));
        }
        Tensor y = Tensor.randn(gen, DType.FLOAT32, 4, 3, 5, 5), c = Tensor.randn(gen, DType.FLOAT32, 3), s = Tensor.randn(gen, DType.FLOAT32, 3);
        Tensor rm = Tensor.zeros(DType.FLOAT32, 3), rv = Tensor.full(DType.FLOAT32, 1.0, 3);
        Tensor cpu = F.batchNormRelu(y, c, s, rm, rv, true, 0.1, 1e-5);
        Tensor moved = F.batchNormRelu(on(other, y), on(other, c), on(other, s), on(other, rm), on(other, rv), true, 0.1, 1e-5);
        assertArrayEquals(cpu.toDoubleArray(), moved.toDoubleArray(), 2e-6, "batch norm + relu");
    }

    private static Tensor on(dev.brink.engine.backend.Backend b, Tensor t) {
        return Tensor.fromHost(b, t.dtype(), t.toDoubleArray(), t.shape());
    }

    @Test
    void oneOutputTensorIsRecordedAsOneOp() {
        Generator gen = new Generator(3);
        Tensor x = Tensor.randn(gen, DType.FLOAT32, 1, 1, 4, 4).requiresGrad(true);
        Tensor w = Tensor.randn(gen, DType.FLOAT32, 2, 1, 3, 3);
        Tensor b = Tensor.randn(gen, DType.FLOAT32, 2);
        assertEquals("conv2d_relu", F.conv2dRelu(x, w, b, ConvGeometry.of(1, 1)).gradFn());
        assertEquals("conv2d", F.conv2d(x, w, b, ConvGeometry.of(1, 1)).gradFn());
    }

    @Test
    void aBiasOfTheWrongShapeIsNamed() {
        Generator gen = new Generator(3);
        Tensor x = Tensor.randn(gen, DType.FLOAT32, 1, 1, 4, 4);
        Tensor w = Tensor.randn(gen, DType.FLOAT32, 2, 1, 3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.conv2dRelu(x, w, Tensor.randn(gen, DType.FLOAT32, 3), ConvGeometry.of(1, 1)));
        assertTrue(e.getMessage().contains("conv2d_relu") && e.getMessage().contains("[3]"), e.getMessage());
    }
}

package dev.brink.engine.backend.cpu;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.ChannelOps;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU's per-channel batch-norm kernels ({@link CpuChannelOps}) against the tensor-op composition they replace
 * (the formulas of the {@code Backend} defaults), in float32 and float64, contiguous and permuted inputs, on 3 threads; and
 * {@link F#batchNorm} in float32 (forward and the gradients of x, weight and bias, training and evaluation mode)
 * against batch norm's previous composition (subtract, square, mean, divide, multiply, add), which it replaced.
 * The float64 first- and second-order gradient checks of both ops are in GradCheckCases.
 */
class CpuChannelOpsTest {
    @AfterEach
    void restore() {
        CpuParallel.setThreads(0);
    }

    @Test
    void kernelsMatchTheComposition() {
        CpuParallel.setThreads(3);
        Generator g = new Generator(5);
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int[] shape : new int[][] {{32, 64, 8, 8}, {3, 5, 7, 3}, {6, 4}, {2, 3, 5}}) {
                int c = shape[1];
                Tensor x = Tensor.randn(g, dt, shape).mul(3.0).add(2.0);
                Tensor center = Tensor.randn(g, dt, c), scale = Tensor.randn(g, dt, c), shift = Tensor.randn(g, dt, c);
                Tensor permuted = x.dim() == 4 ? x.permute(0, 1, 3, 2) : x.dim() == 3 ? x.permute(0, 1, 2) : x.transpose(0, 1).transpose(0, 1);
                for (Tensor in : new Tensor[] {x, permuted, x.mul(1.0).transpose(0, 1).contiguous().transpose(0, 1)}) {
                    String what = dt.label() + " " + java.util.Arrays.toString(shape) + (in.isContiguous() ? "" : " strided");
                    Tensor fused = CpuBackend.INSTANCE.channelNormalize(in, center, scale, shift);
                    Tensor composed = composedNormalize(in, center, scale, shift);
                    assertTrue(fused.isContiguous(), what);
                    // the same three roundings as the composed subtract, multiply, add: equal in either dtype
                    assertArrayEquals(composed.toDoubleArray(), fused.toDoubleArray(), 0.0, what + " normalize");
                    Tensor mean = in.mean(ChannelOpsAxes.of(in), false);
                    double[] v = CpuBackend.INSTANCE.channelVariance(in, mean).toDoubleArray();
                    double[] ref = composedVariance(in.to(DType.FLOAT64), mean.to(DType.FLOAT64)).toDoubleArray();
                    double tol = dt == DType.FLOAT32 ? 2e-6 : 1e-12;
                    for (int i = 0; i < c; i++) assertEquals(ref[i], v[i], tol * Math.max(1, Math.abs(ref[i])), what + " variance " + i);
                    // combine: the composed multiplications and additions' roundings, so equal in either dtype
                    Tensor u = Tensor.randn(g, dt, in.shape());
                    Tensor combined = CpuBackend.INSTANCE.channelCombine(u, in, center, scale, shift);
                    int[] cs = channelShape(in);
                    Tensor combinedRef = u.mul(center.reshape(cs)).add(in.mul(scale.reshape(cs))).add(shift.reshape(cs));
                    assertTrue(combined.isContiguous(), what);
                    assertArrayEquals(combinedRef.toDoubleArray(), combined.toDoubleArray(), 0.0, what + " combine");
                    // the centered dot product against the float64 composition, g strided like x or not
                    for (Tensor gy : new Tensor[] {Tensor.randn(g, dt, in.shape()), in.mul(-0.5)}) {
                        double[] d = CpuBackend.INSTANCE.channelCenteredDot(gy, in, center).toDoubleArray();
                        Tensor g64 = gy.to(DType.FLOAT64), x64 = in.to(DType.FLOAT64);
                        double[] dref = g64.mul(x64.sub(center.to(DType.FLOAT64).reshape(channelShape(in)))).sum(ChannelOpsAxes.of(in), false).toDoubleArray();
                        double[] scaleRef = g64.abs().mul(x64.sub(center.to(DType.FLOAT64).reshape(channelShape(in))).abs()).sum(ChannelOpsAxes.of(in), false).toDoubleArray();
                        for (int i = 0; i < c; i++)
                            assertEquals(dref[i], d[i], tol * Math.max(1, scaleRef[i]), what + " centered dot " + i);
                    }
                }
            }
        }
    }

    @Test
    void batchNormMatchesItsPreviousCompositionInFloat32() {
        CpuParallel.setThreads(2);
        Generator g = new Generator(9);
        for (boolean training : new boolean[] {true, false}) {
            for (int[] shape : new int[][] {{32, 64, 16, 16}, {8, 12}}) {
                int c = shape[1];
                Tensor x = Tensor.randn(g, DType.FLOAT32, shape).mul(2.0).add(0.5).requiresGrad(true);
                Tensor w = Tensor.randn(g, DType.FLOAT32, c).requiresGrad(true), b = Tensor.randn(g, DType.FLOAT32, c).requiresGrad(true);
                Tensor rm = Tensor.randn(g, DType.FLOAT32, c), rv = Tensor.rand(g, DType.FLOAT32, c).add(0.5);
                Tensor gy = Tensor.randn(g, DType.FLOAT32, shape);
                Tensor rmNew = rm.mul(1.0), rvNew = rv.mul(1.0), rmOld = rm.mul(1.0), rvOld = rv.mul(1.0);
                Tensor yNew = F.batchNorm(x, w, b, rmNew, rvNew, training, 0.1, 1e-5);
                Tensor yOld = previousBatchNorm(x, w, b, rmOld, rvOld, training, 0.1, 1e-5);
                String what = (training ? "train " : "eval ") + java.util.Arrays.toString(shape);
                assertClose(yOld, yNew, 2e-5, what + " output");
                assertClose(rmOld, rmNew, 1e-6, what + " running mean");
                assertClose(rvOld, rvNew, 1e-5, what + " running var");
                Tensor[] gNew = Autograd.grad(yNew.mul(gy).sum(), x, w, b), gOld = Autograd.grad(yOld.mul(gy).sum(), x, w, b);
                String[] names = {"x", "weight", "bias"};
                for (int i = 0; i < 3; i++) assertClose(gOld[i], gNew[i], 1e-4, what + " gradient of " + names[i]);
            }
        }
    }

    @Test
    void batchNormReluEqualsBatchNormThenReluBitForBit() {
        Generator g = new Generator(13);
        for (int threads : new int[] {1, 3}) {
            CpuParallel.setThreads(threads);
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                for (boolean training : new boolean[] {true, false}) {
                    for (int[] shape : new int[][] {{8, 16, 6, 6}, {5, 7}}) {
                        String what = dt.label() + (training ? " train " : " eval ") + java.util.Arrays.toString(shape) + " threads " + threads;
                        int c = shape[1];
                        Tensor x = Tensor.randn(g, dt, shape).mul(2.0).add(0.3).requiresGrad(true);
                        Tensor w = Tensor.randn(g, dt, c).requiresGrad(true), b = Tensor.randn(g, dt, c).requiresGrad(true);
                        Tensor rm = Tensor.randn(g, dt, c), rv = Tensor.rand(g, dt, c).add(0.5);
                        Tensor rm2 = rm.mul(1.0), rv2 = rv.mul(1.0);
                        Tensor fused = F.batchNormRelu(x, w, b, rm, rv, training, 0.1, 1e-5);
                        Tensor composed = F.batchNorm(x, w, b, rm2, rv2, training, 0.1, 1e-5).relu();
                        assertEquals(training ? "batch_norm" : "channel_normalize_relu", fused.gradFn(), what);
                        assertArrayEquals(composed.toDoubleArray(), fused.toDoubleArray(), 0.0, what + " output");
                        assertArrayEquals(rv2.toDoubleArray(), rv.toDoubleArray(), 0.0, what + " running variance");
                        int zeros = 0;
                        for (double v : fused.toDoubleArray()) if (v == 0) zeros++;
                        assertTrue(zeros > 0 && zeros < fused.numel(), what + ": relu cuts some outputs, not all");
                        Tensor gy = Tensor.randn(g, dt, shape);
                        Tensor[] in = {x, w, b};
                        Tensor[] gf = Autograd.grad(fused.mul(gy).sum(), in, dev.brink.engine.GradOptions.defaults().createGraph());
                        Tensor[] gc = Autograd.grad(composed.mul(gy).sum(), in, dev.brink.engine.GradOptions.defaults().createGraph());
                        for (int i = 0; i < 3; i++) assertArrayEquals(gc[i].toDoubleArray(), gf[i].toDoubleArray(), 0.0, what + " gradient " + i);
                        Tensor[] hf = Autograd.grad(gf[0].square().sum(), in, dev.brink.engine.GradOptions.defaults().allowUnused());
                        Tensor[] hc = Autograd.grad(gc[0].square().sum(), in, dev.brink.engine.GradOptions.defaults().allowUnused());
                        for (int i = 0; i < 3; i++)
                            assertArrayEquals(hc[i].toDoubleArray(), hf[i].toDoubleArray(), 0.0, what + " second order " + i);
                    }
                }
            }
        }
    }

    @Test
    void rejectsMismatchedChannelTensors() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 2, 3, 4, 4), c3 = Tensor.zeros(DType.FLOAT32, 3), c4 = Tensor.zeros(DType.FLOAT32, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChannelOps.channelNormalize(x, c3, c4, c3));
        assertTrue(e.getMessage().contains("scale must be [3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChannelOps.channelCenteredDot(Tensor.zeros(DType.FLOAT32, 2, 3, 4, 5), x, c3));
        assertTrue(e.getMessage().contains("channel_centered_dot: g [2, 3, 4, 5] and x [2, 3, 4, 4] differ in shape"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChannelOps.channelCenteredDot(Tensor.zeros(DType.FLOAT64, 2, 3, 4, 4), x, c3));
        assertTrue(e.getMessage().contains("channel_centered_dot: dtypes differ: float64 [2, 3, 4, 4] vs float32 [2, 3, 4, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChannelOps.channelCombine(x, Tensor.zeros(DType.FLOAT32, 2, 3, 4, 5), c3, c3, c3));
        assertTrue(e.getMessage().contains("channel_combine: v [2, 3, 4, 5] and u [2, 3, 4, 4] differ in shape"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChannelOps.channelCombine(x, null, c3, c3, c3));
        assertTrue(e.getMessage().contains("channel_combine: argument 'v' is null"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChannelOps.channelCombine(x, x, c3, c4, c3));
        assertTrue(e.getMessage().contains("b must be [3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChannelOps.channelCenteredDot(x, x, c4));
        assertTrue(e.getMessage().contains("center must be [3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChannelOps.channelVariance(x, Tensor.zeros(DType.FLOAT64, 3)));
        assertTrue(e.getMessage().contains("mean is float64 but x is float32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChannelOps.channelVariance(Tensor.zeros(DType.FLOAT32, 3), c3));
        assertTrue(e.getMessage().contains("rank >= 2"), e.getMessage());
    }

    /** {@code (x - center) * scale + shift} through tensor ops, as {@code Backend.channelNormalize}'s default. */
    private static Tensor composedNormalize(Tensor x, Tensor center, Tensor scale, Tensor shift) {
        int[] b = new int[x.dim()];
        java.util.Arrays.fill(b, 1);
        b[1] = x.size(1);
        return x.sub(center.reshape(b)).mul(scale.reshape(b)).add(shift.reshape(b));
    }

    private static int[] channelShape(Tensor x) {
        int[] b = new int[x.dim()];
        java.util.Arrays.fill(b, 1);
        b[1] = x.size(1);
        return b;
    }

    /** The mean over each channel of {@code (x - mean)^2} through tensor ops, as {@code Backend.channelVariance}'s default. */
    private static Tensor composedVariance(Tensor x, Tensor mean) {
        int[] b = new int[x.dim()];
        java.util.Arrays.fill(b, 1);
        b[1] = x.size(1);
        return x.sub(mean.reshape(b)).square().mean(ChannelOpsAxes.of(x), false);
    }

    /** Batch norm as it was composed before the per-channel kernels (the engine's code up to this change). */
    private static Tensor previousBatchNorm(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                            boolean training, double momentum, double eps) {
        int c = x.size(1);
        int[] axes = x.dim() == 4 ? new int[] {0, 2, 3} : new int[] {0};
        int[] bshape = x.dim() == 4 ? new int[] {1, c, 1, 1} : new int[] {1, c};
        Tensor y;
        if (training) {
            int n = x.numel() / c;
            Tensor mean = x.mean(axes, true);
            Tensor centered = x.sub(mean);
            Tensor var = centered.square().mean(axes, true);
            try (GradMode.Scope s = GradMode.noGrad()) {
                Tensor m = mean.detach().reshape(c);
                Tensor v = var.detach().reshape(c).mul((double) n / (n - 1));
                runningMean.assign(runningMean.mul(1 - momentum).add(m.mul(momentum)));
                runningVar.assign(runningVar.mul(1 - momentum).add(v.mul(momentum)));
            }
            y = centered.div(var.add(eps).sqrt());
        } else {
            y = x.sub(runningMean.reshape(bshape)).div(runningVar.reshape(bshape).add(eps).sqrt());
        }
        return y.mul(weight.reshape(bshape)).add(bias.reshape(bshape));
    }

    private static void assertClose(Tensor expected, Tensor actual, double rtol, String what) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        assertEquals(e.length, a.length, what);
        double scale = 0;
        for (double v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++)
            assertEquals(e[i], a[i], rtol * Math.max(1.0, scale), what + " at " + i);
    }

    /** The non-channel axes of a rank >= 2 tensor. */
    private static final class ChannelOpsAxes {
        static int[] of(Tensor x) {
            int[] a = new int[x.dim() - 1];
            for (int i = 2; i < x.dim(); i++) a[i - 1] = i;
            return a;
        }
    }

    @Test
    void normalizeKeepsItsInputForTheBackwardOnlyWhenTheScaleNeedsAGradient() throws Exception {
        // an attack on a frozen network: the input gradient through batch norm needs the output mask, not x
        Generator gen = new Generator(31);
        Tensor center = Tensor.randn(gen, DType.FLOAT32, 8), shift = Tensor.randn(gen, DType.FLOAT32, 8);
        Tensor scale = Tensor.rand(gen, DType.FLOAT32, 8).add(0.5);
        Tensor input = Tensor.randn(gen, DType.FLOAT32, 4, 8, 16, 16).requiresGrad(true);
        for (boolean scaleGrad : new boolean[] {false, true}) {
            Tensor s = scaleGrad ? scale.detach().requiresGrad(true) : scale;
            Tensor x = input.mul(2.0); // an intermediate: only the graph could keep it alive
            java.lang.ref.WeakReference<Object> xStorage = new java.lang.ref.WeakReference<>(x.storage());
            Tensor y = ChannelOps.channelNormalizeRelu(x, center, s, shift);
            x = null;
            for (int i = 0; i < 20 && xStorage.get() != null; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertEquals(scaleGrad, xStorage.get() != null, scaleGrad
                    ? "the scale's gradient needs x: the graph must keep it" : "the graph kept x, which its backward never reads");
            Tensor[] g = Autograd.grad(y.square().sum(), scaleGrad ? new Tensor[] {input, s} : new Tensor[] {input});
            // d/d input of sum(relu(2 input * s + shift)^2) (center folded into the shift): 4 s relu(...)
            float[] in = input.toFloatArray(), gi = g[0].toFloatArray(), sc = s.toFloatArray(), ce = center.toFloatArray(), sh = shift.toFloatArray();
            for (int j = 0; j < in.length; j++) {
                int c = (j / 256) % 8;
                double z = Math.max(0, (2 * in[j] - ce[c]) * sc[c] + sh[c]);
                assertEquals(4 * z * sc[c], gi[j], 1e-4 * (1 + Math.abs(z)), "element " + j);
            }
        }
    }
}

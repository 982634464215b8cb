package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Function;

import static dev.brink.kernels.KernelTestSupport.CPU;
import static dev.brink.kernels.KernelTestSupport.assertMatchesAbs;

/**
 * attack.cu (sign_step_*, l2_step_*, project_linf_*, project_l2_*, project_l1_*) against the same formulas
 * composed from engine ops on the CPU in float64 (robust.attack.Projections' definitions: steepest directions,
 * ball projection then box clip, Duchi et al.'s sort-based L1 projection) on the same inputs; and the same kernels
 * reached as the engine reaches them, through the {@link Backend} methods that CudaBackend overrides, against the
 * CPU backend's kernels for those methods, over layouts, boxes, radii and empty batches.
 */
class AttackKernelTest {
    CudaBackend backend() {
        return KernelTestSupport.emulated();
    }

    static final int[] SHAPE = {5, 3, 4, 7};

    /** x0 in [0, 1], a perturbation of mixed size (sample 0 stays tiny) and a gradient with zeros and ties. */
    static double[][] inputs(long seed) {
        Random r = new Random(seed);
        int n = 5 * 84;
        double[] x0 = new double[n], x = new double[n], g = new double[n];
        for (int i = 0; i < n; i++) {
            x0[i] = r.nextDouble();
            double scale = i < 84 ? 1e-3 : 0.02 * (1 + i / 84);
            x[i] = x0[i] + scale * r.nextGaussian() * (i % 5 == 0 ? 3 : 1);
            if (i % 17 == 0) x[i] = x0[i] + 0.25;
            g[i] = i % 11 == 0 ? 0 : Math.rint(r.nextGaussian() * 4) / 4;
        }
        return new double[][] {x0, x, g};
    }

    /**
     * The kernel on inputs of each dtype against the reference in float64 on the same (rounded) inputs: within
     * 1e-12 for float64 and 4 float32 roundings of the inputs' scale (about 1) for float32.
     */
    private void check(String what, Function<Tensor[], Tensor> kernel, Function<Tensor[], Tensor> reference, double[]... data) {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor[] in = new Tensor[data.length], ref = new Tensor[data.length];
            for (int i = 0; i < data.length; i++) {
                in[i] = Tensor.fromHost(backend(), t, data[i], SHAPE);
                ref[i] = Tensor.fromHost(CPU, t, data[i], SHAPE).to(DType.FLOAT64);
            }
            Tensor got = kernel.apply(in);
            Tensor expected = reference.apply(ref);
            assertMatchesAbs(what + " " + t, t == DType.FLOAT64 ? expected : expected.to(DType.FLOAT32), got,
                    t == DType.FLOAT64 ? 1e-12 : 4 * 0x1.0p-24);
        }
    }

    static Tensor perSample(Tensor v, Tensor like) {
        int[] s = new int[like.dim()];
        java.util.Arrays.fill(s, 1);
        s[0] = like.size(0);
        return v.reshape(s);
    }

    @Test
    void signStep() {
        double[][] in = inputs(1);
        check("signStep", a -> backend().signStep(a[0], a[1], 0.03), a -> a[0].add(a[1].sign().mul(0.03)), in[1], in[2]);
    }

    @Test
    void l2Step() {
        double[][] in = inputs(2);
        java.util.Arrays.fill(in[2], 0, 84, 0.0); // a zero gradient for sample 0
        check("l2Step", a -> backend().l2Step(a[0], a[1], 0.5),
                a -> a[0].add(a[1].div(perSample(F.l2Norm(a[1]).maximum(1e-12), a[1])).mul(0.5)), in[1], in[2]);
    }

    @Test
    void projectLinf() {
        double[][] in = inputs(3);
        for (double eps : new double[] {0.0, 0.01, 0.1}) {
            check("projectLinf eps " + eps, a -> backend().projectLinf(a[0], a[1], eps, 0, 1),
                    a -> a[0].clamp(a[1].sub(eps).maximum(0.0), a[1].add(eps).minimum(1.0)), in[1], in[0]);
        }
    }

    @Test
    void projectL2() {
        double[][] in = inputs(4);
        for (double eps : new double[] {0.0, 0.05, 0.5, 10}) {
            check("projectL2 eps " + eps, a -> backend().projectL2(a[0], a[1], eps, 0, 1), a -> {
                Tensor d = a[0].sub(a[1]);
                Tensor norm = F.l2Norm(d);
                Tensor factor = norm.gt(eps).mul(norm.maximum(1e-12).reciprocal().mul(eps).sub(1.0)).add(1.0);
                return a[1].add(d.mul(perSample(factor, d))).clamp(0.0, 1.0);
            }, in[1], in[0]);
        }
    }

    @Test
    void projectL1() {
        double[][] in = inputs(5);
        for (double eps : new double[] {0.0, 0.01, 0.3, 2.0, 100}) {
            check("projectL1 eps " + eps, a -> backend().projectL1(a[0], a[1], eps, 0, 1),
                    a -> a[1].add(duchi(a[0].sub(a[1]), eps)).clamp(0.0, 1.0), in[1], in[0]);
        }
    }

    /** Duchi et al. (2008), sort-based, as robust.attack.Projections.projectL1 composes it. */
    static Tensor duchi(Tensor d, double eps) {
        int n = d.size(0);
        Tensor flat = d.reshape(n, -1);
        int m = flat.size(1);
        Tensor abs = flat.abs();
        Tensor inside = abs.sum(new int[] {1}, true).le(eps);
        Tensor sorted = abs.sort(1, true);
        Tensor cums = sorted.cumsum(1);
        Tensor ks = Tensor.arange(d.dtype(), m).add(1.0).reshape(1, m);
        Tensor cond = sorted.gt(cums.sub(eps).div(ks));
        Tensor rho = cond.sum(new int[] {1}, true).maximum(1.0);
        Tensor cumAtRho = cums.mul(ks.eq(rho)).sum(new int[] {1}, true);
        Tensor theta = cumAtRho.sub(eps).div(rho).maximum(0.0);
        Tensor shrunk = flat.sign().mul(abs.sub(theta).maximum(0.0));
        return Tensor.where(inside, flat, shrunk).reshape(d.shape());
    }

    /** One Backend attack-step call. */
    interface Call {
        Tensor on(Backend b, Tensor x, Tensor y);
    }

    /** Every method with several steps, radii and boxes, named. */
    static java.util.Map<String, Call> calls() {
        java.util.Map<String, Call> m = new java.util.LinkedHashMap<>();
        m.put("signStep 0.03", (b, x, y) -> b.signStep(x, y, 0.03));
        m.put("signStep -0.5", (b, x, y) -> b.signStep(x, y, -0.5));
        m.put("l2Step 0.5", (b, x, y) -> b.l2Step(x, y, 0.5));
        m.put("l2Step 0", (b, x, y) -> b.l2Step(x, y, 0));
        for (double eps : new double[] {0, 0.02, 0.3, Double.POSITIVE_INFINITY}) {
            m.put("projectLinf " + eps, (b, x, y) -> b.projectLinf(x, y, eps, 0, 1));
            m.put("projectL2 " + eps, (b, x, y) -> b.projectL2(x, y, eps, 0, 1));
            m.put("projectL1 " + eps, (b, x, y) -> b.projectL1(x, y, eps, 0, 1));
        }
        m.put("projectLinf box [0.25, 0.75]", (b, x, y) -> b.projectLinf(x, y, 0.1, 0.25, 0.75));
        m.put("projectL2 box [0.25, 0.75]", (b, x, y) -> b.projectL2(x, y, 0.1, 0.25, 0.75));
        m.put("projectL1 box [0.25, 0.75]", (b, x, y) -> b.projectL1(x, y, 0.1, 0.25, 0.75));
        return m;
    }

    /** The device's and the CPU's kernel for every call, on inputs laid out by {@code view}, in both dtypes. */
    private void againstCpu(String layout, int[] shape, java.util.function.UnaryOperator<Tensor> viewX,
                            java.util.function.UnaryOperator<Tensor> viewY, long seed) {
        int n = dev.brink.engine.Shape.numel(shape);
        Random r = new Random(seed);
        double[] a = new double[n], b = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextDouble();
            b[i] = i % 7 == 0 ? a[i] : a[i] + 0.2 * r.nextGaussian() + (i % 13 == 0 ? 0.3 : 0);
        }
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            KernelTestSupport.Pair x = KernelTestSupport.pair(backend(), t, b, shape).map(viewX);
            KernelTestSupport.Pair y = KernelTestSupport.pair(backend(), t, a, shape).map(viewY);
            Backend dev = backend();
            for (var c : calls().entrySet()) {
                String what = c.getKey() + " " + layout + " " + t.label();
                Tensor got = c.getValue().on(dev, x.dev(), y.dev());
                if (got.backend() != dev) throw new AssertionError(what + ": result on " + got.backend().name());
                assertMatchesAbs(what, c.getValue().on(CPU, x.cpu(), y.cpu()), got, t == DType.FLOAT64 ? 1e-12 : 0x1.0p-23);
            }
        }
    }

    @Test
    void backendMethodsMatchTheCpuKernelsOnContiguousBatches() {
        againstCpu("[6,3,4,7]", new int[] {6, 3, 4, 7}, v -> v, v -> v, 21);
        againstCpu("rank 1 [6]", new int[] {6}, v -> v, v -> v, 22);
    }

    @Test
    void backendMethodsMatchTheCpuKernelsOnStridedViews() {
        againstCpu("permuted", new int[] {4, 7, 5}, v -> v.permute(0, 2, 1), v -> v.permute(0, 2, 1), 23);
        againstCpu("strided slice", new int[] {3, 40}, v -> v.slice(1, 0, 40, 3), v -> v.slice(1, 0, 40, 3), 24);
        againstCpu("broadcast x0", new int[] {1, 30}, v -> v.expand(5, 30).contiguous(), v -> v.expand(5, 30), 25);
    }

    @Test
    void backendMethodsOnEmptyBatches() {
        againstCpu("N=0", new int[] {0, 5}, v -> v, v -> v, 26);
        againstCpu("no features", new int[] {4, 0}, v -> v, v -> v, 27);
    }
}

package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.BinaryKernel;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.PoolGeometry;
import dev.brink.engine.backend.OptimizerKernel;
import dev.brink.engine.backend.RandomKind;
import dev.brink.engine.backend.ReduceKernel;
import dev.brink.engine.backend.Storage;
import dev.brink.engine.backend.UnaryKernel;

import java.util.Arrays;

/**
 * The reference backend on host memory ({@link CpuStorage}) and the embedded default. Its reference kernels
 * ({@code Cpu*} classes) define the semantics that other backends must match: they compute in {@code double}
 * and store converted to the output's dtype (float32 rounds to nearest; int32 truncates toward zero, saturates,
 * and maps NaN to 0, as Java casts do). Kernels live in small package-private classes by family; this class only
 * delegates.
 *
 * <p>Float32 tensors take fast paths ({@code Float*} classes) that work on the float arrays directly: a packed,
 * cache-blocked, multithreaded SGEMM ({@code Sgemm}) for matmul and the three convolution kernels, and float
 * loops for elementwise kernels, reductions, max-pool switches, gather and scatterAdd. Their results equal the
 * reference kernels' up to float rounding (elementwise kernels, switches and indexing exactly). The GEMM's inner
 * loop uses the Vector API when the JVM runs with {@code --add-modules jdk.incubator.vector} (as {@code ./brink}
 * does) and plain loops otherwise; {@code -Dbrink.simd=false} forces the plain loops.
 *
 * <p>The attack steps ({@link #signStep}, {@link #l2Step}, {@link #projectLinf}, {@link #projectL2},
 * {@link #projectL1}) are one-pass kernels ({@code CpuAttackSteps}) that follow the CUDA backend's attack.cu; so are
 * batch norm's per-channel steps ({@link #channelNormalize}, {@link #channelVariance}, {@link #channelCenteredDot}, {@link #channelCombine}:
 * {@code CpuChannelOps}).
 *
 * <p>Threads: all available processors by default; set with the system property {@code brink.threads}, the
 * environment variable {@code BRINK_THREADS}, or {@link #setThreads}. Results do not depend on the thread count.
 */
public final class CpuBackend implements Backend {
    /** The single instance (the backend is stateless). */
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    /** Number of threads the CPU kernels use (the calling thread plus a shared pool of workers). */
    public static int threads() {
        return CpuParallel.threads();
    }

    /**
     * Sets the number of threads the CPU kernels use, for all later kernels; {@code n <= 0} restores the default
     * ({@code brink.threads}, else {@code BRINK_THREADS}, else all available processors). Safe to call at any
     * time; kernels already running finish on the old pool.
     */
    public static void setThreads(int n) {
        CpuParallel.setThreads(n);
    }

    /** One line describing the float kernels, e.g. "float32 GEMM: Vector API, 16 float lanes (512-bit), 8x32 tiles; 2 threads". */
    public static String kernelInfo() {
        String simd = VectorSupport.moduleAvailable() ? (VectorSupport.requested() ? "" : " (Vector API disabled by brink.simd=false)")
                : " (start the JVM with --add-modules jdk.incubator.vector for SIMD)";
        return "float32 GEMM: " + SgemmKernel.get().describe() + simd + "; " + threads() + (threads() == 1 ? " thread" : " threads");
    }

    @Override
    public String name() {
        return "cpu";
    }

    /** The processor count and the CPU kernels in use ({@link #kernelInfo()}). */
    @Override
    public String describe() {
        return Runtime.getRuntime().availableProcessors() + " processors; " + kernelInfo();
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        CpuStorage reused = CpuStoragePool.take(dtype, size, true);
        return reused != null ? reused : CpuStorage.allocate(dtype, size);
    }

    /**
     * A recycled array as it was left (or a new one). With the system property {@code brink.poison=true} (the test
     * suites set it) every such buffer is filled with NaN (int32: {@code Integer.MIN_VALUE}) instead, so that a
     * kernel that leaves an element unwritten fails its tests rather than reading stale values.
     */
    @Override
    public Storage allocateUninitialized(DType dtype, int size) {
        CpuStorage reused = CpuStoragePool.take(dtype, size, false);
        CpuStorage s = reused != null ? reused : CpuStorage.allocate(dtype, size);
        if (POISON) {
            switch (dtype) {
                case FLOAT32 -> Arrays.fill(s.floats(), Float.NaN);
                case FLOAT64 -> Arrays.fill(s.doubles(), Double.NaN);
                case INT32 -> Arrays.fill(s.ints(), Integer.MIN_VALUE);
            }
        }
        return s;
    }

    private static final boolean POISON = Boolean.getBoolean("brink.poison");

    @Override
    public void recycle(Storage storage) {
        if (storage instanceof CpuStorage c) CpuStoragePool.offer(c);
    }

    @Override
    public Storage upload(float[] data) {
        return CpuStorage.wrap(data.clone());
    }

    @Override
    public Storage upload(double[] data) {
        return CpuStorage.wrap(data.clone());
    }

    @Override
    public Storage upload(int[] data) {
        return CpuStorage.wrap(data.clone());
    }

    @Override
    public double[] readDoubles(Tensor t) {
        return StridedIndexer.gather(t);
    }

    @Override
    public float[] readFloats(Tensor t) {
        float[] r = new float[t.numel()];
        CpuElementwise.copy(t, Tensor.fromStorage(CpuStorage.wrap(r), t.shape(), Shape.contiguousStrides(t.shape()), 0));
        return r;
    }

    @Override
    public int[] readInts(Tensor t) {
        int[] r = new int[t.numel()];
        CpuElementwise.copy(t, Tensor.fromStorage(CpuStorage.wrap(r), t.shape(), Shape.contiguousStrides(t.shape()), 0));
        return r;
    }

    @Override
    public void fill(Tensor out, double value) {
        if (FloatKernels.floats(out)) FloatElementwise.fill(out, value);
        else CpuElementwise.fill(out, value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (FloatKernels.floats(src, dst) && src.storage() != dst.storage()) FloatElementwise.copy(src, dst);
        else CpuElementwise.copy(src, dst);
    }

    @Override
    public void unary(UnaryKernel k, double alpha, Tensor x, Tensor out) {
        if (FloatKernels.floats(x, out)) FloatElementwise.unary(k, alpha, x, out);
        else CpuElementwise.unary(k, alpha, x, out);
    }

    @Override
    public void binary(BinaryKernel k, Tensor a, Tensor b, Tensor out) {
        if (FloatKernels.floats(a, b, out)) FloatElementwise.binary(k, a, b, out);
        else CpuElementwise.binary(k, a, b, out);
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        if (FloatKernels.floats(cond, a, b, out)) FloatElementwise.where(cond, a, b, out);
        else CpuElementwise.where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceKernel k, Tensor x, boolean[] axes, Tensor out) {
        if (FloatKernels.floats(x, out)) FloatReduce.reduce(k, x, axes, out);
        else CpuReduce.reduce(k, x, axes, out);
    }

    @Override
    public void argReduce(ReduceKernel k, Tensor x, int axis, Tensor out) {
        CpuReduce.argReduce(k, x, axis, out);
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        if (FloatKernels.floats(a, b, out)) FloatMatmul.matmul(a, b, out);
        else CpuMatmul.matmul(a, b, out);
    }

    @Override
    public void gather(Tensor x, int axis, Tensor index, Tensor out) {
        if (FloatKernels.floats(x, out) && index.dtype() == DType.INT32) FloatIndexing.gather(x, axis, index, out);
        else CpuIndexing.gather(x, axis, index, out);
    }

    @Override
    public void scatterAdd(Tensor src, int axis, Tensor index, Tensor out) {
        if (FloatKernels.floats(src, out) && index.dtype() == DType.INT32) FloatIndexing.scatterAdd(src, axis, index, out);
        else CpuIndexing.scatterAdd(src, axis, index, out);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, ConvGeometry g, Tensor out) {
        if (FloatKernels.floats(x, w, out)) FloatConv.conv2d(x, w, g, out);
        else CpuConv.conv2d(x, w, g, out);
    }

    @Override
    public void conv2dInputGrad(Tensor gy, Tensor w, ConvGeometry g, Tensor out) {
        if (FloatKernels.floats(gy, w, out)) FloatConv.conv2dInputGrad(gy, w, g, out);
        else CpuConv.conv2dInputGrad(gy, w, g, out);
    }

    @Override
    public void conv2dWeightGrad(Tensor x, Tensor gy, ConvGeometry g, Tensor out) {
        if (FloatKernels.floats(x, gy, out)) FloatConv.conv2dWeightGrad(x, gy, g, out);
        else CpuConv.conv2dWeightGrad(x, gy, g, out);
    }

    @Override
    public void maxPool2dIndices(Tensor x, PoolGeometry g, Tensor out) {
        if (FloatKernels.floats(x) && out.dtype() == DType.INT32) FloatPool.maxPool2dIndices(x, g, out);
        else CpuPool.maxPool2dIndices(x, g, out);
    }

    @Override
    public boolean optimizerStep(OptimizerKernel k, double[] hyper, Tensor param, Tensor grad, Tensor state1, Tensor state2) {
        return FusedOptimizer.step(k, hyper, param, grad, state1, state2);
    }

    @Override
    public Tensor signStep(Tensor x, Tensor grad, double alpha) {
        return CpuAttackSteps.run(CpuAttackSteps.Kind.SIGN_STEP, x, grad, alpha, 0, 0, 0);
    }

    @Override
    public Tensor channelNormalize(Tensor x, Tensor center, Tensor scale, Tensor shift) {
        return CpuChannelOps.normalize(x, center, scale, shift, false);
    }

    @Override
    public Tensor channelNormalize(Tensor x, Tensor center, Tensor scale, Tensor shift, boolean relu) {
        return CpuChannelOps.normalize(x, center, scale, shift, relu);
    }

    @Override
    public void biasReluInPlace(Tensor y, Tensor bias, boolean relu) {
        if (!CpuChannelOps.biasReluInPlace(y, bias, relu)) Backend.super.biasReluInPlace(y, bias, relu);
    }

    @Override
    public Tensor channelVariance(Tensor x, Tensor mean) {
        return CpuChannelOps.variance(x, mean);
    }

    @Override
    public Tensor channelCenteredDot(Tensor g, Tensor x, Tensor center) {
        return CpuChannelOps.centeredDot(g, x, center);
    }

    @Override
    public Tensor channelCombine(Tensor u, Tensor v, Tensor a, Tensor b, Tensor c) {
        return CpuChannelOps.combine(u, v, a, b, c);
    }

    @Override
    public Tensor l2Step(Tensor x, Tensor grad, double alpha) {
        return CpuAttackSteps.run(CpuAttackSteps.Kind.L2_STEP, x, grad, alpha, 0, 0, 0);
    }

    @Override
    public Tensor projectLinf(Tensor x, Tensor x0, double eps, double lo, double hi) {
        return CpuAttackSteps.run(CpuAttackSteps.Kind.LINF, x, x0, 0, eps, lo, hi);
    }

    @Override
    public Tensor projectL2(Tensor x, Tensor x0, double eps, double lo, double hi) {
        return CpuAttackSteps.run(CpuAttackSteps.Kind.L2, x, x0, 0, eps, lo, hi);
    }

    @Override
    public Tensor projectL1(Tensor x, Tensor x0, double eps, double lo, double hi) {
        return CpuAttackSteps.run(CpuAttackSteps.Kind.L1, x, x0, 0, eps, lo, hi);
    }

    @Override
    public void random(RandomKind kind, long seed, long counter, Tensor out) {
        CpuRandom.random(kind, seed, counter, out);
    }

    @Override
    public String toString() {
        return "CpuBackend";
    }

    @Override
    public void cumsum(Tensor x, int axis, boolean reverse, Tensor out) {
        CpuScan.cumsum(x, axis, reverse, out);
    }

    @Override
    public void argsort(Tensor x, int axis, boolean descending, Tensor out) {
        CpuScan.argsort(x, axis, descending, out);
    }
}

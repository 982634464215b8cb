package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.BinaryKernel;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.PoolGeometry;
import dev.brink.engine.backend.RandomKind;
import dev.brink.engine.backend.ReduceKernel;
import dev.brink.engine.backend.Storage;
import dev.brink.engine.backend.UnaryKernel;

/**
 * The reference backend on host memory ({@link CpuStorage}) and the embedded default. Its kernels define the
 * semantics that other backends must match: they compute in {@code double} and store converted to the output's
 * dtype (float32 rounds to nearest; int32 truncates toward zero, saturates, and maps NaN to 0, as Java casts do).
 * Kernels live in small package-private classes by family; this class only delegates.
 */
public final class CpuBackend implements Backend {
    /** The single instance (the backend is stateless). */
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        return CpuStorage.allocate(dtype, size);
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
        CpuElementwise.fill(out, value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        CpuElementwise.copy(src, dst);
    }

    @Override
    public void unary(UnaryKernel k, double alpha, Tensor x, Tensor out) {
        CpuElementwise.unary(k, alpha, x, out);
    }

    @Override
    public void binary(BinaryKernel k, Tensor a, Tensor b, Tensor out) {
        CpuElementwise.binary(k, a, b, out);
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        CpuElementwise.where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceKernel k, Tensor x, boolean[] axes, Tensor out) {
        CpuReduce.reduce(k, x, axes, out);
    }

    @Override
    public void argReduce(ReduceKernel k, Tensor x, int axis, Tensor out) {
        CpuReduce.argReduce(k, x, axis, out);
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        CpuMatmul.matmul(a, b, out);
    }

    @Override
    public void gather(Tensor x, int axis, Tensor index, Tensor out) {
        CpuIndexing.gather(x, axis, index, out);
    }

    @Override
    public void scatterAdd(Tensor src, int axis, Tensor index, Tensor out) {
        CpuIndexing.scatterAdd(src, axis, index, out);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, ConvGeometry g, Tensor out) {
        CpuConv.conv2d(x, w, g, out);
    }

    @Override
    public void conv2dInputGrad(Tensor gy, Tensor w, ConvGeometry g, Tensor out) {
        CpuConv.conv2dInputGrad(gy, w, g, out);
    }

    @Override
    public void conv2dWeightGrad(Tensor x, Tensor gy, ConvGeometry g, Tensor out) {
        CpuConv.conv2dWeightGrad(x, gy, g, out);
    }

    @Override
    public void maxPool2dIndices(Tensor x, PoolGeometry g, Tensor out) {
        CpuPool.maxPool2dIndices(x, g, out);
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

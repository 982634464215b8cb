package dev.brink.bench.jmh;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.Backends;
import dev.brink.engine.backend.BinaryKernel;
import dev.brink.engine.backend.PoolGeometry;
import dev.brink.engine.backend.ReduceKernel;
import dev.brink.engine.backend.UnaryKernel;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The CPU backend's memory-bound kernels on the Madry model's first activation, {@code [128, 32, 28, 28]} float32
 * (3.2 M elements, 12.8 MB): relu, its backward mask ({@code a > 0}), the one-pass relu backward, a where with a scalar, max pooling's gather and scatter, exp, add, broadcast bias add ({@code [1, 32, 1, 1]}), multiply, a full sum,
 * a sum over every axis but the channel (the bias gradient), and the 2x2 max-pool index kernel. Bytes moved per call:
 * unary 25.7 MB, binary 38.5 MB, reductions 12.8 MB.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ElementwiseBench extends KernelBench {
    private Backend cpu;
    private Tensor a, b, bias, out, scalar, channelSum, poolIdx, zero, mask, planes, switches, pooled, planeGrad;
    private final boolean[] allAxes = {true, true, true, true};
    private final boolean[] notChannel = {true, false, true, true};
    private final PoolGeometry pool = PoolGeometry.of(2, 2, 0);

    @Setup
    public void setup() {
        cpu = Backends.get("cpu");
        Generator gen = new Generator(1);
        a = Tensor.randn(gen, DType.FLOAT32, 128, 32, 28, 28);
        b = Tensor.randn(gen, DType.FLOAT32, 128, 32, 28, 28);
        bias = Tensor.randn(gen, DType.FLOAT32, 1, 32, 1, 1);
        out = Tensor.empty(cpu, DType.FLOAT32, 128, 32, 28, 28);
        scalar = Tensor.empty(cpu, DType.FLOAT32, 1, 1, 1, 1);
        channelSum = Tensor.empty(cpu, DType.FLOAT32, 1, 32, 1, 1);
        poolIdx = Tensor.empty(cpu, DType.INT32, 128, 32, 14, 14);
        zero = Tensor.empty(cpu, DType.FLOAT32, 1, 1, 1, 1);
        mask = Tensor.empty(cpu, DType.FLOAT32, 128, 32, 28, 28);
        cpu.binary(BinaryKernel.GT, b, zero, mask);
        planes = a.reshape(128, 32, 784);
        switches = Tensor.empty(cpu, DType.INT32, 128, 32, 14, 14);
        cpu.maxPool2dIndices(a, pool, switches);
        switches = switches.reshape(128, 32, 196);
        pooled = Tensor.empty(cpu, DType.FLOAT32, 128, 32, 196);
        planeGrad = Tensor.empty(cpu, DType.FLOAT32, 128, 32, 784);
    }

    @Benchmark
    public void relu(Blackhole bh) {
        cpu.unary(UnaryKernel.RELU, 0, a, out);
        bh.consume(out);
    }

    /** The relu mask of a backward pass: {@code a > 0} (a scalar on the right). */
    @Benchmark
    public void greaterThanZero(Blackhole bh) {
        cpu.binary(BinaryKernel.GT, a, zero, out);
        bh.consume(out);
    }

    /** {@code where(b > 0, a, 0)}: a contiguous condition, a tensor and a scalar. */
    @Benchmark
    public void whereTensorScalar(Blackhole bh) {
        cpu.where(mask, a, zero, out);
        bh.consume(out);
    }

    /** Relu's backward, {@code a} where {@code b > 0}, else 0, in one pass. */
    @Benchmark
    public void maskPositive(Blackhole bh) {
        cpu.binary(BinaryKernel.MASK_POSITIVE, a, b, out);
        bh.consume(out);
    }

    /** Max pooling's forward gather: [128, 32, 784] at 196 switches per plane. */
    @Benchmark
    public void poolGather(Blackhole bh) {
        cpu.gather(planes, 2, switches, pooled);
        bh.consume(pooled);
    }

    /** Max pooling's backward scatter into [128, 32, 784] (zeroed each call, as the backward allocates it). */
    @Benchmark
    public void poolScatterAdd(Blackhole bh) {
        cpu.fill(planeGrad, 0);
        cpu.scatterAdd(pooled, 2, switches, planeGrad);
        bh.consume(planeGrad);
    }

    @Benchmark
    public void exp(Blackhole bh) {
        cpu.unary(UnaryKernel.EXP, 0, a, out);
        bh.consume(out);
    }

    @Benchmark
    public void add(Blackhole bh) {
        cpu.binary(BinaryKernel.ADD, a, b, out);
        bh.consume(out);
    }

    @Benchmark
    public void addBias(Blackhole bh) {
        cpu.binary(BinaryKernel.ADD, a, bias, out);
        bh.consume(out);
    }

    @Benchmark
    public void mul(Blackhole bh) {
        cpu.binary(BinaryKernel.MUL, a, b, out);
        bh.consume(out);
    }

    @Benchmark
    public void sumAll(Blackhole bh) {
        cpu.reduce(ReduceKernel.SUM, a, allAxes, scalar);
        bh.consume(scalar);
    }

    @Benchmark
    public void sumPerChannel(Blackhole bh) {
        cpu.reduce(ReduceKernel.SUM, a, notChannel, channelSum);
        bh.consume(channelSum);
    }

    @Benchmark
    public void maxPoolIndices(Blackhole bh) {
        cpu.maxPool2dIndices(a, pool, poolIdx);
        bh.consume(poolIdx);
    }
}

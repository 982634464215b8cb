package dev.brink.engine.backend;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.cpu.CpuBackend;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test backend that runs every kernel on the CPU backend and counts the calls of the attack steps
 * ({@code signStep}, {@code l2Step}, {@code projectLinf}, {@code projectL2}, {@code projectL1}) by method name.
 * With {@code kernels = false} those five run {@link Backend}'s composed defaults (the path of a backend without
 * attack kernels); with {@code true} they run the CPU's kernels. Its tensors live in {@link Wrapped} storage, so
 * that ops on them dispatch here; each call hands the CPU views of the same memory.
 */
public final class CountingBackend implements Backend {
    private final Backend cpu = CpuBackend.INSTANCE;
    private final boolean kernels;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    /** Storage of this backend: the CPU's buffer underneath. */
    public record Wrapped(Storage inner, CountingBackend owner) implements Storage {
        @Override
        public Backend backend() {
            return owner;
        }

        @Override
        public DType dtype() {
            return inner.dtype();
        }

        @Override
        public int size() {
            return inner.size();
        }
    }

    /** A counting backend whose attack steps are the CPU kernels ({@code kernels}) or the composed defaults. */
    public CountingBackend(boolean kernels) {
        this.kernels = kernels;
    }

    /** Calls of the attack step {@code method} so far (e.g. "signStep"). */
    public int calls(String method) {
        AtomicInteger c = calls.get(method);
        return c == null ? 0 : c.get();
    }

    /** All attack-step calls so far by method name. */
    public Map<String, Integer> counts() {
        Map<String, Integer> m = new java.util.TreeMap<>();
        calls.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    private void count(String method) {
        calls.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
    }

    /** The CPU view of one of this backend's tensors. */
    private static Tensor c(Tensor t) {
        return t.storage() instanceof Wrapped w ? Tensor.fromStorage(w.inner(), t.shape(), t.strides(), t.offset()) : t;
    }

    /** One of the CPU's tensors moved (not copied) to this backend. */
    private Tensor mine(Tensor t) {
        return Tensor.fromStorage(new Wrapped(t.storage(), this), t.shape(), t.strides(), t.offset());
    }

    @Override public String name() { return "counting"; }
    @Override public Storage allocate(DType dtype, int size) { return new Wrapped(cpu.allocate(dtype, size), this); }
    @Override public Storage upload(float[] data) { return new Wrapped(cpu.upload(data), this); }
    @Override public Storage upload(double[] data) { return new Wrapped(cpu.upload(data), this); }
    @Override public Storage upload(int[] data) { return new Wrapped(cpu.upload(data), this); }
    @Override public double[] readDoubles(Tensor t) { return cpu.readDoubles(c(t)); }
    @Override public float[] readFloats(Tensor t) { return cpu.readFloats(c(t)); }
    @Override public int[] readInts(Tensor t) { return cpu.readInts(c(t)); }
    @Override public void fill(Tensor out, double value) { cpu.fill(c(out), value); }
    @Override public void copy(Tensor src, Tensor dst) { cpu.copy(c(src), c(dst)); }
    @Override public void unary(UnaryKernel k, double alpha, Tensor x, Tensor out) { cpu.unary(k, alpha, c(x), c(out)); }
    @Override public void binary(BinaryKernel k, Tensor a, Tensor b, Tensor out) { cpu.binary(k, c(a), c(b), c(out)); }
    @Override public void where(Tensor cond, Tensor a, Tensor b, Tensor out) { cpu.where(c(cond), c(a), c(b), c(out)); }
    @Override public void reduce(ReduceKernel k, Tensor x, boolean[] axes, Tensor out) { cpu.reduce(k, c(x), axes, c(out)); }
    @Override public void argReduce(ReduceKernel k, Tensor x, int axis, Tensor out) { cpu.argReduce(k, c(x), axis, c(out)); }
    @Override public void matmul(Tensor a, Tensor b, Tensor out) { cpu.matmul(c(a), c(b), c(out)); }
    @Override public void gather(Tensor x, int axis, Tensor index, Tensor out) { cpu.gather(c(x), axis, c(index), c(out)); }
    @Override public void scatterAdd(Tensor src, int axis, Tensor index, Tensor out) { cpu.scatterAdd(c(src), axis, c(index), c(out)); }
    @Override public void conv2d(Tensor x, Tensor w, ConvGeometry g, Tensor out) { cpu.conv2d(c(x), c(w), g, c(out)); }
    @Override public void conv2dInputGrad(Tensor gy, Tensor w, ConvGeometry g, Tensor out) { cpu.conv2dInputGrad(c(gy), c(w), g, c(out)); }
    @Override public void conv2dWeightGrad(Tensor x, Tensor gy, ConvGeometry g, Tensor out) { cpu.conv2dWeightGrad(c(x), c(gy), g, c(out)); }
    @Override public void maxPool2dIndices(Tensor x, PoolGeometry g, Tensor out) { cpu.maxPool2dIndices(c(x), g, c(out)); }
    @Override public void cumsum(Tensor x, int axis, boolean reverse, Tensor out) { cpu.cumsum(c(x), axis, reverse, c(out)); }
    @Override public void argsort(Tensor x, int axis, boolean descending, Tensor out) { cpu.argsort(c(x), axis, descending, c(out)); }
    @Override public void random(RandomKind kind, long seed, long counter, Tensor out) { cpu.random(kind, seed, counter, c(out)); }

    @Override
    public boolean optimizerStep(OptimizerKernel k, double[] hyper, Tensor param, Tensor grad, Tensor state1, Tensor state2) {
        return cpu.optimizerStep(k, hyper, c(param), c(grad), state1 == null ? null : c(state1), state2 == null ? null : c(state2));
    }

    @Override
    public Tensor signStep(Tensor x, Tensor grad, double alpha) {
        count("signStep");
        return kernels ? mine(cpu.signStep(c(x), c(grad), alpha)) : Backend.super.signStep(x, grad, alpha);
    }

    @Override
    public Tensor l2Step(Tensor x, Tensor grad, double alpha) {
        count("l2Step");
        return kernels ? mine(cpu.l2Step(c(x), c(grad), alpha)) : Backend.super.l2Step(x, grad, alpha);
    }

    @Override
    public Tensor projectLinf(Tensor x, Tensor x0, double eps, double lo, double hi) {
        count("projectLinf");
        return kernels ? mine(cpu.projectLinf(c(x), c(x0), eps, lo, hi)) : Backend.super.projectLinf(x, x0, eps, lo, hi);
    }

    @Override
    public Tensor projectL2(Tensor x, Tensor x0, double eps, double lo, double hi) {
        count("projectL2");
        return kernels ? mine(cpu.projectL2(c(x), c(x0), eps, lo, hi)) : Backend.super.projectL2(x, x0, eps, lo, hi);
    }

    @Override
    public Tensor projectL1(Tensor x, Tensor x0, double eps, double lo, double hi) {
        count("projectL1");
        return kernels ? mine(cpu.projectL1(c(x), c(x0), eps, lo, hi)) : Backend.super.projectL1(x, x0, eps, lo, hi);
    }
}

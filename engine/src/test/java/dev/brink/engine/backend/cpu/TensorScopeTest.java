package dev.brink.engine.backend.cpu;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.TensorScope;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link TensorScope} on the CPU backend: a loop of scoped training steps allocates no new large arrays after its
 * first steps and computes exactly what the unscoped loop computes; released tensors (and their views) fail loudly;
 * kept tensors, gradients stored on parameters and allocations made outside any scope survive; scopes nest and
 * close innermost first, on their own thread.
 */
class TensorScopeTest {
    private static final int BATCH = 64, IN = 256, HIDDEN = 512; // activations of 32 Ki floats: above the pool's minimum

    @BeforeEach
    void emptyPool() {
        CpuStoragePool.clear();
    }

    private static Tensor labels() {
        int[] y = new int[BATCH];
        for (int i = 0; i < BATCH; i++) y[i] = i % 10;
        return Tensor.ofInts(y, BATCH);
    }

    /**
     * One SGD step of a two-layer net; returns the loss. With {@code stored} the gradients go through
     * {@code backward()} into the weights' {@code grad()} (which outlive scopes), else they are {@link Autograd#grad}'s
     * results, dead after the update.
     */
    private static double sgdStep(Tensor x, Tensor w1, Tensor w2, Tensor y, boolean stored) {
        w1.zeroGrad();
        w2.zeroGrad();
        Tensor loss = F.crossEntropy(x.matmul(w1).relu().matmul(w2), y);
        Tensor[] g;
        if (stored) {
            loss.backward();
            g = new Tensor[] {w1.grad(), w2.grad()};
        } else {
            g = Autograd.grad(loss, w1, w2);
        }
        try (GradMode.Scope s = GradMode.noGrad()) {
            w1.assign(w1.detach().sub(g[0].mul(0.1)));
            w2.assign(w2.detach().sub(g[1].mul(0.1)));
        }
        return loss.item();
    }

    private static Tensor[] net(long seed) {
        Generator gen = new Generator(seed);
        return new Tensor[] {
            Tensor.randn(gen, DType.FLOAT32, BATCH, IN),
            Tensor.randn(gen, DType.FLOAT32, IN, HIDDEN).mul(0.05).detach().requiresGrad(true),
            Tensor.randn(gen, DType.FLOAT32, HIDDEN, 10).mul(0.05).detach().requiresGrad(true)};
    }

    @Test
    void scopedStepsReuseTheirLargeArraysAndComputeTheSameAsUnscopedOnes() {
        // A scope holds its storages weakly, so a collection in the middle of a step may take a dead one before the
        // scope hands it back (its size is then allocated anew next step): the counts below allow a few of those.
        Tensor y = labels();
        int steps = 10;
        for (boolean stored : new boolean[] {false, true}) {
            Tensor[] a = net(21), b = net(21);
            double[] plain = new double[steps], scoped = new double[steps];
            long before = CpuStoragePool.counts()[2];
            for (int i = 0; i < steps; i++) plain[i] = sgdStep(a[0], a[1], a[2], y, stored);
            long plainNew = CpuStoragePool.counts()[2] - before;
            long[] newArrays = new long[steps];
            for (int i = 0; i < steps; i++) {
                long missedBefore = CpuStoragePool.counts()[2];
                try (TensorScope step = TensorScope.open()) {
                    scoped[i] = sgdStep(b[0], b[1], b[2], y, stored);
                    assertTrue(step.ownedCount() > 0, "the step's activations belong to the scope");
                }
                newArrays[i] = CpuStoragePool.counts()[2] - missedBefore;
            }
            assertArrayEquals(plain, scoped, "the scoped loop computes exactly what the unscoped one does");
            assertArrayEquals(a[1].toFloatArray(), b[1].toFloatArray(), "same weights after the steps");
            assertTrue(newArrays[0] > 2, "the first step allocates its arrays");
            long later = 0;
            for (int i = 2; i < steps; i++) later += newArrays[i];
            // backward() stores w1's gradient (128 Ki floats) on w1, where it outlives the scope: one new array a step
            long expected = stored ? steps - 2 : 0;
            assertTrue(later <= expected + 4, "steps 2-" + (steps - 1) + " (stored gradients " + stored + ") allocated " + later
                    + " new large arrays, expected about " + expected);
            assertTrue(plainNew >= later + 2L * steps, "unscoped steps allocated " + plainNew + " new arrays, scoped ones " + later);
        }
    }

    @Test
    void releasedTensorsAndTheirViewsFailNamingTheShape() {
        Tensor t, view;
        try (TensorScope s = TensorScope.open()) {
            t = Tensor.ones(BATCH, HIDDEN).mul(2.0);
            view = t.slice(0, 0, 3);
            assertEquals(2.0, view.sum().item() / (3 * HIDDEN), 1e-12);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.add(1.0));
        assertTrue(e.getMessage().contains("released") && e.getMessage().contains("[" + BATCH + ", " + HIDDEN + "]"), e.getMessage());
        assertThrows(IllegalStateException.class, view::toFloatArray, "a view shares the released memory");
        Tensor small;
        try (TensorScope s = TensorScope.open()) {
            small = Tensor.ones(3).mul(2.0); // under the pool's minimum: released all the same
        }
        assertThrows(IllegalStateException.class, small::item);
    }

    @Test
    void keptTensorsSurviveTheirScopeAndBelongToTheEnclosingOne() {
        Tensor kept, inOuter;
        try (TensorScope outer = TensorScope.open()) {
            try (TensorScope inner = TensorScope.open()) {
                kept = inner.keep(Tensor.ones(BATCH, HIDDEN).mul(3.0));
                Tensor.ones(BATCH, HIDDEN).mul(5.0); // released here, and its array reused below
                assertSame(inner, TensorScope.current());
            }
            assertSame(outer, TensorScope.current());
            inOuter = Tensor.ones(BATCH, HIDDEN).mul(7.0); // may reuse the inner scope's dead array
            assertEquals(3.0 * BATCH * HIDDEN, kept.sum().item(), "kept by the inner scope");
            assertEquals(7.0 * BATCH * HIDDEN, inOuter.sum().item());
        }
        assertNull(TensorScope.current());
        assertThrows(IllegalStateException.class, kept::item, "the outer scope releases what the inner one kept");

        Tensor survivor;
        try (TensorScope only = TensorScope.open()) {
            survivor = only.keep(Tensor.ones(BATCH, HIDDEN).mul(4.0));
        }
        assertEquals(4.0 * BATCH * HIDDEN, survivor.sum().item(), "kept at the outermost scope: left to the collector");
    }

    @Test
    void storedGradientsOutsideAllocationsAndOlderTensorsSurvive() {
        Tensor[] n = net(22);
        Tensor y = labels();
        Tensor before = Tensor.ones(BATCH, HIDDEN);
        Tensor wrapped = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor state;
        try (TensorScope s = TensorScope.open()) {
            F.crossEntropy(n[0].matmul(n[1]).relu().matmul(n[2]), y).backward();
            state = TensorScope.outside(() -> Tensor.ones(BATCH, HIDDEN).mul(6.0));
            assertSame(s, TensorScope.current(), "outside restores the scope");
        }
        float[] g1 = n[1].grad().toFloatArray();
        // accumulation over two scopes: the second backward adds to the gradient the first one stored
        try (TensorScope s = TensorScope.open()) {
            F.crossEntropy(n[0].matmul(n[1]).relu().matmul(n[2]), y).backward();
        }
        float[] g2 = n[1].grad().toFloatArray();
        for (int i = 0; i < g1.length; i++) assertEquals(2 * g1[i], g2[i], 1e-6 * (1 + Math.abs(g1[i])), "accumulated gradient element " + i);
        assertEquals(6.0 * BATCH * HIDDEN, state.sum().item(), "allocated outside any scope");
        assertEquals(BATCH * HIDDEN, before.sum().item(), "created before the scope");
        assertEquals(6.0, wrapped.sum().item(), "wraps a caller's array");
    }

    @Test
    void scopesCloseInnermostFirstOnTheirOwnThread() throws Exception {
        TensorScope outer = TensorScope.open();
        TensorScope inner = TensorScope.open();
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("inner scope"), e.getMessage());
        AtomicReference<Throwable> other = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                inner.close();
            } catch (Throwable x) {
                other.set(x);
            }
        }, "not-the-owner");
        t.start();
        t.join();
        assertInstanceOf(IllegalStateException.class, other.get());
        assertTrue(other.get().getMessage().contains("not-the-owner"), other.get().getMessage());
        inner.close();
        outer.close();
        outer.close(); // closing twice is harmless
        assertNull(TensorScope.current());
        assertThrows(IllegalStateException.class, () -> inner.keep(Tensor.ones(2)), "keep on a closed scope");
    }

    @Test
    void aLoopThatReleasesAllButItsCarriedTensorsReusesItsMemory() {
        // x <- tanh(x W) / 2 + x / 2, carried from iteration to iteration inside one scope
        Generator gen = new Generator(24);
        Tensor w = Tensor.randn(gen, DType.FLOAT32, HIDDEN, HIDDEN).mul(0.05);
        Tensor start = Tensor.randn(gen, DType.FLOAT32, BATCH, HIDDEN);
        Tensor plain = start;
        for (int i = 0; i < 8; i++) plain = plain.matmul(w).tanh().div(2.0).add(plain.div(2.0));
        Tensor x = start, first = null;
        long[] newArrays = new long[8];
        try (TensorScope loop = TensorScope.open()) {
            for (int i = 0; i < 8; i++) {
                long before = CpuStoragePool.counts()[2];
                x = x.matmul(w).tanh().div(2.0).add(x.div(2.0));
                if (i == 0) first = x;
                int released = loop.releaseExcept(x, null);
                if (i > 0) assertTrue(released >= 5, "iteration " + i + " released " + released);
                newArrays[i] = CpuStoragePool.counts()[2] - before;
            }
            assertArrayEquals(plain.toFloatArray(), x.toFloatArray(), "the same iterates as without the scope");
        }
        long later = 0; // a collection mid-iteration may take a dead temporary before the scope hands it back
        for (int i = 2; i < 8; i++) later += newArrays[i];
        assertTrue(later <= 3, "iterations 2-7 allocated " + later + " new large arrays");
        Tensor gone = first;
        assertThrows(IllegalStateException.class, gone::toFloatArray, "an iterate not carried was released");
        assertEquals(BATCH * HIDDEN, start.toFloatArray().length, "the start, made before the scope, is untouched");
    }

    @Test
    void aScopeDoesNotKeepDeadTensorsAlive() throws Exception {
        // an inner loop's old iterates die before the step's scope closes: the collector may take them meanwhile
        try (TensorScope s = TensorScope.open()) {
            java.lang.ref.WeakReference<Object> dead = new java.lang.ref.WeakReference<>(Tensor.ones(BATCH, HIDDEN).mul(2.0).storage());
            for (int i = 0; i < 20 && dead.get() != null; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertNull(dead.get(), "the scope held a dead tensor's storage");
            assertTrue(s.ownedCount() >= 1);
        }
    }

    @Test
    void allocationsOfOtherThreadsAreNotTheScopes() throws Exception {
        AtomicReference<Tensor> made = new AtomicReference<>();
        try (TensorScope s = TensorScope.open()) {
            Thread t = new Thread(() -> made.set(Tensor.ones(BATCH, HIDDEN).mul(2.0)));
            t.start();
            t.join();
            assertEquals(0, s.ownedCount());
        }
        assertEquals(2.0 * BATCH * HIDDEN, made.get().sum().item());
    }

    @Test
    void backwardRecyclingInsideAScopeNeverHandsOutAnArrayTwice() {
        // the walker recycles the backward pass's temporaries before the scope closes; the scope must not offer
        // them again (two live tensors on one array would corrupt the next step silently)
        Tensor[] n = net(23);
        Tensor y = labels();
        for (int rep = 0; rep < 3; rep++) {
            try (TensorScope s = TensorScope.open()) {
                Tensor loss = F.crossEntropy(n[0].matmul(n[1]).relu().matmul(n[2]), y);
                Autograd.grad(loss, n[1], n[2]);
            }
        }
        java.util.IdentityHashMap<float[], Boolean> seen = new java.util.IdentityHashMap<>();
        java.util.List<Tensor> hold = new java.util.ArrayList<>();
        for (int[] shape : new int[][] {{BATCH, HIDDEN}, {IN, HIDDEN}, {BATCH, IN}, {HIDDEN, 10}}) {
            for (int k = 0; k < 6; k++) {
                Tensor t = Tensor.uninitialized(CpuBackend.INSTANCE, DType.FLOAT32, shape);
                hold.add(t);
                assertNull(seen.put(CpuStorage.of(t).floats(), Boolean.TRUE), "one array handed to two live tensors");
            }
        }
    }

    private static void awaitCollected(java.lang.ref.WeakReference<?> ref) throws InterruptedException {
        for (int i = 0; i < 40 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(ref.get(), "the storage was not collected");
    }

    @Test
    void aPooledArrayWhoseTensorDiesInsideTheScopeComesBackAtClose() throws Exception {
        // a young collection takes the dead storage; without the reclaimer its (old) array would be lost to the pool
        // until a full collection, and the next step would allocate its size anew
        try (TensorScope s = TensorScope.open()) {
            Tensor.zeros(BATCH, HIDDEN);
        }
        assertEquals(4L * BATCH * HIDDEN, CpuStoragePool.bytesKept(), "the first scope handed its array to the pool");
        float[] pooled;
        java.lang.ref.WeakReference<Object> dead;
        try (TensorScope s = TensorScope.open()) {
            Tensor t = Tensor.zeros(BATCH, HIDDEN);
            pooled = CpuStorage.of(t).floats();
            dead = new java.lang.ref.WeakReference<>(t.storage());
            t = null;
            awaitCollected(dead);
            assertEquals(0L, CpuStoragePool.bytesKept());
        }
        assertEquals(4L * BATCH * HIDDEN, CpuStoragePool.bytesKept(), "the dead tensor's array came back at close");
        long missed = CpuStoragePool.counts()[2];
        Tensor again = Tensor.zeros(BATCH, HIDDEN);
        assertSame(pooled, CpuStorage.of(again).floats(), "the next allocation of that size takes it");
        assertEquals(missed, CpuStoragePool.counts()[2]);
        assertEquals(0.0, again.sum().item(), "and it is cleared");
    }

    @Test
    void aReleasedStorageThatDiesLaterIsNotHandedBackTwice() throws Exception {
        try (TensorScope s = TensorScope.open()) {
            Tensor.zeros(BATCH, HIDDEN);
        }
        java.lang.ref.WeakReference<Object> dead;
        Tensor carried;
        try (TensorScope s = TensorScope.open()) {
            Tensor t = Tensor.zeros(BATCH, HIDDEN); // the pooled array
            dead = new java.lang.ref.WeakReference<>(t.storage());
            CpuBackend.INSTANCE.recycle(t.storage()); // as a backward pass recycles a temporary: the array goes back now ...
            t = null;
            awaitCollected(dead); // ... and its storage dies afterwards: its reclaimer must do nothing
            carried = s.keep(Tensor.ones(BATCH, HIDDEN)); // takes that array again
        }
        assertEquals(0L, CpuStoragePool.bytesKept(), "the array was offered twice");
        Tensor other = Tensor.zeros(BATCH, HIDDEN);
        assertNotSame(CpuStorage.of(carried).floats(), CpuStorage.of(other).floats(), "one array handed to two live tensors");
        assertEquals((double) BATCH * HIDDEN, carried.sum().item());
    }
}

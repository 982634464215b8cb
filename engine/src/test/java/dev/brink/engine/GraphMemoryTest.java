package dev.brink.engine;

import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;

import static org.junit.jupiter.api.Assertions.*;

/** A freed graph releases its saved tensors, and a long training loop does not grow the heap. */
class GraphMemoryTest {
    private static boolean collected(WeakReference<?> ref) throws InterruptedException {
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        return ref.get() == null;
    }

    @Test
    void backwardWithoutRetainGraphReleasesSavedActivations() throws InterruptedException {
        Generator gen = new Generator(3);
        Tensor w = Tensor.randn(gen, DType.FLOAT32, 64, 64).requiresGrad(true);
        Tensor x = Tensor.randn(gen, DType.FLOAT32, 32, 64);
        Tensor hidden = x.matmul(w).tanh();
        WeakReference<Tensor> ref = new WeakReference<>(hidden);
        Tensor loss = hidden.square().sum();
        hidden = null;
        loss.backward();
        // loss is still reachable, but its graph has been freed: the activation it saved must be collectable
        assertTrue(collected(ref), "saved activation still reachable after backward freed the graph");
        assertNotNull(loss);
    }

    @Test
    void retainedGraphKeepsActivationsUntilOutputIsDropped() throws InterruptedException {
        Generator gen = new Generator(4);
        Tensor w = Tensor.randn(gen, DType.FLOAT32, 16, 16).requiresGrad(true);
        Tensor hidden = Tensor.randn(gen, DType.FLOAT32, 8, 16).matmul(w).tanh();
        WeakReference<Tensor> ref = new WeakReference<>(hidden);
        Tensor loss = hidden.square().sum();
        hidden = null;
        Autograd.backward(loss, GradOptions.defaults().retainGraph());
        System.gc();
        assertNotNull(ref.get(), "retainGraph must keep the saved activation");
        loss = null;
        assertTrue(collected(ref), "dropping the output must release the retained graph");
    }

    @Test
    void longTrainingLoopDoesNotGrowTheHeap() {
        Generator gen = new Generator(5);
        Tensor w1 = Tensor.randn(gen, DType.FLOAT32, 64, 128).mul(0.1).detach().requiresGrad(true);
        Tensor w2 = Tensor.randn(gen, DType.FLOAT32, 128, 10).mul(0.1).detach().requiresGrad(true);
        Tensor x = Tensor.randn(gen, DType.FLOAT32, 32, 64);
        Tensor y = Tensor.ofInts(new int[32], 32);
        long afterWarmup = 0;
        for (int step = 0; step < 3000; step++) {
            Tensor loss = F.crossEntropy(x.matmul(w1).relu().matmul(w2), y);
            // double backprop as well, the most graph-hungry pattern
            Tensor gx = Autograd.grad(loss, w1, GradOptions.defaults().createGraph())[0];
            Tensor total = loss.add(gx.square().sum().mul(0.01));
            Tensor[] g = Autograd.grad(total, w1, w2);
            try (GradMode.Scope s = GradMode.noGrad()) {
                w1.assign(w1.sub(g[0].mul(0.01)));
                w2.assign(w2.sub(g[1].mul(0.01)));
            }
            if (step == 500) afterWarmup = usedHeap();
        }
        long growth = usedHeap() - afterWarmup;
        assertTrue(growth < 16L << 20, "heap grew by " + (growth >> 20) + " MiB over 2500 steps");
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}

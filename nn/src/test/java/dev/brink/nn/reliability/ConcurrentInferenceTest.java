package dev.brink.nn.reliability;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedders' contract of {@link dev.brink.nn.Module} (its "Thread safety" section): one model in eval mode,
 * shared by many threads, gives each caller exactly the logits and input gradients a sequential run gives, with
 * gradient recording on and off, on a model with convolution, batch norm, dropout, pooling and a residual block.
 */
class ConcurrentInferenceTest {
    private static final String SPEC = "{\"input\":[2,8,8],\"layers\":["
            + "{\"type\":\"conv2d\",\"out\":6,\"kernel\":3,\"padding\":1},{\"type\":\"batchnorm2d\"},{\"type\":\"relu\"},"
            + "{\"type\":\"residual\",\"body\":[{\"type\":\"conv2d\",\"out\":6,\"kernel\":3,\"padding\":1},{\"type\":\"tanh\"}]},"
            + "{\"type\":\"maxpool2d\",\"kernel\":2},{\"type\":\"dropout\",\"p\":0.5},{\"type\":\"flatten\"},"
            + "{\"type\":\"linear\",\"out\":32},{\"type\":\"relu\"},{\"type\":\"linear\",\"out\":5}]}";
    private static final int THREADS = 8, BATCHES = 24, BATCH = 16;

    private record Out(float[] logits, float[] inputGrad) {}

    private static Out infer(SpecModel m, Tensor x, boolean withGrad) {
        if (!withGrad) {
            try (GradMode.Scope s = GradMode.noGrad()) {
                return new Out(m.forward(x).toFloatArray(), null);
            }
        }
        Tensor xi = x.detach().requiresGrad(true);
        Tensor logits = m.forward(xi);
        Tensor loss = F.crossEntropy(logits, Tensor.ofInts(labels(x.shape()[0]), x.shape()[0]));
        Tensor g = Autograd.grad(loss, xi)[0];
        return new Out(logits.toFloatArray(), g.toFloatArray());
    }

    private static int[] labels(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = (i * 7) % 5;
        return y;
    }

    @Test
    void manyThreadsGetTheSequentialResults() throws Exception {
        SpecModel m = ModelSpec.build(SPEC, new Generator(11));
        // non-trivial running statistics, as a trained model has
        m.train();
        for (int i = 0; i < 3; i++) m.forward(Tensor.randn(new Generator(100 + i), DType.FLOAT32, 32, 2, 8, 8));
        m.eval();
        List<Tensor> inputs = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) inputs.add(Tensor.randn(new Generator(b), DType.FLOAT32, BATCH, 2, 8, 8));
        List<Out> expected = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) expected.add(infer(m, inputs.get(b), b % 2 == 0));

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Out>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    List<Out> got = new ArrayList<>();
                    // each thread runs every batch, starting at a different one, three times over
                    for (int k = 0; k < 3 * BATCHES; k++) {
                        int b = (k + thread * 5) % BATCHES;
                        got.add(infer(m, inputs.get(b), b % 2 == 0));
                    }
                    return got;
                }));
            }
            start.countDown();
            for (int t = 0; t < THREADS; t++) {
                List<Out> got = futures.get(t).get(120, TimeUnit.SECONDS);
                for (int k = 0; k < got.size(); k++) {
                    int b = (k + t * 5) % BATCHES;
                    assertArrayEquals(expected.get(b).logits(), got.get(k).logits(), 0f, "thread " + t + ", batch " + b + ": logits");
                    if (b % 2 == 0)
                        assertArrayEquals(expected.get(b).inputGrad(), got.get(k).inputGrad(), 0f, "thread " + t + ", batch " + b + ": input gradient");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // the model is unchanged: the sequential results still hold
        for (int b = 0; b < BATCHES; b += 5) assertArrayEquals(expected.get(b).logits(), infer(m, inputs.get(b), false).logits(), 0f);
        for (var p : m.namedParameters().values()) assertTrue(p.grad() == null, "no gradient accumulated into a parameter");
    }
}

package dev.brink.nn.optim;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptimizerTest {
    private static LinkedHashMap<String, Tensor> params() {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("layers.0.weight", Tensor.of(new double[] {1, -2, 3, -4, 5, -6}, 2, 3).requiresGrad(true));
        m.put("layers.0.bias", Tensor.of(new double[] {0.5, -0.5}, 2).requiresGrad(true));
        return m;
    }

    private static Map<String, Tensor> grads(double scale) {
        Map<String, Tensor> g = new LinkedHashMap<>();
        g.put("layers.0.weight", Tensor.of(new double[] {0.1, 0.2, -0.3, 0.4, -0.5, 0.6}, 2, 3).mul(scale));
        g.put("layers.0.bias", Tensor.of(new double[] {-1, 2}, 2).mul(scale));
        return g;
    }

    private static String msg(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    // ------------------------------------------------------------------ config

    @Test
    void configRoundTrip() {
        List<Optimizer> all = List.of(
                new Sgd(params(), 0.1),
                new Sgd(params(), 0.05, 0.9, 0, true, 5e-4),
                new Sgd(params(), 0.3, 0.8, 0.25, false, 0),
                new Adam(params(), 1e-3),
                new Adam(params(), 0.02, 0.8, 0.95, 1e-6, 0.1, false),
                Adam.adamW(params(), 3e-4));
        for (Optimizer o : all) {
            o.setLearningRate(o.learningRate() / 3); // the current lr is part of the config
            Optimizer back = Optimizer.fromConfig(o.config(), params());
            assertSame(o.getClass(), back.getClass());
            assertEquals(o.config(), back.config());
            assertEquals(o.learningRate(), back.learningRate(), 0.0);
        }
        Adam w = (Adam) Optimizer.fromConfig(Adam.adamW(params(), 3e-4).config(), params());
        assertTrue(w.isAdamW());
        assertEquals(1e-2, w.weightDecay());
        assertEquals("{\"type\":\"sgd\",\"lr\":0.1,\"momentum\":0.9,\"dampening\":0.0,\"nesterov\":true,\"weight_decay\":5.0E-4}",
                new Sgd(params(), 0.1, 0.9, 0, true, 5e-4).config());
    }

    @Test
    void configDefaultsAndErrors() {
        Adam a = (Adam) Optimizer.fromConfig("{\"type\":\"adam\"}", params());
        assertEquals(1e-3, a.learningRate());
        assertEquals(0.9, a.beta1());
        assertEquals(0.999, a.beta2());
        assertEquals(1e-8, a.eps());
        assertEquals(0.0, a.weightDecay());
        assertFalse(a.isAdamW());
        assertEquals(1e-2, ((Adam) Optimizer.fromConfig("{\"type\":\"adam\",\"adamw\":true}", params())).weightDecay());
        assertTrue(msg(() -> Optimizer.fromConfig("{\"type\":\"sgd\"}", params())).contains("lr"));
        assertTrue(msg(() -> Optimizer.fromConfig("{\"type\":\"rmsprop\",\"lr\":1}", params())).contains("rmsprop"));
        assertTrue(msg(() -> Optimizer.fromConfig("{\"type\":\"sgd\",\"lr\":1,\"momentun\":0.9}", params())).contains("momentun"));
        assertThrows(IllegalArgumentException.class, () -> Optimizer.fromConfig("{\"type\":\"sgd\",\"lr\":\"x\"}", params()));
        assertThrows(IllegalArgumentException.class, () -> Optimizer.fromConfig("[1]", params()));
        assertThrows(IllegalArgumentException.class, () -> Sgd.fromConfig("{\"type\":\"adam\"}", params()));
    }

    @Test
    void constructorValidation() {
        assertTrue(msg(() -> new Sgd(params(), 0.1, 0, 0, true, 0)).contains("Nesterov"));
        assertTrue(msg(() -> new Sgd(params(), 0.1, 0.9, 0.1, true, 0)).contains("Nesterov"));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(params(), -0.1));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(params(), Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(params(), 0.1, -0.9));
        assertThrows(IllegalArgumentException.class, () -> new Adam(params(), 0.1, 1.0, 0.999, 1e-8, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Adam(params(), 0.1, 0.9, 0.999, -1e-8, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(new LinkedHashMap<>(), 0.1));
        Tensor p = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Map<String, Tensor> twice = new LinkedHashMap<>();
        twice.put("a", p);
        twice.put("b", p);
        assertTrue(msg(() -> new Sgd(twice, 0.1)).contains("'a'"));
        assertTrue(msg(() -> new Sgd(Map.of("x", p.mul(2.0)), 0.1)).contains("leaf"));
        assertTrue(msg(() -> new Sgd(Map.of("i", Tensor.ofInts(new int[] {1}, 1)), 0.1)).contains("int32"));
        Sgd s = new Sgd(params(), 0.1);
        assertThrows(IllegalArgumentException.class, () -> s.setLearningRate(-1));
        assertThrows(UnsupportedOperationException.class, () -> s.parameters().put("x", p));
    }

    // ------------------------------------------------------------------ stepping

    @Test
    void stepUsesGradAndSkipsParametersWithoutOne() {
        LinkedHashMap<String, Tensor> p = params();
        Sgd opt = new Sgd(p, 0.5, 0.9);
        double[] bias = p.get("layers.0.bias").toDoubleArray();
        Tensor w = p.get("layers.0.weight");
        Tensor loss = w.square().sum(); // grad 2w; the bias gets none
        loss.backward();
        double[] w0 = w.toDoubleArray();
        opt.step();
        double[] w1 = w.toDoubleArray();
        for (int i = 0; i < w0.length; i++) assertEquals(w0[i] - 0.5 * 2 * w0[i], w1[i], 1e-15);
        assertArrayEquals(bias, p.get("layers.0.bias").toDoubleArray(), 0.0);
        assertEquals(List.of("momentum.layers.0.weight"), List.copyOf(opt.state().keySet()));
        assertTrue(w.isLeaf());
        assertNull(w.gradFn());
        assertTrue(w.grad() != null);
        opt.zeroGrad();
        assertNull(w.grad());
        opt.step(); // nothing has a grad: no-op
        assertArrayEquals(w1, w.toDoubleArray(), 0.0);
    }

    @Test
    void differentiableGradientsRecordNothing() {
        LinkedHashMap<String, Tensor> p = params();
        Adam opt = new Adam(p, 0.1);
        Tensor w = p.get("layers.0.weight");
        Tensor g = w.mul(3.0); // a gradient that is itself part of a graph (as with createGraph)
        assertFalse(g.isLeaf());
        opt.step(Map.of("layers.0.weight", g));
        assertTrue(w.isLeaf());
        for (Tensor s : opt.state().values()) {
            assertTrue(s.isLeaf());
            assertFalse(s.requiresGrad());
        }
    }

    @Test
    void explicitGradientsAreValidatedBeforeAnyUpdate() {
        LinkedHashMap<String, Tensor> p = params();
        Sgd opt = new Sgd(p, 0.1);
        double[] w0 = p.get("layers.0.weight").toDoubleArray();
        Map<String, Tensor> bad = new LinkedHashMap<>(grads(1));
        bad.put("layers.0.bias", Tensor.of(new double[] {1, 2, 3}, 3));
        assertTrue(msg(() -> opt.step(bad)).contains("layers.0.bias"));
        assertArrayEquals(w0, p.get("layers.0.weight").toDoubleArray(), 0.0);
        Map<String, Tensor> unknown = new LinkedHashMap<>(grads(1));
        unknown.put("layers.9.weight", Tensor.of(new double[] {1}, 1));
        assertTrue(msg(() -> opt.step(unknown)).contains("layers.9.weight"));
        Map<String, Tensor> f32 = Map.of("layers.0.bias", Tensor.of(new float[] {1, 2}, 2));
        assertTrue(msg(() -> opt.step(f32)).contains("dtype"));
        assertThrows(IllegalArgumentException.class, () -> opt.step(new Tensor[] {null}));
        assertArrayEquals(w0, p.get("layers.0.weight").toDoubleArray(), 0.0);
    }

    @Test
    void gradFieldMapAndArrayAgree() {
        LinkedHashMap<String, Tensor> a = params(), b = params(), c = params();
        Optimizer oa = new Adam(a, 0.1, 0.9, 0.99, 1e-8, 0.1, true), ob = Optimizer.fromConfig(oa.config(), b),
                oc = Optimizer.fromConfig(oa.config(), c);
        for (int k = 1; k <= 3; k++) {
            Map<String, Tensor> g = grads(k);
            g.forEach((n, t) -> a.get(n).setGrad(t));
            oa.step();
            ob.step(g);
            oc.step(g.get("layers.0.weight"), g.get("layers.0.bias"));
        }
        OptimVectors.assertIdentical("map", a, b);
        OptimVectors.assertIdentical("array", a, c);
        OptimVectors.assertIdentical("state", oa.state(), oc.state());
    }

    @Test
    void float32ParametersFollowTheFloat64Trajectory() {
        LinkedHashMap<String, Tensor> p64 = params(), p32 = new LinkedHashMap<>();
        p64.forEach((n, t) -> p32.put(n, t.detach().to(DType.FLOAT32).requiresGrad(true)));
        Optimizer o64 = new Adam(p64, 0.05, 0.9, 0.999, 1e-8, 0.01, false), o32 = Optimizer.fromConfig(o64.config(), p32);
        for (int k = 1; k <= 4; k++) {
            Map<String, Tensor> g = grads(k), g32 = new LinkedHashMap<>();
            g.forEach((n, t) -> g32.put(n, t.to(DType.FLOAT32)));
            o64.step(g);
            o32.step(g32);
        }
        assertEquals(DType.FLOAT32, p32.get("layers.0.weight").dtype());
        assertEquals(DType.FLOAT32, o32.state().get("exp_avg.layers.0.weight").dtype());
        assertEquals(DType.FLOAT64, o32.state().get("step.layers.0.weight").dtype());
        OptimVectors.assertClose("float32", p64, p32, 1e-6);
    }

    // ------------------------------------------------------------------ state

    @Test
    void stateKeysAndSnapshot() {
        LinkedHashMap<String, Tensor> p = params();
        Adam opt = new Adam(p, 0.1);
        assertTrue(opt.state().isEmpty());
        opt.step(grads(1));
        Map<String, Tensor> s1 = opt.state();
        assertEquals(List.of("step.layers.0.weight", "exp_avg.layers.0.weight", "exp_avg_sq.layers.0.weight",
                "step.layers.0.bias", "exp_avg.layers.0.bias", "exp_avg_sq.layers.0.bias"), List.copyOf(s1.keySet()));
        assertEquals(0, s1.get("step.layers.0.bias").dim());
        assertEquals(1.0, s1.get("step.layers.0.bias").item());
        double[] m1 = s1.get("exp_avg.layers.0.weight").toDoubleArray();
        opt.step(grads(2));
        assertArrayEquals(m1, s1.get("exp_avg.layers.0.weight").toDoubleArray(), 0.0, "state() must be a snapshot");
        assertEquals(1.0, s1.get("step.layers.0.bias").item());
        assertEquals(2.0, opt.state().get("step.layers.0.bias").item());
        assertTrue(new Sgd(p, 0.1).state().isEmpty());
        Sgd plain = new Sgd(p, 0.1);
        plain.step(grads(1));
        assertTrue(plain.state().isEmpty(), "momentum 0 keeps no state");
    }

    @Test
    void loadStateErrorsNameTheEntry() {
        Adam src = new Adam(params(), 0.1);
        src.step(grads(1));
        Map<String, Tensor> good = src.state();
        Adam dst = new Adam(params(), 0.1);

        Map<String, Tensor> missing = new LinkedHashMap<>(good);
        missing.remove("exp_avg_sq.layers.0.bias");
        String m = msg(() -> dst.loadState(missing));
        assertTrue(m.contains("missing") && m.contains("exp_avg_sq.layers.0.bias"), m);

        Map<String, Tensor> unexpectedSlot = new LinkedHashMap<>(good);
        unexpectedSlot.put("momentum.layers.0.bias", Tensor.of(new double[] {0, 0}, 2));
        m = msg(() -> dst.loadState(unexpectedSlot));
        assertTrue(m.contains("unexpected") && m.contains("momentum.layers.0.bias"), m);

        Map<String, Tensor> unexpectedParam = new LinkedHashMap<>(good);
        unexpectedParam.put("exp_avg.layers.7.bias", Tensor.of(new double[] {0, 0}, 2));
        m = msg(() -> dst.loadState(unexpectedParam));
        assertTrue(m.contains("unexpected") && m.contains("exp_avg.layers.7.bias"), m);

        Map<String, Tensor> noDot = new LinkedHashMap<>(good);
        noDot.put("step", Tensor.scalar(DType.FLOAT64, 3));
        assertTrue(msg(() -> dst.loadState(noDot)).contains("'step'"));

        Map<String, Tensor> misShaped = new LinkedHashMap<>(good);
        misShaped.put("exp_avg.layers.0.weight", Tensor.of(new double[] {0, 0, 0, 0, 0, 0}, 3, 2));
        m = msg(() -> dst.loadState(misShaped));
        assertTrue(m.contains("exp_avg.layers.0.weight") && m.contains("[3, 2]"), m);

        Map<String, Tensor> badStep = new LinkedHashMap<>(good);
        badStep.put("step.layers.0.weight", Tensor.scalar(DType.FLOAT64, 1.5));
        assertTrue(msg(() -> dst.loadState(badStep)).contains("step.layers.0.weight"));

        assertTrue(dst.state().isEmpty(), "a failed load changes nothing");
        Sgd sgd = new Sgd(params(), 0.1);
        assertTrue(msg(() -> sgd.loadState(good)).contains("unexpected"));

        dst.loadState(good);
        OptimVectors.assertIdentical("loaded", good, dst.state());
        dst.loadState(Map.of()); // back to the initial (empty) state
        assertTrue(dst.state().isEmpty());
    }

    @Test
    void loadedStateIsACopyInTheParameterDtype() {
        LinkedHashMap<String, Tensor> p32 = new LinkedHashMap<>();
        params().forEach((n, t) -> p32.put(n, t.detach().to(DType.FLOAT32).requiresGrad(true)));
        Sgd src = new Sgd(params(), 0.1, 0.9);
        src.step(grads(1));
        Map<String, Tensor> saved = src.state();
        Sgd dst = new Sgd(p32, 0.1, 0.9);
        dst.loadState(saved);
        Tensor buf = dst.state().get("momentum.layers.0.weight");
        assertEquals(DType.FLOAT32, buf.dtype());
        try (var s = dev.brink.engine.GradMode.noGrad()) {
            saved.get("momentum.layers.0.weight").assign(saved.get("momentum.layers.0.weight").zerosLike());
        }
        assertArrayEquals(buf.toDoubleArray(), dst.state().get("momentum.layers.0.weight").toDoubleArray(), 0.0);
        assertFalse(buf.toDoubleArray()[0] == 0.0);
        assertInstanceOf(Sgd.class, Optimizer.fromConfig(dst.config(), p32));
    }
}

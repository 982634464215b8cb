package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.Autograd;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.brink.nn.optim.OptimVectors.TOL;
import static dev.brink.nn.optim.OptimVectors.assertClose;
import static dev.brink.nn.optim.OptimVectors.assertIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays torch.optim's SGD / Adam / AdamW runs from {@code test-vectors/optim.json}: the recorded gradient of each
 * step is fed to the Brink optimizer (built from the case's config JSON with {@link Optimizer#fromConfig}), and
 * the parameters and the state after every step must match PyTorch's to 1e-12 (abs + rel, float64).
 */
class OptimizerVectorTest {
    /** How the gradients reach the optimizer. */
    enum Feed { GRAD_FIELD, MAP, ARRAY }

    static Stream<JsonNode> cases() {
        List<JsonNode> out = new ArrayList<>();
        OptimVectors.root().get("optimizer_cases").forEach(out::add);
        return out.stream();
    }

    @Test
    void fileHasTheExpectedCases() {
        JsonNode root = OptimVectors.root();
        assertEquals("test-vectors/generate_optim.py", root.get("generator").asText());
        List<String> names = cases().map(c -> c.get("name").asText()).toList();
        for (String n : List.of("sgd/plain", "sgd/momentum", "sgd/nesterov", "sgd/weight_decay", "sgd/dampening",
                "adam/default", "adam/weight_decay", "adamw/default", "adam/skip", "sgd/momentum_skip"))
            assertTrue(names.contains(n), "missing case " + n);
    }

    @TestFactory
    Stream<DynamicTest> replayThroughGradField() {
        return cases().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> replay(c, Feed.GRAD_FIELD)));
    }

    @TestFactory
    Stream<DynamicTest> replayThroughGradMap() {
        return cases().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> replay(c, Feed.MAP)));
    }

    @TestFactory
    Stream<DynamicTest> replayThroughGradArray() {
        return cases().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> replay(c, Feed.ARRAY)));
    }

    /** Checkpoint after every possible step k: config + state into a fresh optimizer, which then continues identically. */
    @TestFactory
    Stream<DynamicTest> resumeFromCheckpoint() {
        return cases().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            int steps = c.get("steps").size();
            for (int k = 0; k <= steps; k++) resume(c, k);
        }));
    }

    /** Gradients computed by Brink's autograd from the same loss, then the step: the whole training step end to end. */
    @TestFactory
    Stream<DynamicTest> endToEndWithAutograd() {
        return cases().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> endToEnd(c)));
    }

    private static void replay(JsonNode c, Feed feed) {
        String name = c.get("name").asText();
        LinkedHashMap<String, Tensor> params = OptimVectors.initialParams(c);
        Optimizer opt = Optimizer.fromConfig(c.get("config").toString(), params);
        int k = 0;
        for (JsonNode s : c.get("steps")) {
            String at = name + " step " + k++;
            feed(opt, s, feed);
            checkAfterStep(at, opt, params, s);
        }
    }

    private static void feed(Optimizer opt, JsonNode s, Feed feed) {
        opt.setLearningRate(s.get("lr").asDouble());
        Map<String, Tensor> grads = OptimVectors.tensors(s.get("grads"));
        switch (feed) {
            case GRAD_FIELD -> {
                opt.zeroGrad();
                grads.forEach((n, g) -> opt.parameters().get(n).setGrad(g));
                opt.step();
            }
            case MAP -> opt.step(grads);
            case ARRAY -> {
                Tensor[] arr = new Tensor[opt.parameters().size()];
                int i = 0;
                for (String n : opt.parameters().keySet()) arr[i++] = grads.get(n);
                opt.step(arr);
            }
        }
    }

    private static void checkAfterStep(String at, Optimizer opt, Map<String, Tensor> params, JsonNode s) {
        assertClose(at + " params", OptimVectors.tensors(s.get("params")), params, TOL);
        assertClose(at + " state", OptimVectors.tensors(s.get("state")), opt.state(), TOL);
        for (Tensor p : params.values()) {
            assertTrue(p.isLeaf(), at + ": parameter stopped being a leaf");
            assertTrue(p.requiresGrad(), at + ": parameter stopped requiring grad");
        }
    }

    private static void resume(JsonNode c, int k) {
        String name = c.get("name").asText() + " resumed after " + k;
        JsonNode steps = c.get("steps");
        LinkedHashMap<String, Tensor> params = OptimVectors.initialParams(c);
        Optimizer opt = Optimizer.fromConfig(c.get("config").toString(), params);
        for (int i = 0; i < k; i++) feed(opt, steps.get(i), Feed.MAP);

        // the checkpoint: parameter values, optimizer config and state, all copied
        String config = opt.config();
        Map<String, Tensor> state = OptimVectors.copy(opt.state(), false);
        LinkedHashMap<String, Tensor> params2 = OptimVectors.copy(params, true);
        Optimizer opt2 = Optimizer.fromConfig(config, params2);
        opt2.loadState(state);
        assertEquals(config, opt2.config(), name + ": config");
        assertIdentical(name + ": loaded state", opt.state(), opt2.state());

        for (int i = k; i < steps.size(); i++) {
            feed(opt, steps.get(i), Feed.MAP);
            feed(opt2, steps.get(i), Feed.MAP);
            assertIdentical(name + " step " + i + " params", params, params2);
            assertIdentical(name + " step " + i + " state", opt.state(), opt2.state());
            checkAfterStep(name + " step " + i, opt2, params2, steps.get(i));
        }
    }

    private static void endToEnd(JsonNode c) {
        String name = c.get("name").asText();
        LinkedHashMap<String, Tensor> params = OptimVectors.initialParams(c);
        Tensor x = OptimVectors.tensor(c.get("x"));
        Tensor y = OptimVectors.tensor(c.get("y"));
        Optimizer opt = Optimizer.fromConfig(c.get("config").toString(), params);
        int k = 0;
        for (JsonNode s : c.get("steps")) {
            String at = name + " step " + k++;
            opt.setLearningRate(s.get("lr").asDouble());
            Tensor w = params.get("layers.0.weight"), b = params.get("layers.0.bias");
            Tensor loss = x.matmul(w).add(b).sub(y).square().mean().add(w.pow(4).sum().mul(0.05));
            opt.zeroGrad();
            loss.backward();
            Map<String, Tensor> expected = OptimVectors.tensors(s.get("grads"));
            for (String n : params.keySet()) {
                if (expected.containsKey(n)) assertClose(at + " grad " + n, expected.get(n), params.get(n).grad(), 1e-10);
                else params.get(n).zeroGrad(); // PyTorch's run dropped this gradient
            }
            opt.step();
            assertClose(at + " params", OptimVectors.tensors(s.get("params")), params, 1e-10);
        }
        // the same first step through Autograd.grad and step(Tensor...)
        LinkedHashMap<String, Tensor> p2 = OptimVectors.initialParams(c);
        Optimizer opt2 = Optimizer.fromConfig(c.get("config").toString(), p2);
        JsonNode s0 = c.get("steps").get(0);
        opt2.setLearningRate(s0.get("lr").asDouble());
        Tensor w = p2.get("layers.0.weight"), b = p2.get("layers.0.bias");
        Tensor loss = x.matmul(w).add(b).sub(y).square().mean().add(w.pow(4).sum().mul(0.05));
        Tensor[] g = Autograd.grad(loss, p2.values().toArray(new Tensor[0]));
        Map<String, Tensor> expected = OptimVectors.tensors(s0.get("grads"));
        int i = 0;
        for (String n : p2.keySet()) {
            if (!expected.containsKey(n)) g[i] = null;
            i++;
        }
        opt2.step(g);
        for (Tensor p : p2.values()) assertNull(p.grad(), name + ": Autograd.grad must not fill grad()");
        assertClose(name + " step 0 via Autograd.grad", OptimVectors.tensors(s0.get("params")), p2, 1e-10);
    }
}

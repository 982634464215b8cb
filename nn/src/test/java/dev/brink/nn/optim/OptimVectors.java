package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Loader for {@code test-vectors/optim.json} (written by {@code test-vectors/generate_optim.py}) and float64
 * comparison helpers.
 */
final class OptimVectors {
    static final double TOL = 1e-12;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static volatile JsonNode root;

    private OptimVectors() {}

    /** The root of optim.json (parsed once), found by walking up from the working directory. */
    static JsonNode root() {
        JsonNode r = root;
        if (r == null) {
            synchronized (OptimVectors.class) {
                if (root == null) {
                    Path p = Paths.get("").toAbsolutePath();
                    Path file = null;
                    for (Path q = p; q != null && file == null; q = q.getParent()) {
                        Path f = q.resolve("test-vectors").resolve("optim.json");
                        if (Files.isRegularFile(f)) file = f;
                    }
                    if (file == null) throw new IllegalStateException("test-vectors/optim.json not found in " + p + " or any parent directory");
                    try {
                        root = MAPPER.readTree(file.toFile());
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read " + file, e);
                    }
                }
                r = root;
            }
        }
        return r;
    }

    /** A float64 tensor from {"dtype","shape","data"}. */
    static Tensor tensor(JsonNode t) {
        assertEquals("float64", t.get("dtype").asText());
        int[] shape = new int[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.get("shape").get(i).asInt();
        double[] data = new double[t.get("data").size()];
        for (int i = 0; i < data.length; i++) data[i] = t.get("data").get(i).asDouble();
        return Tensor.of(data, shape);
    }

    /** An ordered map of float64 tensors from {name: T}. */
    static LinkedHashMap<String, Tensor> tensors(JsonNode obj) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), tensor(e.getValue()));
        }
        return out;
    }

    /** Fresh leaf parameters (requiring grad) holding a case's initial values, in param_names order. */
    static LinkedHashMap<String, Tensor> initialParams(JsonNode c) {
        LinkedHashMap<String, Tensor> init = tensors(c.get("initial"));
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (JsonNode n : c.get("param_names")) out.put(n.asText(), init.get(n.asText()).requiresGrad(true));
        return out;
    }

    static void assertClose(String what, double expected, double actual, double tol) {
        if (!(Math.abs(expected - actual) <= tol * (1 + Math.abs(expected))))
            fail(what + ": expected " + expected + " but got " + actual + " (diff " + Math.abs(expected - actual) + ")");
    }

    static void assertClose(String what, Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Shape.str(actual.shape()));
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) assertClose(what + "[" + i + "]", e[i], a[i], tol);
    }

    /** Same keys in the same order, each tensor close. */
    static void assertClose(String what, Map<String, Tensor> expected, Map<String, Tensor> actual, double tol) {
        assertEquals(String.join(",", expected.keySet()), String.join(",", actual.keySet()), what + ": keys");
        for (String k : expected.keySet()) assertClose(what + " " + k, expected.get(k), actual.get(k), tol);
    }

    /** Bitwise-equal values and shapes. */
    static void assertIdentical(String what, Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(String.join(",", expected.keySet()), String.join(",", actual.keySet()), what + ": keys");
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).shape(), actual.get(k).shape(), what + " " + k + ": shape");
            assertArrayEquals(expected.get(k).toDoubleArray(), actual.get(k).toDoubleArray(), 0.0, what + " " + k);
        }
    }

    /** An independent copy of a tensor's values (float64 leaf, optionally requiring grad). */
    static Tensor copy(Tensor t, boolean requiresGrad) {
        Tensor c = Tensor.fromHost(t.backend(), t.dtype(), t.toDoubleArray(), t.shape());
        return requiresGrad ? c.requiresGrad(true) : c;
    }

    static LinkedHashMap<String, Tensor> copy(Map<String, Tensor> m, boolean requiresGrad) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, copy(v, requiresGrad)));
        return out;
    }
}

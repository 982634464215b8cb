package dev.brink.nn.io;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateDictsTest {
    private static Map<String, Tensor> model() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("layers.0.weight", Tensor.zeros(32, 3, 5, 5).requiresGrad(true));
        m.put("layers.0.bias", Tensor.zeros(32).requiresGrad(true));
        m.put("layers.1.running_mean", Tensor.zeros(32));
        m.put("layers.1.num_batches", Tensor.zeros(DType.INT32, 1));
        return m;
    }

    @Test
    void reportsEveryProblemAtOnce() {
        Map<String, Tensor> loaded = new LinkedHashMap<>();
        loaded.put("layers.0.weight", Tensor.zeros(32, 1, 5, 5));                // wrong shape
        loaded.put("layers.1.running_mean", Tensor.zeros(DType.FLOAT64, 32));     // wrong dtype
        loaded.put("layers.1.num_batches", Tensor.zeros(DType.FLOAT32, 2));      // wrong shape and dtype
        loaded.put("head.weight", Tensor.zeros(10, 32));                          // unexpected
        // layers.0.bias missing
        Path file = Path.of("runs", "cnn.safetensors");
        StateDictMismatchException e = assertThrows(StateDictMismatchException.class,
                () -> StateDicts.check(file, model(), loaded));
        assertEquals(List.of(
                "missing: layers.0.bias [32] float32",
                "unexpected: head.weight [10, 32] float32",
                "layers.0.weight: file has [32, 1, 5, 5], model expects [32, 3, 5, 5]",
                "layers.1.num_batches: file has [2], model expects [1]",
                "layers.1.num_batches: file has dtype float32, model expects int32",
                "layers.1.running_mean: file has dtype float64, model expects float32"), e.problems());
        assertTrue(e.getMessage().startsWith(file + ": state dict does not match the model (6 problems):"), e.getMessage());
        for (String p : e.problems()) assertTrue(e.getMessage().contains("\n  " + p), p);
        assertEquals(file, e.file());
    }

    @Test
    void matchingStateDictPasses() {
        assertDoesNotThrow(() -> StateDicts.check(Path.of("x"), model(), model()));
        assertTrue(StateDicts.problems(model(), model()).isEmpty());
    }

    @Test
    void copyIntoAssignsInPlaceAndConvertsDtype() {
        Map<String, Tensor> target = model();
        Tensor weight = target.get("layers.0.weight");
        Map<String, Tensor> loaded = new LinkedHashMap<>();
        float[] w = new float[32 * 3 * 5 * 5];
        for (int i = 0; i < w.length; i++) w[i] = i * 0.5f;
        loaded.put("layers.0.weight", Tensor.of(w, 32, 3, 5, 5));
        loaded.put("layers.0.bias", Tensor.full(DType.FLOAT32, 2, 32));
        loaded.put("layers.1.running_mean", Tensor.full(DType.FLOAT64, 0.25, 32)); // converted to float32
        loaded.put("layers.1.num_batches", Tensor.ofInts(new int[] {7}, 1));
        StateDicts.copyInto(target, loaded);
        assertSame(weight, target.get("layers.0.weight"));
        assertTrue(weight.requiresGrad());
        assertArrayEquals(w, weight.toFloatArray());
        assertEquals(2f, target.get("layers.0.bias").toFloatArray()[31]);
        assertEquals(DType.FLOAT32, target.get("layers.1.running_mean").dtype());
        assertEquals(0.25f, target.get("layers.1.running_mean").toFloatArray()[0]);
        assertArrayEquals(new int[] {7}, target.get("layers.1.num_batches").toIntArray());
    }

    @Test
    void copyIntoRefusesShapeMismatchAndCopiesNothing() {
        Map<String, Tensor> target = model();
        Map<String, Tensor> loaded = new LinkedHashMap<>();
        loaded.put("layers.0.weight", Tensor.ones(32, 3, 5, 5));
        loaded.put("layers.0.bias", Tensor.ones(31));
        loaded.put("layers.1.running_mean", Tensor.ones(32));
        loaded.put("layers.1.num_batches", Tensor.ofInts(new int[] {1}, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDicts.copyInto(target, loaded));
        assertTrue(e.getMessage().contains("layers.0.bias: file has [31], model expects [32]"), e.getMessage());
        assertEquals(0f, target.get("layers.0.weight").toFloatArray()[0]);
    }
}

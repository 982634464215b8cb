package dev.brink.nn.io;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFileTest {
    @TempDir
    Path dir;

    static final String SPEC = "{\"layers\":[{\"type\":\"conv2d\",\"in\":3,\"out\":4,\"kernel\":3},{\"type\":\"batchnorm\",\"features\":4}]}";

    static Map<String, Tensor> state() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        float[] w = new float[4 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) w[i] = (i - 50) / 7f;
        m.put("layers.0.weight", Tensor.of(w, 4, 3, 3, 3));
        m.put("layers.0.bias", Tensor.of(new float[] {1, 2, 3, 4}, 4));
        m.put("layers.1.running_mean", Tensor.of(new float[] {.1f, .2f, .3f, .4f}, 4));
        m.put("layers.1.num_batches_tracked", Tensor.ofInts(new int[] {123}, 1));
        return m;
    }

    static void assertSameState(Map<String, Tensor> want, Map<String, Tensor> got) {
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) {
            assertEquals(want.get(k).dtype(), got.get(k).dtype(), k);
            assertArrayEquals(want.get(k).shape(), got.get(k).shape(), k);
            assertArrayEquals(want.get(k).toDoubleArray(), got.get(k).toDoubleArray(), k);
        }
    }

    @Test
    void roundTrip() throws IOException {
        Path p = dir.resolve("cnn.safetensors");
        ModelInfo info = new ModelInfo(SPEC, "cifar-cnn", Map.of("brink.dataset", "cifar10", "brink.accuracy", "0.913"));
        ModelFile.save(p, state(), info);
        ModelFile loaded = ModelFile.load(p);
        assertSameState(state(), loaded.state());
        assertEquals(info, loaded.info());
        assertEquals(List.of("layers.0.bias", "layers.0.weight", "layers.1.num_batches_tracked", "layers.1.running_mean"),
                List.copyOf(loaded.state().keySet()));

        Map<String, String> meta = SafeTensors.read(p).metadata();
        assertEquals("1", meta.get("brink.format"));
        assertEquals(SPEC, meta.get("brink.spec"));
        assertEquals("cifar-cnn", meta.get("brink.model"));
        assertEquals("cifar10", meta.get("brink.dataset"));
    }

    @Test
    void loadIntoChecksThenCopies() throws IOException {
        Path p = dir.resolve("m.safetensors");
        ModelFile.save(p, state(), new ModelInfo(SPEC, ""));
        Map<String, Tensor> model = new LinkedHashMap<>();
        state().forEach((k, v) -> model.put(k, v.zerosLike()));
        ModelInfo info = ModelFile.loadInto(p, model);
        assertEquals("", info.model());
        assertSameState(state(), model);

        Map<String, Tensor> wrong = new LinkedHashMap<>(model);
        wrong.put("layers.0.weight", Tensor.zeros(4, 1, 3, 3));
        wrong.remove("layers.0.bias");
        StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> ModelFile.loadInto(p, wrong));
        assertTrue(e.getMessage().contains("m.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected: layers.0.bias [4] float32"), e.getMessage());
        assertTrue(e.getMessage().contains("layers.0.weight: file has [4, 3, 3, 3], model expects [4, 1, 3, 3]"), e.getMessage());
    }

    @Test
    void rejectsFilesThatAreNotBrinkModels() throws IOException {
        Path plain = dir.resolve("plain.safetensors");
        SafeTensors.write(plain, Map.of("w", Tensor.zeros(2)), Map.of("format", "pt"));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(plain));
        assertTrue(e.getMessage().contains("plain.safetensors: not a Brink model file"), e.getMessage());

        Path future = dir.resolve("future.safetensors");
        SafeTensors.write(future, Map.of(), Map.of("brink.format", "2", "brink.spec", "{}"));
        e = assertThrows(ModelFileException.class, () -> ModelFile.load(future));
        assertTrue(e.getMessage().contains("future.safetensors: unsupported brink.format \"2\""), e.getMessage());
    }

    @Test
    void reservedNamesAndKeysAreRefused() {
        Path p = dir.resolve("r.safetensors");
        assertThrows(IllegalArgumentException.class,
                () -> ModelFile.save(p, Map.of("optimizer.x", Tensor.zeros(1)), new ModelInfo("{}", "")));
        assertThrows(IllegalArgumentException.class, () -> new ModelInfo("{}", "", Map.of("brink.spec", "x")));
        assertThrows(IllegalArgumentException.class, () -> new ModelInfo("{}", "", Map.of("brink.epoch", "3")));
        assertFalse(Files.exists(p));
    }

    @Test
    void float64ModelStaysFloat64() throws IOException {
        Path p = dir.resolve("f64.safetensors");
        ModelFile.save(p, Map.of("w", Tensor.of(new double[] {Math.E}, 1)), new ModelInfo("{}", "tiny"));
        Tensor w = ModelFile.load(p).state().get("w");
        assertEquals(DType.FLOAT64, w.dtype());
        assertEquals(Math.E, w.toDoubleArray()[0]);
    }
}

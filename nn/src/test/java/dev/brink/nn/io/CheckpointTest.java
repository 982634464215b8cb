package dev.brink.nn.io;

import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    @TempDir
    Path dir;

    static Checkpoint checkpoint() {
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        ModelFileTest.state().forEach((k, v) -> {
            if (v.dtype().isFloating()) {
                optimizer.put("momentum." + k, v.mul(0.5));
                optimizer.put("second_moment." + k, v.square());
            }
        });
        ModelInfo info = new ModelInfo(ModelFileTest.SPEC, "cifar-cnn", Map.of("brink.dataset", "cifar10"));
        return new Checkpoint(ModelFileTest.state(), optimizer, info, 7, 12_345_678_901L, -8_765_432_109_876L,
                Long.MAX_VALUE, "{\"type\":\"adam\",\"lr\":0.001,\"betas\":[0.9,0.999]}", "{\"type\":\"cosine\",\"t\":17}");
    }

    @Test
    void roundTripIncludingMetadataAndOptimizerState() throws IOException {
        Path p = dir.resolve("ckpt.safetensors");
        Checkpoint in = checkpoint();
        Checkpoint.save(p, in);
        Checkpoint out = Checkpoint.load(p);
        ModelFileTest.assertSameState(in.model(), out.model());
        ModelFileTest.assertSameState(in.optimizer(), out.optimizer());
        assertEquals(in.info(), out.info());
        assertEquals(7, out.epoch());
        assertEquals(12_345_678_901L, out.step());
        assertEquals(-8_765_432_109_876L, out.rngSeed());
        assertEquals(Long.MAX_VALUE, out.rngCounter());
        assertEquals(in.optimizerJson(), out.optimizerJson());
        assertEquals(in.scheduleJson(), out.scheduleJson());

        SafeTensors.Contents raw = SafeTensors.read(p);
        assertTrue(raw.tensors().containsKey("optimizer.momentum.layers.0.weight"));
        assertTrue(raw.tensors().containsKey("layers.0.weight"));
        assertEquals("7", raw.metadata().get("brink.epoch"));
        assertEquals("12345678901", raw.metadata().get("brink.step"));
        assertEquals("-8765432109876", raw.metadata().get("brink.rng.seed"));
        assertEquals(in.optimizerJson(), raw.metadata().get("brink.optimizer"));
        assertEquals(in.scheduleJson(), raw.metadata().get("brink.schedule"));
        assertEquals("1", raw.metadata().get("brink.format"));
    }

    @Test
    void checkpointLoadsAsModelFile() throws IOException {
        Path p = dir.resolve("ckpt.safetensors");
        Checkpoint.save(p, checkpoint());
        ModelFile m = ModelFile.load(p);
        ModelFileTest.assertSameState(ModelFileTest.state(), m.state());
        assertEquals(checkpoint().info(), m.info());
        assertEquals(Map.of("brink.dataset", "cifar10"), m.info().extra());

        Map<String, Tensor> target = new LinkedHashMap<>();
        ModelFileTest.state().forEach((k, v) -> target.put(k, v.zerosLike()));
        ModelFile.loadInto(p, target);
        ModelFileTest.assertSameState(ModelFileTest.state(), target);
    }

    @Test
    void modelFileIsNotACheckpoint() throws IOException {
        Path p = dir.resolve("model.safetensors");
        ModelFile.save(p, ModelFileTest.state(), new ModelInfo("{}", ""));
        ModelFileException e = assertThrows(ModelFileException.class, () -> Checkpoint.load(p));
        assertTrue(e.getMessage().contains("model.safetensors: not a checkpoint: no \"brink."), e.getMessage());
    }

    @Test
    void malformedNumberIsReported() throws IOException {
        Path p = dir.resolve("bad.safetensors");
        Map<String, String> meta = new LinkedHashMap<>(Map.of("brink.format", "1", "brink.spec", "{}", "brink.model", "",
                "brink.epoch", "3", "brink.step", "ten", "brink.rng.seed", "1", "brink.rng.counter", "0"));
        meta.put("brink.optimizer", "{}");
        meta.put("brink.schedule", "{}");
        SafeTensors.write(p, Map.of(), meta);
        ModelFileException e = assertThrows(ModelFileException.class, () -> Checkpoint.load(p));
        assertTrue(e.getMessage().contains("bad.safetensors: metadata \"brink.step\" = \"ten\" is not a 64-bit integer"), e.getMessage());
    }

    @Test
    void optimizerNamesArePrefixedAndModelNamesMayNotCollide() {
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(Map.of("optimizer.w", Tensor.zeros(1)), Map.of(),
                new ModelInfo("{}", ""), 0, 0, 0, 0, "{}", "{}"));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(Map.of(), Map.of(),
                new ModelInfo("{}", ""), -1, 0, 0, 0, "{}", "{}"));
        assertEquals(List.of(), List.copyOf(new Checkpoint(Map.of(), Map.of(), new ModelInfo("{}", ""), 0, 0, 0, 0, "{}", "{}")
                .optimizer().keySet()));
    }
}

package dev.brink.nn.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brink.nn.AllocationMeter;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecPlan;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13, case 1: no file can exhaust memory. Each crafted file declares gigabytes its bytes do not hold (a tiny
 * header, or a sparse file whose holes read as zeros); each is refused from its header, by name, with less than
 * {@link #BUDGET} bytes allocated on the loading thread, where reading what the file declares would take 1.6 to 3.2 GB.
 */
class HeaderFirstLoadingTest {
    static final long BUDGET = 32 << 20;
    static final String LINEAR_MILLION = "{\"input\":[784],\"layers\":[{\"type\":\"linear\",\"out\":1000000}]}";
    static final String LINEAR_TEN = "{\"input\":[784],\"layers\":[{\"type\":\"linear\",\"out\":10}]}";
    static final long HUGE = 1_600_000_000L;

    @TempDir
    Path dir;

    /** Fails with {@code type}, each fragment in the message, within the allocation budget. */
    static <T extends Throwable> T refused(Class<T> type, Executable load, String... fragments) {
        AllocationMeter meter = AllocationMeter.start();
        T e = assertThrows(type, load);
        long allocated = meter.bytes();
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' lacks '" + f + "'");
        assertTrue(allocated < BUDGET, "allocated " + allocated + " bytes before refusing");
        return e;
    }

    private static float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i % 17 - 8) / 100f;
        return v;
    }

    @Test
    void aTinyFileDeclaringAMillionWideLayerFailsOnItsMissingTensors() throws Exception {
        Path f = dir.resolve("tiny.safetensors");
        SafeTensors.write(f, Map.of(), Map.of(ModelFile.FORMAT_KEY, "1", ModelFile.SPEC_KEY, LINEAR_MILLION));
        assertTrue(Files.size(f) < 200, "a file of " + Files.size(f) + " bytes");
        refused(StateDictMismatchException.class, () -> ModelLoader.load(f),
                "tiny.safetensors", "missing: layers.0.weight [1000000, 784] float32", "missing: layers.0.bias [1000000] float32");
        SpecPlan plan = ModelSpec.plan(LINEAR_MILLION);
        refused(StateDictMismatchException.class, () -> ModelFile.load(f, plan.standIns()), "tiny.safetensors", "missing: layers.0.weight");
        refused(ModelFileException.class, () -> Trainer.resume(f, Objective.crossEntropy(0), 2, 8, 8), "tiny.safetensors", "not a checkpoint");
    }

    @Test
    void aSparseFileWithAnExtraHugeTensorIsRefusedWithoutReadingIt() throws Exception {
        Path f = CraftedFile.model(LINEAR_TEN).f32("layers.0.bias", values(10), 10).f32("layers.0.weight", values(7840), 10, 784)
                .hole("extra", "U8", HUGE, HUGE).write(dir.resolve("extra.safetensors"));
        assertTrue(Files.size(f) > HUGE, "the declared size is there: " + Files.size(f));
        refused(StateDictMismatchException.class, () -> ModelLoader.load(f), "extra.safetensors", "unexpected: extra [1600000000] int32");
        refused(StateDictMismatchException.class, () -> ModelFile.load(f, ModelSpec.plan(LINEAR_TEN).standIns()), "unexpected: extra");
    }

    @Test
    void aMisshapenHugeTensorIsRefusedFromTheHeader() throws Exception {
        Path f = CraftedFile.model(LINEAR_TEN).f32("layers.0.bias", values(10), 10).hole("layers.0.weight", "F32", HUGE, HUGE / 4)
                .write(dir.resolve("misshapen.safetensors"));
        refused(StateDictMismatchException.class, () -> ModelLoader.load(f), "layers.0.weight: file has [400000000], model expects [10, 784]");
    }

    @Test
    void plainWeightsWithAHugeExtraTensorAreRefusedBeforeTheImportReadsThem() throws Exception {
        Path f = CraftedFile.withMetadata(Map.of()).f32("0.bias", values(10), 10).f32("0.weight", values(7840), 10, 784)
                .hole("1.weight", "F16", HUGE, HUGE / 2).write(dir.resolve("plain.safetensors"));
        refused(StateDictMismatchException.class, () -> ModelLoader.importWeights(f, ModelSpec.parse(LINEAR_TEN), ImportOptions.AUTO, ""),
                "plain.safetensors", "unexpected: layers.1.weight [800000000] float32");
    }

    @Test
    void aCheckpointWithMisshapenOptimizerStateIsRefusedFromTheHeader() throws Exception {
        Map<String, String> meta = new HashMap<>(Map.of(ModelFile.FORMAT_KEY, "1", ModelFile.SPEC_KEY, LINEAR_TEN));
        meta.putAll(Map.of(Checkpoint.EPOCH_KEY, "0", Checkpoint.STEP_KEY, "5", Checkpoint.RNG_SEED_KEY, "1", Checkpoint.RNG_COUNTER_KEY, "0",
                Checkpoint.OPTIMIZER_KEY, "{\"type\":\"sgd\",\"lr\":0.1}", Checkpoint.SCHEDULE_KEY, "{\"type\":\"constant\",\"value\":0.1}"));
        Path f = CraftedFile.withMetadata(meta).f32("layers.0.bias", values(10), 10).f32("layers.0.weight", values(7840), 10, 784)
                .hole("optimizer.momentum.layers.0.weight", "F32", HUGE, HUGE / 4).write(dir.resolve("run.ckpt"));
        String shape = "optimizer.momentum.layers.0.weight: file has [400000000], parameter layers.0.weight has [10, 784]";
        refused(StateDictMismatchException.class, () -> Checkpoint.load(f, ModelSpec.plan(LINEAR_TEN).standIns()), "run.ckpt", shape);
        refused(StateDictMismatchException.class, () -> Trainer.resume(f, Objective.crossEntropy(0), 2, 8, 8), "run.ckpt", shape);
        // the model part alone is fine: a model file reader skips the optimizer state without reading it
        AllocationMeter meter = AllocationMeter.start();
        assertEquals(0.07f, ModelLoader.load(f).model().stateDict().get("layers.0.weight").toFloatArray()[15], 1e-7f);
        assertTrue(meter.bytes() < BUDGET, "allocated " + meter.bytes());
    }

    @Test
    void aFileHoldingWeightsBeyondTheHeapIsRefusedBeforeReadingThem() throws Exception {
        // 50,000 -> 40,000 -> 40,000 with every weight present (16 GB of holes): the file is consistent, the heap is not enough
        String spec = "{\"input\":[50000],\"layers\":[{\"type\":\"linear\",\"out\":40000,\"bias\":false},{\"type\":\"linear\",\"out\":40000,\"bias\":false}]}";
        Path f = CraftedFile.model(spec).hole("layers.0.weight", "F32", 8_000_000_000L, 40000, 50000).hole("layers.1.weight", "F32", 6_400_000_000L, 40000, 40000)
                .write(dir.resolve("large.safetensors"));
        refused(ModelFileException.class, () -> ModelLoader.load(f), "large.safetensors", "3,600,000,000 parameters", "more than the Java heap can hold");
    }

    @Test
    void aWellFormedFileLoadsItsValues() throws Exception {
        Path f = CraftedFile.model(LINEAR_TEN).f32("layers.0.bias", values(10), 10).f32("layers.0.weight", values(7840), 10, 784)
                .write(dir.resolve("good.safetensors"));
        ModelLoader.Loaded m = ModelLoader.load(f);
        assertArrayEquals(values(7840), m.model().stateDict().get("layers.0.weight").toFloatArray());
        assertArrayEquals(values(10), m.model().stateDict().get("layers.0.bias").toFloatArray());
        assertNull(m.nonFinite());
        assertEquals(LINEAR_TEN, m.info().spec());
        assertEquals(new ObjectMapper().readTree(LINEAR_TEN), new ObjectMapper().readTree(m.model().specJson()));
    }
}

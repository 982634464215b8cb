package dev.brink.nn.train;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.fuzz.FuzzSupport;
import dev.brink.nn.fuzz.Seeds;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.io.SafeTensors;
import dev.brink.nn.optim.Adam;
import dev.brink.nn.optim.Schedule;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fuzzes what {@code --resume} reads from a checkpoint's metadata: the epoch, step and random-stream numbers, the
 * optimizer's configuration and the schedule (JSON), the best-validation entries. A real checkpoint of a tiny run
 * is the base; each input line {@code KEY=VALUE} replaces one metadata entry ({@code -KEY} removes it). Resuming
 * either works or fails with an {@link IOException} or {@link IllegalArgumentException} naming the problem.
 */
class CheckpointMetadataFuzzTest {
    private static final String SPEC = "{\"input\":[1,2,2],\"layers\":[{\"type\":\"flatten\"},{\"type\":\"linear\",\"out\":3},{\"type\":\"tanh\"},{\"type\":\"linear\",\"out\":2}]}";
    private static Map<String, Tensor> tensors;
    private static Map<String, String> metadata;

    private static synchronized void base() throws IOException {
        if (tensors != null) return;
        SpecModel m = ModelSpec.build(SPEC, new Generator(3));
        byte[] px = new byte[8 * 4];
        int[] y = new int[8];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 29);
        for (int i = 0; i < y.length; i++) y[i] = i % 2;
        Dataset d = Dataset.of("tiny", px, new int[] {1, 2, 2}, y, List.of("a", "b"));
        Path ckpt = FuzzSupport.scratchDir().resolve("base.ckpt");
        new Trainer(m, new ModelInfo(m.specJson(), ""), new Adam(m.trainableParameters(), 0.01), Schedule.constant(0.01),
                Objective.crossEntropy(0), new Trainer.Config(1, 4, 5, 8)).fit(d, null, ckpt, null);
        SafeTensors.Contents c = SafeTensors.read(ckpt);
        tensors = c.tensors();
        metadata = c.metadata();
    }

    static void resume(byte[] data) throws Exception {
        base();
        Map<String, String> meta = new TreeMap<>(metadata);
        for (String line : new String(data, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("-")) meta.remove(line.substring(1));
            else if (line.indexOf('=') > 0) meta.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        Path f = FuzzSupport.scratchDir().resolve("fuzz.ckpt");
        SafeTensors.write(f, tensors, meta);
        FuzzSupport.withinAllocation(64L * data.length + (64 << 20), "resuming from fuzzed metadata", () -> {
            try {
                Trainer t = Trainer.resume(f, Objective.crossEntropy(0), 2, 4, 8);
                t.nextEpoch();
            } catch (IOException | IllegalArgumentException expected) {
                // malformed metadata, reported
            }
        });
    }

    @FuzzTest(maxDuration = "10m")
    void metadata(byte[] data) throws Exception {
        resume(data);
    }

    @Test
    void mutatedSeeds() throws IOException {
        Seeds.replay(FuzzSupport.mutants(Seeds.of(getClass(), "metadata"), 31, 400), CheckpointMetadataFuzzTest::resume);
    }
}

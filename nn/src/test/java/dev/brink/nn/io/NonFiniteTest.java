package dev.brink.nn.io;

import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.optim.Adam;
import dev.brink.nn.optim.Schedule;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Evaluation;
import dev.brink.nn.train.NonFiniteLogitsException;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 13, case 2, in the library: NaN and infinite weights are found on load, and a broken model is not measured. */
class NonFiniteTest {
    static final String SPEC = "{\"input\":[1,2,2],\"layers\":[{\"type\":\"flatten\"},{\"type\":\"linear\",\"out\":3},{\"type\":\"relu\"},{\"type\":\"linear\",\"out\":2}]}";

    @TempDir
    Path dir;

    static SpecModel model(double badBias) {
        SpecModel m = ModelSpec.build(SPEC, new Generator(1));
        float[] b = m.stateDict().get("layers.3.bias").toFloatArray();
        b[1] = (float) badBias;
        try (var s = GradMode.noGrad()) {
            m.stateDict().get("layers.3.bias").assign(Tensor.of(b, 2));
        }
        return m;
    }

    static Dataset data() {
        byte[] px = new byte[8 * 4];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 37);
        return Dataset.of("toy", px, new int[] {1, 2, 2}, new int[] {0, 1, 0, 1, 0, 1, 0, 1}, List.of("a", "b"));
    }

    @Test
    void findNamesTheFirstBadTensorAndCountsEverything() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("a", Tensor.of(new float[] {1, 2}, 2));
        s.put("b", Tensor.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY, 3, Float.NaN}, 4));
        s.put("c", Tensor.of(new float[] {Float.NEGATIVE_INFINITY}, 1));
        s.put("n", Tensor.ofInts(new int[] {7}, 1));
        NonFinite f = NonFinite.find(s);
        assertEquals(new NonFinite("b", 2, 1, 4, 2, 4), f);
        assertEquals("tensor 'b' holds 2 NaN and 1 infinite of its 4 values (2 tensors hold 4 non-finite values in all)", f.describe());
        assertNull(NonFinite.find(Map.of("a", Tensor.of(new float[] {3e38f, 3e38f}, 2))), "an overflowing sum is not a non-finite value");
    }

    @Test
    void loadingReportsNonFiniteWeights() throws Exception {
        Path f = dir.resolve("nan.safetensors");
        SpecModel m = model(Double.NaN);
        ModelFile.save(f, m.stateDict(), new ModelInfo(m.specJson(), ""));
        ModelLoader.Loaded l = ModelLoader.load(f);
        assertEquals("tensor 'layers.3.bias' holds 1 NaN of its 2 values", l.nonFinite().describe());
        assertNull(ModelLoader.load(save(model(0.5), "fine.safetensors")).nonFinite());
    }

    @Test
    void evaluationRefusesNonFiniteLogitsNamingTheModel() {
        NonFiniteLogitsException e = assertThrows(NonFiniteLogitsException.class,
                () -> Evaluation.accuracy(model(Double.POSITIVE_INFINITY), "model x.safetensors", data(), 3, null));
        assertTrue(e.getMessage().startsWith("model x.safetensors gives NaN or infinite logits on 3 of 3 samples of toy (the first: sample 0)"),
                e.getMessage());
        double acc = Evaluation.accuracy(model(0), data(), 3, null);  // a finite model is measured
        assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);
    }

    @Test
    void resumeRefusesACheckpointWithNonFiniteWeights() throws Exception {
        SpecModel m = model(Double.NaN);
        Path ckpt = dir.resolve("nan.ckpt");
        Adam opt = new Adam(m.trainableParameters(), 1e-3, 0.9, 0.999, 1e-8, 0, false);
        Checkpoint.save(ckpt, new Checkpoint(m.stateDict(), opt.state(), new ModelInfo(m.specJson(), ""), 0, 0, 1, 0, opt.config(),
                Schedule.constant(1e-3).toJson()));
        ModelFileException e = assertThrows(ModelFileException.class, () -> Trainer.resume(ckpt, Objective.crossEntropy(0), 3, 4, 4));
        assertTrue(e.getMessage().contains("nan.ckpt: the checkpoint's model is broken: tensor 'layers.3.bias' holds 1 NaN"), e.getMessage());
    }

    private Path save(SpecModel m, String name) throws Exception {
        Path f = dir.resolve(name);
        ModelFile.save(f, m.stateDict(), new ModelInfo(m.specJson(), ""));
        return f;
    }
}

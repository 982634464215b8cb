package dev.brink.nn.train;

import dev.brink.engine.Generator;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.optim.Sgd;
import dev.brink.nn.optim.Schedule;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 13, case 4, in the library: labels beyond the model's outputs, and empty data, are refused before any work. */
class ClassCheckTest {
    static Dataset data(int n, int classes) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = i % classes;
        List<String> names = new java.util.ArrayList<>();
        for (int k = 0; k < classes; k++) names.add("c" + k);
        return Dataset.of("toy-" + classes, new byte[n * 4], new int[] {1, 2, 2}, y, names);
    }

    private static void refused(String model, int[] output, Dataset d, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassCheck.check(model, output, d));
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' lacks '" + f + "'");
    }

    @Test
    void aOneLogitModelTakesTwoClassesOnly() {
        ClassCheck.check("--model logreg", new int[] {1}, data(20, 2));
        refused("--model logreg", new int[] {1}, data(20, 10),
                "--model logreg has 1 output (a binary classifier: classes 0 and 1), but data set toy-10 has labels up to 9 (of 10 classes)",
                "mnist-3v7");
    }

    @Test
    void labelsBeyondTheOutputsAreRefused() {
        ClassCheck.check("m", new int[] {10}, data(20, 10));
        ClassCheck.check("m", new int[] {10}, data(20, 2));  // fewer classes than outputs is fine
        refused("model a.safetensors", new int[] {10}, data(300, 256), "model a.safetensors has 10 outputs (classes 0 to 9), but data set toy-256 has labels up to 255");
        refused("m", new int[] {2, 5}, data(4, 2), "m outputs [2, 5] per sample, not a vector of class logits");
        refused("m", new int[] {10}, data(0, 2), "data set toy-2 has no samples");
    }

    @Test
    void theTrainerRefusesBeforeItsFirstStep() {
        SpecModel m = ModelSpec.build("{\"input\":[1,2,2],\"layers\":[{\"type\":\"flatten\"},{\"type\":\"linear\",\"out\":1}]}", new Generator(1));
        float[] before = m.stateDict().get("layers.1.weight").toFloatArray();
        Trainer t = new Trainer(m, new ModelInfo(m.specJson(), ""), new Sgd(m.trainableParameters(), 0.1, 0), Schedule.constant(0.1),
                Objective.crossEntropy(0), new Trainer.Config(1, 4, 0, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(data(20, 10), null, null, null));
        assertTrue(e.getMessage().contains("has 1 output"), e.getMessage());
        assertArrayEquals(before, m.stateDict().get("layers.1.weight").toFloatArray(), "no step was taken");
        assertThrows(IllegalArgumentException.class, () -> t.fit(data(0, 2), null, null, null));
    }
}

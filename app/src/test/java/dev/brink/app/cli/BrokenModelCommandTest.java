package dev.brink.app.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13, case 2, through the CLI: with a NaN bias, {@code brink attack -a fgsm -a pgd} reported clean 0.15, robust
 * 0.15, success 0.0; with an infinite bias, success 1.0 and NaN adversarial examples saved to the transfer set. Now
 * every command that loads a model refuses non-finite weights, naming the file and the tensor; with
 * {@code --allow-nonfinite} it warns, and the evaluation then refuses the non-finite logits; nothing is saved.
 */
class BrokenModelCommandTest {
    @TempDir
    static Path dir;
    static Path data, nan, inf, fine;

    @BeforeAll
    static void write() throws IOException {
        data = Fixtures.idx(dir.resolve("toy"), 40, 20, i -> i % 2);
        nan = Fixtures.linearModel(dir.resolve("nan.safetensors"), 2, Float.NaN);
        inf = Fixtures.linearModel(dir.resolve("inf.safetensors"), 2, Float.POSITIVE_INFINITY);
        fine = Fixtures.linearModel(dir.resolve("fine.safetensors"), 2, 0);
    }

    private static void brokenWeights(Fixtures.Run r, Path model, String what) {
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains(model + ": the model is broken: tensor 'layers.1.bias' holds 1 " + what + " of its 2 values"), r.err());
        assertTrue(r.err().contains("--allow-nonfinite loads it anyway"), r.err());
    }

    private static void brokenLogits(Fixtures.Run r, Path model) {
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("warning: " + model + ": the model is broken"), r.err());
        assertTrue(r.err().contains("model " + model + " gives NaN or infinite logits on"), r.err());
    }

    @Test
    void attackRefusesNanAndInfiniteWeightsAndSavesNothing() {
        for (Path model : new Path[] {nan, inf}) {
            Path out = dir.resolve("attack-" + model.getFileName());
            String what = model == nan ? "NaN" : "infinite";
            String[] cmd = {"attack", model.toString(), "--data", data.toString(), "-a", "fgsm", "-a", "pgd", "--eps", "0.1", "--out", out.toString()};
            brokenWeights(Fixtures.run(cmd), model, what);
            String[] allowed = java.util.Arrays.copyOf(cmd, cmd.length + 1);
            allowed[cmd.length] = "--allow-nonfinite";
            brokenLogits(Fixtures.run(allowed), model);
            assertFalse(Files.exists(out.resolve("adversarial-fgsm.safetensors")) || Files.exists(out.resolve("results.json")), "nothing saved");
        }
        Fixtures.Run ok = Fixtures.run("attack", fine.toString(), "--data", data.toString(), "-a", "fgsm", "--eps", "0.1", "--out", dir.resolve("a-ok").toString());
        assertEquals(0, ok.code(), ok.all());
    }

    @Test
    void everyCommandThatLoadsAModelRefusesIt() {
        String d = data.toString(), m = nan.toString();
        brokenWeights(Fixtures.run("eval", m, "--data", d), nan, "NaN");
        brokenLogits(Fixtures.run("eval", m, "--data", d, "--allow-nonfinite"), nan);
        brokenWeights(Fixtures.run("sweep", m, "--data", d, "-a", "fgsm", "--eps", "0.1", "--out", dir.resolve("s").toString()), nan, "NaN");
        brokenWeights(Fixtures.run("autoattack", m, "--data", d, "--eps", "0.1", "--out", dir.resolve("aa").toString()), nan, "NaN");
        brokenLogits(Fixtures.run("autoattack", m, "--data", d, "--eps", "0.1", "--out", dir.resolve("aa2").toString(), "--allow-nonfinite"), nan);
        brokenWeights(Fixtures.run("attack", fine.toString(), "--data", d, "-a", "fgsm", "--eps", "0.1", "--transfer-to", m,
                "--out", dir.resolve("t").toString()), nan, "NaN");
        brokenWeights(Fixtures.run("info", m), nan, "NaN");
        Fixtures.Run info = Fixtures.run("info", m, "--allow-nonfinite");
        assertEquals(0, info.code(), info.all());
        assertTrue(info.err().contains("warning: " + nan + ": the model is broken"), info.err());
    }

    @Test
    void importRefusesNonFiniteWeightsUnlessAllowed() throws IOException {
        Path spec = Files.writeString(dir.resolve("linear.json"), Fixtures.linearSpec(2));
        Path out = dir.resolve("imported.safetensors");
        brokenWeights(Fixtures.run("import", inf.toString(), "--spec", spec.toString(), "-o", out.toString()), inf, "infinite");
        assertFalse(Files.exists(out));
        Fixtures.Run r = Fixtures.run("import", inf.toString(), "--spec", spec.toString(), "-o", out.toString(), "--allow-nonfinite");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.err().contains("warning: " + inf + ": the model is broken"), r.err());
    }
}

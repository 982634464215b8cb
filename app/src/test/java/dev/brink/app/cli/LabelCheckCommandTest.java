package dev.brink.app.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13, case 4, through the CLI: {@code train --model logreg --data mnist} (one output, ten classes) trained with
 * a negative loss and exited 0; labels of 255 gave "accuracy 0.0000"; an empty data set printed NaN. Each now fails
 * before any work in train, eval, attack, sweep and autoattack, naming the model and the data.
 */
class LabelCheckCommandTest {
    @TempDir
    static Path dir;
    static Path tenClasses, labels255, empty, twoOutputs;

    @BeforeAll
    static void write() throws IOException {
        tenClasses = Fixtures.idx(dir.resolve("ten"), 40, 20, i -> i % 10);
        labels255 = Fixtures.idx(dir.resolve("l255"), 40, 20, i -> i % 3 == 2 ? 255 : i % 2);
        empty = Fixtures.idx(dir.resolve("empty"), 0, 0, i -> 0);
        twoOutputs = Fixtures.linearModel(dir.resolve("two.safetensors"), 2, 0);
    }

    private static void refused(Fixtures.Run r, String... fragments) {
        assertEquals(1, r.code(), r.all());
        for (String f : fragments) assertTrue(r.err().contains(f), "'" + r.err() + "' lacks '" + f + "'");
    }

    @Test
    void aOneLogitModelDoesNotTrainOnTenClasses() {
        Path out = dir.resolve("logreg.safetensors");
        refused(Fixtures.run("train", "--model", "logreg", "--data", tenClasses.toString(), "--epochs", "1", "-o", out.toString()),
                "--model logreg has 1 output (a binary classifier: classes 0 and 1), but data set ten-train has labels up to 9 (of 10 classes)");
        assertFalse(Files.exists(out) || Files.exists(dir.resolve("logreg.safetensors.ckpt")), "nothing trained");
    }

    @Test
    void labelsBeyondTheOutputsFailInEveryCommand() throws IOException {
        String m = twoOutputs.toString(), d = labels255.toString();
        String fit = "model " + m + " has 2 outputs (classes 0 to 1), but data set l255-test has labels up to 255";
        refused(Fixtures.run("eval", m, "--data", d), fit);
        refused(Fixtures.run("attack", m, "--data", d, "-a", "fgsm", "--eps", "0.1", "--out", dir.resolve("a").toString()), fit);
        refused(Fixtures.run("sweep", m, "--data", d, "-a", "fgsm", "--eps", "0.1", "--out", dir.resolve("s").toString()), fit);
        refused(Fixtures.run("autoattack", m, "--data", d, "--eps", "0.1", "--out", dir.resolve("aa").toString()), fit);
        Path spec = Files.writeString(dir.resolve("two.json"), Fixtures.linearSpec(2));
        refused(Fixtures.run("train", "--spec", spec.toString(), "--data", tenClasses.toString(), "--epochs", "1", "-o", dir.resolve("t.safetensors").toString()),
                "the model of --spec " + spec + " has 2 outputs (classes 0 to 1), but data set ten-train has labels up to 9");
    }

    @Test
    void anEmptyDataSetIsAnError() {
        String none = "--data " + empty + ": the test split (empty-test) has no samples";
        refused(Fixtures.run("eval", twoOutputs.toString(), "--data", empty.toString()), none);
        refused(Fixtures.run("attack", twoOutputs.toString(), "--data", empty.toString(), "-a", "fgsm", "--eps", "0.1", "--out", dir.resolve("e").toString()), none);
        refused(Fixtures.run("train", "--model", "logreg", "--data", empty.toString(), "-o", dir.resolve("e.safetensors").toString()),
                "--data " + empty + ": the training split (empty-train) has no samples");
    }
}

package dev.brink.app.cli;

import dev.brink.engine.Tensor;
import dev.brink.nn.io.SafeTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13, case 6: {@code --resume} ignored {@code --data}, {@code --model}, {@code --optimizer} and {@code --lr}
 * without a word, resumed a checkpoint without optimizer state with Adam's state reset silently, and printed
 * "resuming at epoch 4 of 3". Conflicting options are now listed in one error, an {@code --epochs} the checkpoint has
 * passed is an error, and a checkpoint without optimizer state resumes with a notice.
 */
class ResumeConflictCommandTest {
    @TempDir
    static Path dir;
    static Path data, other, spec;

    @BeforeAll
    static void write() throws IOException {
        data = Fixtures.idx(dir.resolve("toy"), 60, 20, i -> i % 2);
        other = Fixtures.idx(dir.resolve("other"), 60, 20, i -> (i + 1) % 2);
        spec = Files.writeString(dir.resolve("tiny.json"), Fixtures.linearSpec(2));
    }

    /** A run of {@code epochs} epochs ({@code optimizer}, lr 0.1, --limit 50) writing {@code name}; its output file. */
    private static Path train(String name, int epochs, String optimizer) {
        Path out = dir.resolve(name + "/m.safetensors");
        String[] cmd = {"train", "--spec", spec.toString(), "--data", data.toString(), "--limit", "50", "--epochs", Integer.toString(epochs),
                "--batch-size", "10", "--optimizer", optimizer, "--lr", "0.1", "-o", out.toString()};
        Fixtures.Run r = Fixtures.run(cmd);
        assertEquals(0, r.code(), r.all());
        return out;
    }

    private static Fixtures.Run resume(Path out, String... more) {
        String[] cmd = {"train", "--resume", "-o", out.toString()};
        String[] all = java.util.Arrays.copyOf(cmd, cmd.length + more.length);
        System.arraycopy(more, 0, all, cmd.length, more.length);
        return Fixtures.run(all);
    }

    @Test
    void everyConflictingOptionIsListed() {
        Path out = train("conflicts", 1, "sgd");
        Fixtures.Run r = resume(out, "--epochs", "3", "--data", other.toString(), "--model", "logreg", "--optimizer", "adam", "--lr", "0.5");
        assertEquals(1, r.code(), r.all());
        String ckpt = out + ".ckpt";
        for (String line : new String[] {"--resume: 5 options conflict with the checkpoint " + ckpt,
                "--data " + other + " differs from the checkpoint's --data " + data,
                "--limit (not given) differs from the checkpoint's --limit 50",
                "--model logreg: the checkpoint's model was built from a spec, not a zoo model",
                "--optimizer adam differs from the checkpoint's --optimizer sgd",
                "--lr 0.5 differs from the checkpoint's --lr 0.1",
                "drop these options"})
            assertTrue(r.err().contains(line), "'" + r.err() + "' lacks '" + line + "'");
        assertFalse(r.out().contains("loading"), "refused before the data loads: " + r.out());

        Fixtures.Run same = resume(out, "--epochs", "2", "--data", data.toString(), "--limit", "50", "--optimizer", "SGD", "--lr", "0.10",
                "--spec", spec.toString(), "--batch-size", "10");
        assertEquals(0, same.code(), same.all());
        assertTrue(same.out().contains("resuming " + ckpt + " at epoch 2 of 2"), same.out());
    }

    @Test
    void anEpochCountTheCheckpointHasPassedIsAnError() throws IOException {
        Path out = train("epochs", 2, "sgd");
        Fixtures.Run fewer = resume(out, "--epochs", "1", "--data", data.toString(), "--limit", "50");
        assertEquals(1, fewer.code(), fewer.all());
        assertTrue(fewer.err().contains("has finished 2 epochs, more than --epochs 1; give --epochs above 2 to train further"), fewer.err());
        Fixtures.Run same = resume(out, "--epochs", "2", "--data", data.toString(), "--limit", "50");
        assertEquals(1, same.code(), same.all());
        assertTrue(same.err().contains("has finished 2 epochs and its model is written to " + out + ": there is nothing to resume"), same.err());
        assertFalse(same.out().contains("epoch 3 of 2"), same.out());
        // a run stopped after its last checkpoint, before its model file: --resume finishes it
        Files.delete(out);
        Fixtures.Run finish = resume(out, "--epochs", "2", "--data", data.toString(), "--limit", "50");
        assertEquals(0, finish.code(), finish.all());
        assertTrue(finish.out().contains("finished all 2 epochs: writing its model") && Files.exists(out), finish.out());
    }

    @Test
    void aCheckpointWithoutOptimizerStateResumesWithANotice() throws IOException {
        Path out = train("stripped", 1, "adam");
        Path ckpt = Path.of(out + ".ckpt");
        SafeTensors.Contents c = SafeTensors.read(ckpt);
        Map<String, Tensor> model = new LinkedHashMap<>();
        c.tensors().forEach((k, t) -> {
            if (!k.startsWith("optimizer.")) model.put(k, t);
        });
        assertTrue(model.size() < c.tensors().size(), "the run had optimizer state");
        SafeTensors.write(ckpt, model, c.metadata());
        Fixtures.Run r = resume(out, "--epochs", "2", "--data", data.toString(), "--limit", "50");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.err().contains("note: the checkpoint " + ckpt + " holds no optimizer state after 5 steps (Adam's moment estimates): "
                + "training resumes with it reset"), r.err());
    }
}
